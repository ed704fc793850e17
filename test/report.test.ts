import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { runDataFromTables } from "../src/report/rundata.js";
import { buildReport, writePngs } from "../src/report/write.js";
import { execute } from "../src/store/execute.js";
import { resolvedScenarioYaml } from "../src/store/runfolder.js";
import { preset, withChanges } from "./helpers.js";

const CHART_IDS = ["listed", "precision-recall", "disparity", "sanction-days", "chilling", "appeal-queue", "wrongful-durations", "scores", "tiers", "ties-cut"];

async function report(name: string) {
  const s = withChanges(preset(name), (x) => void (x.population.agents = 5000));
  const r = await execute(s);
  const yaml = resolvedScenarioYaml(s, { version: "test", hash: r.hash, seed: s.seed });
  return buildReport(runDataFromTables(r.summary, r.tables, s.title ?? s.name), yaml);
}

/** Width and height from a PNG's IHDR, after checking the signature and that the image data inflates. */
function decodePng(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(bytes.toString("latin1", 12, 16)).toBe("IHDR");
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const chunks: Buffer[] = [];
  for (let at = 8; at < bytes.length; ) {
    const len = bytes.readUInt32BE(at);
    const type = bytes.toString("latin1", at + 4, at + 8);
    if (type === "IDAT") chunks.push(bytes.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  // rows of (filter byte + pixels); at least one byte per pixel
  expect(raw.length).toBeGreaterThanOrEqual(height * (1 + width));
  return { width, height };
}

describe("credsim report", () => {
  it("contains every chart with its caption, and nothing that needs a network", async () => {
    for (const name of ["fused-city", "reference"]) {
      const { html, charts } = await report(name);
      expect(charts.map((c) => c.id)).toEqual(CHART_IDS);
      for (const c of charts) {
        expect(html).toContain(`<figure id="${c.id}">`);
        expect(html).toContain(c.caption.replace(/&/g, "&amp;").replace(/'/g, "&#39;").replace(/"/g, "&quot;").slice(0, 40));
      }
      // a chart with nothing to show is its caption alone: reference has no appeals, tiers or tie cutting
      expect(charts.filter((c) => c.svg === "").map((c) => c.id)).toEqual(name === "reference" ? ["appeal-queue", "tiers", "ties-cut"] : []);
      expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(charts.filter((c) => c.svg !== "").length);
      // the results the table does not hold, as `credsim run` prints them
      expect(html).toContain('<h2 id="results">Further results</h2>');
      expect(html).toContain(name === "fused-city" ? "<li>score correlation across ties " : "<li>no behaviour departs from its no-system level");
      expect(html).not.toContain('<h2 id="regions">');
      // no scripts, stylesheets, images, fonts or frames fetched from anywhere
      expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=|href=/i);
    }
  });

  it("says how far scores range from the fine histogram, not the chart's bins", async () => {
    // no rewarded behaviour: nobody can end above the starting 1,000
    const s = withChanges(preset("reference"), (x) => {
      x.population.agents = 5000;
      x.scoring.points.volunteering = 0;
    });
    const r = await execute(s);
    const h = r.summary.scoreHistogram;
    expect(h.highest).toBeGreaterThanOrEqual(1000);
    expect(h.highest).toBeLessThanOrEqual(1000 + 1100 / 4096);
    expect(h.lowest).toBeLessThan(950); // some were listed by score
    const { charts } = buildReport(runDataFromTables(r.summary, r.tables, s.name), "");
    expect(charts.find((c) => c.id === "scores")?.caption).toMatch(/^Scores on the last day range from about \d+ to 1000 /);
  });

  it("says why a chart is empty instead of drawing it: nobody listed, one group, an unbounded ratio, wrongful listings still open", async () => {
    const empty = (charts: { id: string; svg: string }[]) => charts.filter((c) => c.svg === "").map((c) => c.id);
    const sesame = (await report("sesame-credit")).charts; // nobody is listed at 5,000 agents
    expect(empty(sesame)).toEqual(expect.arrayContaining(["listed", "precision-recall", "disparity", "sanction-days"]));
    expect(sesame.find((c) => c.id === "listed")?.caption).toBe("Nobody was on the list at any time in this run.");
    const midas = (await report("midas")).charts;
    expect(midas.find((c) => c.id === "disparity")?.caption).toBe("This scenario has one group: there is no ratio between groups.");
    // a first group with no false positive: the FPR ratios are said to be unbounded, and the FPR legend is left out
    const zero = withChanges(preset("reference"), (x) => {
      x.population.agents = 5000;
      for (const source of Object.values(x.sources)) source.falseRate = {};
    });
    const z = await execute(zero);
    expect(z.summary.groups.a.fpr).toBe(0);
    expect(z.summary.groups.a.listedShare).toBeGreaterThan(0); // listed by true records: the listing ratios are drawn
    const d = buildReport(runDataFromTables(z.summary, z.tables, "zero"), "").charts.find((c) => c.id === "disparity");
    expect(d?.caption).toContain("no false-positive-rate ratio (a's false-positive rate is 0 or undefined");
    expect(d?.svg).not.toContain("false-positive-rate ratio");
    // dutch-benefits: wrongful listings outlast the run; the caption counts the open ones
    const dutch = (await report("dutch-benefits")).charts.find((c) => c.id === "wrongful-durations");
    expect(dutch?.caption).toMatch(
      /^No listing that was wrongful when it began ended during the run\. [\d,]+ listings that were wrongful when they began were still running at the end, open \d+ days on average\.$/,
    );
  });

  it("is identical for the same run", async () => {
    const a = await report("reference");
    const b = await report("reference");
    expect(a.html).toBe(b.html);
  });

  it("writes each chart as a PNG that decodes", async () => {
    const { charts } = await report("national-outline");
    const dir = mkdtempSync(join(tmpdir(), "credsim-png-"));
    const files = writePngs(charts, dir);
    expect(files).toHaveLength(CHART_IDS.length); // national-outline has something in every chart
    const midas = (await report("midas")).charts;
    const drawn = writePngs(midas, mkdtempSync(join(tmpdir(), "credsim-png-")));
    expect(drawn.map((f) => f.split("/").pop())).not.toContain("tiers.png"); // no tiers: no empty picture
    for (const f of files) {
      const { width, height } = decodePng(readFileSync(f));
      expect(width).toBe(1360);
      expect(height).toBeGreaterThan(300);
    }
  });

  it("from the command line: run writes report.html; report --png writes PNGs; a wrong folder exits 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "credsim-rep-"));
    const bin = new URL("../bin/credsim.js", import.meta.url).pathname;
    const run = spawnSync(process.execPath, [bin, "run", "city-cameras", "--agents", "5000", "--out", join(dir, "r"), "--quiet"], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(join(dir, "r"))).toContain("report.html");
    const rep = spawnSync(process.execPath, [bin, "report", join(dir, "r"), "--png", join(dir, "png")], { encoding: "utf8" });
    expect(rep.status, rep.stderr).toBe(0);
    // city-cameras has no appeals, tiers or tie cutting: those charts are captions only, with no PNG
    const drawn = CHART_IDS.filter((c) => !["appeal-queue", "tiers", "ties-cut"].includes(c));
    expect(readdirSync(join(dir, "png")).sort()).toEqual(drawn.map((c) => `${c}.png`).sort());
    const bad = spawnSync(process.execPath, [bin, "report", dir], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("not a credsim run folder");
    const missing = spawnSync(process.execPath, [bin, "report", join(dir, "nothing-here")], { encoding: "utf8" });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("no such folder");
    writeFileSync(join(dir, "file.txt"), "x");
    const onFile = spawnSync(process.execPath, [bin, "report", join(dir, "r"), "--png", join(dir, "file.txt")], { encoding: "utf8" });
    expect(onFile.status).toBe(2);
    expect(onFile.stderr).toContain("--png: is a file");
    // a damaged run folder: exit 2 naming the file, for report, follow and compare alike
    const damaged = (name: string, file: string, content: string) => {
      cpSync(join(dir, "r"), join(dir, name), { recursive: true });
      writeFileSync(join(dir, name, file), content);
      return join(dir, name);
    };
    const cases: [string, string][] = [
      [damaged("empty-summary", "summary.json", ""), "summary.json: is not valid JSON"],
      [damaged("foreign-summary", "summary.json", '{"agents": 5}'), "summary.json: is not a credsim summary (no credsimVersion"],
      [damaged("empty-db", "credsim.duckdb", ""), "credsim.duckdb: cannot be read as a DuckDB database"],
    ];
    for (const [folder, message] of cases) {
      for (const args of [
        ["report", folder],
        ["compare", folder, join(dir, "r"), "--out", join(dir, "cmp"), "--quiet"],
        ["follow", folder],
      ]) {
        if (args[0] === "follow" && message.startsWith("summary")) continue; // follow reads the database only
        const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
        expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(message);
      }
    }
    const onScenario = spawnSync(process.execPath, [bin, "follow", new URL("../presets/midas.yaml", import.meta.url).pathname], { encoding: "utf8" });
    expect(onScenario.status).toBe(2);
    expect(onScenario.stderr).toContain("is a file; expected the folder a `credsim run` wrote");
  });

  it("credsim report writes the same report.html as the run did (behaviours in scenario order, not alphabetical)", () => {
    const dir = mkdtempSync(join(tmpdir(), "credsim-rep-"));
    const bin = new URL("../bin/credsim.js", import.meta.url).pathname;
    const run = spawnSync(process.execPath, [bin, "run", "reference", "--agents", "5000", "--out", join(dir, "r"), "--quiet"], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const written = readFileSync(join(dir, "r", "report.html"), "utf8");
    const rep = spawnSync(process.execPath, [bin, "report", join(dir, "r"), "--quiet"], { encoding: "utf8" });
    expect(rep.status, rep.stderr).toBe(0);
    expect(readFileSync(join(dir, "r", "report.html"), "utf8") === written).toBe(true);
  });
});
