import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { newCounters } from "../src/engine/counters.js";
import { compileModel } from "../src/engine/model.js";
import { parseRegions, planRegions, type RegionResult, regionScenario, SHARD_FILE, shardRegions, writeShard } from "../src/sweep/regions.js";
import { preset } from "./helpers.js";

// A country as regions: processes here, shards on a cluster, one merged result
// that equals the single-process run of the same regions, byte for byte.

const bin = new URL("../bin/credsim.js", import.meta.url).pathname;
let dir: string;
const credsim = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const SPEC = `name: four
regions:
  - { name: north, population: 5000000 }
  - { name: south, population: 3000000 }
  - { name: east, population: 1500000 }
  - { name: west, population: 500000 }
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "credsim-regions-"));
  writeFileSync(join(dir, "four.yaml"), SPEC);
});

describe("regions", () => {
  it("apportions agents exactly, gives each region its own seed, and puts every region in exactly one shard", () => {
    const china = parseRegions(readFileSync("presets/regions/china-31.yaml", "utf8"), "china-31.yaml");
    expect(china.regions.length).toBe(31);
    expect(china.regions.reduce((s, r) => s + (r.population ?? 0), 0)).toBe(1_409_778_724);
    const regions = planRegions(china, 1_000_000, 1, "x");
    expect(regions.reduce((s, r) => s + r.agents, 0)).toBe(1_000_000);
    expect(new Set(regions.map((r) => r.seed)).size).toBe(31);
    for (const count of [1, 2, 5, 31, 40]) {
      const shards = Array.from({ length: count }, (_, k) => shardRegions(regions, k + 1, count));
      expect(
        shards
          .flat()
          .map((r) => r.index)
          .sort((a, b) => a - b),
      ).toEqual(regions.map((r) => r.index));
      // greedy largest-first: no shard exceeds the lightest by more than the largest region
      const loads = shards.map((s) => s.reduce((x, r) => x + r.agents, 0));
      if (count <= 31) expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(Math.max(...regions.map((r) => r.agents)));
    }
  });

  it("merged shards equal the single-process run of the same regions, byte for byte", () => {
    const common = ["run", "reference", "--regions", "four.yaml", "--agents", "40000", "--days", "120", "--quiet"];
    expect(credsim([...common, "--workers", "1", "--out", "one"]).code).toBe(0);
    expect(credsim([...common, "--workers", "2", "--out", "two"]).code).toBe(0);
    for (const k of [1, 2, 3]) expect(credsim([...common, "--shard", `${k}/3`, "--out", `shard${k}`]).code).toBe(0);
    // a shard run again (a task resubmitted) replaces its own folder
    const again = credsim([...common.filter((a) => a !== "--quiet"), "--shard", "1/3", "--out", "shard1", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ shard: "1/3", out: "shard1" }); // --json on a shard: what it holds
    const merged = credsim(["merge", "shard3", "shard1", "shard2", "--out", "merged"]);
    expect(merged.code).toBe(0);
    expect(merged.stdout).toBe("merged 3 region shard folders: 4 regions into merged/\n");
    // merging into one of the shards would delete it: refused
    const intoShard = credsim(["merge", "shard1", "shard2", "shard3", "--out", "shard1"]);
    expect(intoShard.code).toBe(2);
    expect(intoShard.stderr).toContain("--out: is one of the folders to merge");
    expect(readdirSync(join(dir, "shard1")).some((f) => f.endsWith(".bin"))).toBe(true);
    // merging again replaces the earlier merge, as a run replaces an earlier run folder
    expect(credsim(["merge", "shard1", "shard2", "shard3", "--out", "merged"]).code).toBe(0);
    for (const f of ["summary.json", "daily.parquet", "scenario.yaml", "regions.yaml", "report.html"]) {
      const one = readFileSync(join(dir, "one", f));
      expect(readFileSync(join(dir, "two", f)).equals(one), `two/${f}`).toBe(true);
      expect(readFileSync(join(dir, "merged", f)).equals(one), `merged/${f}`).toBe(true);
    }
    const s = JSON.parse(readFileSync(join(dir, "one", "summary.json"), "utf8"));
    expect(s.agents).toBe(40_000);
    // the report shows the regions, and says their differences are sampling noise
    const html = readFileSync(join(dir, "merged", "report.html"), "utf8");
    expect(html).toContain('<h2 id="regions">Regions</h2>');
    expect(html).toContain("<td>north</td><td>20,000</td>");
    expect(html).toContain("differences between regions are sampling noise");
    expect(html).toContain("Region set: ");
    // `credsim report` on it writes the same report.html, region set in the title
    cpSync(join(dir, "merged"), join(dir, "again"), { recursive: true });
    expect(credsim(["report", "again"]).code).toBe(0);
    expect(readFileSync(join(dir, "again", "report.html"), "utf8")).toBe(html);
    expect(s.regions.map((r: { name: string; agents: number }) => [r.name, r.agents])).toEqual([
      ["north", 20_000],
      ["south", 12_000],
      ["east", 6_000],
      ["west", 2_000],
    ]);
    // the whole is the sum of its regions
    const listed = s.regions.reduce((x: number, r: { listedShare: number; agents: number }) => x + r.listedShare * r.agents, 0);
    expect(listed).toBeCloseTo(s.total.listedShare * s.agents, 6);
    // a damaged or foreign shard is refused with exit 2, naming it; never merged, never an internal error
    const damaged = (name: string, change: (folder: string) => void) => {
      cpSync(join(dir, "shard3"), join(dir, name), { recursive: true });
      change(join(dir, name));
      return credsim(["merge", "shard1", "shard2", name, "--out", `m-${name}`]);
    };
    const bin = readdirSync(join(dir, "shard3")).find((f) => f.endsWith(".bin")) as string;
    const cases: [string, (folder: string) => void, string][] = [
      ["truncated", (f) => truncateSync(join(f, bin), statSync(join(f, bin)).size - 3), "is damaged"],
      ["no-bin", (f) => rmSync(join(f, bin)), "is missing; run this shard again"],
      [
        "counts",
        (f) => {
          const b = readFileSync(join(f, bin));
          b.writeDoubleLE(1e9, 0);
          writeFileSync(join(f, bin), b);
        },
        "it is not the file this shard wrote",
      ],
      [
        "version",
        (f) =>
          writeFileSync(
            join(f, "region-shard.json"),
            readFileSync(join(f, "region-shard.json"), "utf8").replace(/"credsimVersion": "[^"]*"/, '"credsimVersion": "0.0.1"'),
          ),
        "was written by credsim 0.0.1",
      ],
      ["manifest", (f) => writeFileSync(join(f, "region-shard.json"), "{}"), "region-shard.json is damaged or not credsim's"],
      [
        "retitled",
        (f) =>
          writeFileSync(join(f, "region-shard.json"), readFileSync(join(f, "region-shard.json"), "utf8").replace(/"enterBelow": \d+/, '"enterBelow": 123')),
        "region-shard.json was changed after the shard wrote it",
      ],
    ];
    for (const [name, change, message] of cases) {
      const r = damaged(name, change);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toContain(`${name}: `);
      expect(r.stderr, name).toContain(message);
      expect(r.stderr, name).not.toContain("internal error");
      expect(existsSync(join(dir, `m-${name}`)), name).toBe(false);
    }
  });

  it("stopped by a signal to the parent alone, leaves no region process running", async () => {
    writeFileSync(join(dir, "one.yaml"), "name: one\nregions:\n  - { name: all, share: 1 }\n");
    // a region that runs for seconds: fused-city, 300,000 agents
    const parent = spawn(
      process.execPath,
      [bin, "run", "fused-city", "--regions", "one.yaml", "--agents", "300000", "--workers", "1", "--out", "stopped", "--quiet"],
      {
        cwd: dir,
        stdio: "ignore",
      },
    );
    const childrenOf = (pid: number) =>
      spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
        .stdout.split("\n")
        .map((x) => Number(x.trim()))
        .filter((x) => x > 0);
    let workers: number[] = [];
    for (let k = 0; k < 100 && workers.length === 0; k++) {
      await new Promise((r) => setTimeout(r, 100));
      workers = childrenOf(parent.pid as number);
    }
    expect(workers.length).toBe(1);
    const exited = new Promise<number | null>((r) => parent.once("exit", (code) => r(code)));
    parent.kill("SIGTERM");
    expect(await exited).toBe(143);
    await new Promise((r) => setTimeout(r, 500));
    // gone, or a zombie waiting to be reaped (state Z): not running either way
    const alive = workers.filter((pid) => /^[^Z]/.test(spawnSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).stdout.trim()));
    expect(alive).toEqual([]);
  });

  it("writes a shard's files in region order, whatever order its region processes finished in", () => {
    const scenario = preset("reference");
    const spec = parseRegions(SPEC, "four.yaml");
    const regions = planRegions(spec, 40_000, scenario.seed, "four.yaml");
    const results: RegionResult[] = regions.map((region) => {
      const counters = newCounters(compileModel(regionScenario(scenario, region)));
      counters.agents[0] = region.agents; // distinct files, so distinct checksums
      return { region, counters };
    });
    const manifest = { kind: "credsim-region-shard" as const, credsimVersion: "test", hash: "h", shard: { index: 1, count: 1 }, spec, scenario, regions };
    writeShard(join(dir, "in-order"), manifest, results);
    writeShard(join(dir, "reversed"), manifest, [...results].reverse());
    const text = readFileSync(join(dir, "in-order", SHARD_FILE), "utf8");
    expect(readFileSync(join(dir, "reversed", SHARD_FILE), "utf8")).toBe(text);
    expect(Object.keys(JSON.parse(text).checksums)).toEqual(["region-0.bin", "region-1.bin", "region-2.bin", "region-3.bin"]);
  });

  it("refuses an incomplete set of shards, a region too small, and a bad region file", () => {
    const common = ["run", "reference", "--regions", "four.yaml", "--agents", "40000", "--days", "60", "--quiet"];
    expect(credsim([...common, "--shard", "1/2", "--out", "half1"]).code).toBe(0);
    const missing = credsim(["merge", "half1", "--out", "nope"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("credsim: merge: shard 2/2 is missing; a country is only complete with every region\n");

    const small = credsim(["run", "reference", "--regions", "four.yaml", "--agents", "100", "--quiet"]);
    expect(small.code).toBe(2);
    expect(small.stderr).toContain("give region 'west' only 5 (at least 10 each); use --agents 200 or more");

    // too big: said of the largest region and of the whole the person chose
    const heavy = credsim(["run", "court-defaulters", "--regions", "four.yaml", "--agents", "2000000000", "--workers", "2", "--out", "heavy"]);
    expect(heavy.code).toBe(2);
    expect(heavy.stderr).toMatch(
      /population\.agents: region north, the largest \(1,000,000,000 of the 2,000,000,000 agents\), needs about [\d.]+ GiB .*2 processes at a time \(--workers\) share .*; at most about [\d,]+ agents in all would fit, more with fewer --workers/,
    );
    const beyond = credsim(["run", "reference", "--regions", "four.yaml", "--agents", "4000000000", "--out", "beyond"]);
    expect(beyond.code).toBe(2);
    expect(beyond.stderr).toContain("region north, the largest, would hold 2,000,000,000 of the 4,000,000,000 agents; one process holds at most 1,000,000,000");
    const oneProcess = credsim(["run", "reference", "--agents", "2000000000", "--out", "one-process"]);
    expect(oneProcess.code).toBe(2);
    expect(oneProcess.stderr).toContain("2,000,000,000 agents in one process; one holds at most 1,000,000,000 (agent numbers are 32-bit): run them as regions");

    writeFileSync(join(dir, "bad.yaml"), "name: bad\nregions:\n  - { name: a, share: 0.5 }\n  - { name: b, share: 0.6 }\n");
    const bad = credsim(["run", "reference", "--regions", "bad.yaml", "--quiet"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("credsim: bad.yaml:2:1: regions: shares must sum to 1, got 1.1\n");

    writeFileSync(join(dir, "typed.yaml"), 'name: typed\nregions:\n  - { name: a, share: -1 }\n  - { name: b, share: "z" }\n');
    const typed = credsim(["run", "reference", "--regions", "typed.yaml", "--quiet"]);
    expect(typed.code).toBe(2);
    expect(typed.stderr).toBe(
      'credsim: typed.yaml:3:16: regions.0.share: expected a number > 0, got number -1\ntyped.yaml:4:16: regions.1.share: expected a number, got the text "z"\n',
    );

    const stray = credsim(["run", "reference", "--workers", "2"]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("--workers: only with --regions");
  });
});
