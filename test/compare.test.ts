import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fprSpread, type Summary } from "../src/engine/metrics.js";
import { compareNotes, difference, estimate, formatEstimate, t95 } from "../src/report/compare.js";

const bin = new URL("../bin/credsim.js", import.meta.url).pathname;
const credsim = (args: string[], cwd: string) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8" });

describe("compare statistics", () => {
  it("gives the t interval of a mean and a paired difference", () => {
    const e = estimate([1, 2, 3, 4]);
    expect(e.mean).toBe(2.5);
    // sd = 1.29099, se = 0.645497, t(3) = 3.182
    expect(e.half).toBeCloseTo(3.182 * 0.6454972, 5);
    const d = difference([1, 2, 3, 4], [2, 3, 4, 5.5]);
    expect(d.mean).toBeCloseTo(1.125, 12);
    expect(d.half).toBeCloseTo(3.182 * (0.25 / Math.sqrt(4)), 5);
    expect(t95(1000)).toBe(1.96);
  });

  it("says on how many replicates a mean rests when a metric is undefined in some, and never prints -0.00", () => {
    const e = estimate([2, null, 3, null]);
    expect(formatEstimate(e, "number", false, 4)).toMatch(/^2\.50 ± [\d.]+ \(2 of 4\)$/);
    expect(formatEstimate(estimate([2, 3, 4, 5]), "number", false, 4)).not.toContain("of");
    expect(formatEstimate({ mean: -0.00001, half: 0.0001, n: 3 }, "share", true, 3)).toBe("0.00 pp ± 0.01 pp");
    expect(formatEstimate({ mean: 0.02, half: null, n: 1 }, "share", true, 1)).toBe("+2.00 pp");
    expect(formatEstimate({ mean: -519.2, half: 92, n: 4 }, "number", true, 4)).toBe("-519 ± 92");
    expect(
      compareNotes([
        ["", "a"],
        ["x", "2.50 (2 of 4)"],
      ]),
    ).toEqual([expect.stringMatching(/^\(n of N\): the metric is defined in n of the N replicates only/)]);
    expect(
      compareNotes([
        ["", "a"],
        ["x", "2.50"],
      ]),
    ).toEqual([]); // one replicate each: no ± and no note
  });

  it("measures FPR disparity as highest group over lowest, whatever the order of groups", () => {
    const of = (fprs: (number | null)[]) => fprSpread({ groups: Object.fromEntries(fprs.map((fpr, k) => [`g${k}`, { fpr }])) } as unknown as Summary);
    expect(of([0.01, 0.04])).toBeCloseTo(4, 12);
    expect(of([0.04, 0.01])).toBeCloseTo(4, 12); // reversed: still 4, not 1 (the ratio to the first group would be 0.25)
    expect(of([0.02, 0.01, 0.03])).toBeCloseTo(3, 12);
    expect(of([0.02, null, 0.01])).toBeCloseTo(2, 12); // a group with no FPR is left out
    expect(of([0.02])).toBeNull();
    expect(of([0, 0.02])).toBeNull(); // unbounded
  });
});

describe("credsim compare", () => {
  it("a policy against itself differs by exactly 0; a better policy differs beyond the noise", () => {
    const dir = mkdtempSync(join(tmpdir(), "credsim-cmp-"));
    const same = credsim(["compare", "reference", "reference", "--agents", "20000", "--replicates", "3", "--json", "--out", "same"], dir);
    expect(same.status, same.stderr).toBe(0);
    for (const row of JSON.parse(same.stdout)) {
      const d = row.differences[0];
      if (d.mean !== null) expect(Math.abs(d.mean)).toBe(0);
    }
    const r = credsim(["compare", "national-outline", "citizen-rules", "--agents", "20000", "--replicates", "4", "--out", "nc"], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("citizen-rules − national-outline");
    const rows = JSON.parse(readFileSync(join(dir, "nc/compare.json"), "utf8")).rows;
    const wrongful = rows.find((x: { metric: string }) => x.metric === "wrongful sanction-days per person").differences[0];
    expect(wrongful.mean + wrongful.half).toBeLessThan(0); // the whole interval below 0
    const html = readFileSync(join(dir, "nc/compare.html"), "utf8");
    expect(html).toContain('<figure id="listed-overlaid">');
    expect(html).not.toMatch(/<script|<link|src=|href=/i);
  });

  it("compares run folders too (one replicate each: no interval)", () => {
    const dir = mkdtempSync(join(tmpdir(), "credsim-cmp2-"));
    expect(credsim(["run", "midas", "--agents", "5000", "--out", "m1", "--quiet"], dir).status).toBe(0);
    expect(credsim(["run", "robodebt", "--agents", "5000", "--out", "r1", "--quiet"], dir).status).toBe(0);
    const r = credsim(["compare", "m1", "r1"], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/r1 − m1/);
    expect(r.stdout.split("\n\n")[0]).not.toContain("±"); // the table, not the footnote
    expect(r.stdout).not.toContain("half-width"); // and no note about intervals there are none of
  });

  // Arm 1 alone would run for well over 10 s (20 replicates of 10^6 agents, about
  // 1 s each on one core): a refusal within 10 s came before its runs.
  const long = ["reference", "--agents", "1000000", "--replicates", "20", "--quiet"];

  it("checks its default folder before running anything", () => {
    const dir = mkdtempSync(join(tmpdir(), "credsim-cmp3-"));
    mkdirSync(join(dir, "compare", "reference-vs-midas"), { recursive: true });
    writeFileSync(join(dir, "compare", "reference-vs-midas", "mine.txt"), "keep");
    const started = Date.now();
    const r = credsim(["compare", ...long.slice(0, 1), "midas", ...long.slice(1)], dir);
    expect(r.status, r.stderr).toBe(2);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.stderr).toContain("mine.txt");
    expect(readdirSync(join(dir, "compare", "reference-vs-midas"))).toEqual(["mine.txt"]);
  });

  it("checks every argument before running anything: a bad last one costs no runs", () => {
    const dir = mkdtempSync(join(tmpdir(), "credsim-cmp4-"));
    writeFileSync(join(dir, "bad.yaml"), "name: bad\ndays: -3\n");
    for (const last of ["bad.yaml", "no-such-scenario"]) {
      const started = Date.now();
      const r = credsim(["compare", ...long.slice(0, 1), last, ...long.slice(1)], dir);
      expect(r.status, r.stderr).toBe(2);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(r.stderr).toContain(last);
    }
    expect(readdirSync(dir)).toEqual(["bad.yaml"]);
  });

  it("says when flags do not apply to a run folder, and when the arms differ in size", () => {
    const dir = mkdtempSync(join(tmpdir(), "credsim-cmp5-"));
    expect(credsim(["run", "midas", "--agents", "3000", "--out", "m1", "--quiet"], dir).status).toBe(0);
    const r = credsim(["compare", "m1", "robodebt", "--agents", "1000", "--replicates", "2"], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("warning: --agents, --replicates apply to scenarios only; a run folder (m1) is compared as it was run");
    expect(r.stderr).toContain("warning: the arms differ in size (3,000 agents × 365 days; 1,000 agents × 365 days)");
    const same = credsim(["compare", "m1", "robodebt", "--agents", "3000", "--replicates", "2", "--out", "same"], dir);
    expect(same.stderr).not.toContain("differ in size");
  });
});
