import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/store/duckdb.js";
import { plannedRuns } from "../src/sweep/design.js";
import { parseSweep } from "../src/sweep/spec.js";
import { exportParquet } from "../src/sweep/sweep.js";

// Sweeps as a user runs them (the built CLI): resume after a kill, failures
// recorded, seeds that do not move when a variant is added, shards that merge
// into the same files as one unsharded sweep.

const bin = new URL("../bin/credsim.js", import.meta.url).pathname;
let dir: string;
const credsim = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8" });

const SWEEP = (extra = "") => `
name: t
base: reference
seed: 5
replicates: 2
agents: 3000
days: 60
design: { type: grid }
vary:
  listing.enterBelow: [940, 950, 960]
  sources.camera.falseRate.red-light: [0.001, 0.004]
${extra}`;

/** Changes a sweep database as damage or an older version would have left it. */
async function edit(db: string, statement: string) {
  const instance = await DuckDBInstance.create(db);
  const con = await instance.connect();
  try {
    await con.run(statement);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

async function rows(db: string, query: string) {
  const instance = await DuckDBInstance.create(db, { access_mode: "READ_ONLY" });
  const con = await instance.connect();
  try {
    return (await con.runAndReadAll(query)).getRowObjects();
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "credsim-sweep-"));
});

describe("credsim sweep", () => {
  it("runs every variant and replicate into one database, with parameters and kept metrics", async () => {
    writeFileSync(join(dir, "s.yaml"), SWEEP());
    const r = credsim(["sweep", "s.yaml", "--workers", "2", "--out", "a"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("12 runs done, 0 failed");
    const runs = await rows(
      join(dir, "a/sweep.duckdb"),
      "select count(*)::int n, count(distinct seed)::int seeds, min(k_total_listed_share) > 0 listed from runs where status = 'ok'",
    );
    expect(runs[0]).toEqual({ n: 12, seeds: 12, listed: true });
    const groups = await rows(join(dir, "a/sweep.duckdb"), "select count(*)::int n from groups");
    expect(groups[0].n).toBe(24);
  });

  it("keeps every run's seed when a variant is added", () => {
    const before = new Map(plannedRuns(parseSweep(SWEEP(), "x.yaml").spec).map((r) => [r.runId, r.seed]));
    const more = SWEEP().replace("[940, 950, 960]", "[940, 950, 960, 970]");
    const after = plannedRuns(parseSweep(more, "x.yaml").spec);
    expect(after.length).toBe(16);
    for (const run of after) if (before.has(run.runId)) expect(run.seed).toBe(before.get(run.runId));
    expect(after.filter((r) => before.has(r.runId)).length).toBe(12);
  });

  it("resumes after a kill with nothing lost and nothing counted twice", async () => {
    // runs of most of a second each (12 take about 10 s), one worker. The kill comes
    // once a run or two have been saved, whatever the machine's speed: the
    // database's write-ahead log grows when its tables are made and with each saved
    // run; two growths after it first has content (which may be part of the
    // tables' write on a loaded machine) mean at least one run saved
    writeFileSync(join(dir, "slow.yaml"), SWEEP().replace("agents: 3000", "agents: 1000000").replace("days: 60", "days: 365"));
    const child = spawn(process.execPath, [bin, "sweep", "slow.yaml", "--out", "k", "--quiet"], { cwd: dir });
    const exited = new Promise((r) => child.on("exit", r));
    const wal = join(dir, "k/sweep.duckdb.wal");
    const size = () => (existsSync(wal) ? statSync(wal).size : 0);
    let last = 0;
    let growths = -1;
    for (const started = Date.now(); growths < 2 && Date.now() - started < 30_000; await new Promise((r) => setTimeout(r, 50))) {
      const now = size();
      if (now > last) growths++;
      last = now;
    }
    child.kill("SIGKILL");
    await exited;
    const partial = Number((await rows(join(dir, "k/sweep.duckdb"), "select count(*) n from runs"))[0].n);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(12);
    const r = credsim(["sweep", "slow.yaml", "--out", "k"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${12 - partial} runs done, 0 failed, ${partial} already done before`);
    const all = await rows(join(dir, "k/sweep.duckdb"), "select count(*)::int n, count(distinct run_id)::int d from runs");
    expect(all[0]).toEqual({ n: 12, d: 12 });
    const groups = await rows(join(dir, "k/sweep.duckdb"), "select count(*)::int n from groups");
    expect(groups[0].n).toBe(24);
    // and the resumed results equal an uninterrupted sweep's
    expect(credsim(["sweep", "slow.yaml", "--out", "whole", "--workers", "2", "--quiet"]).status).toBe(0);
    expect(readFileSync(join(dir, "k/runs.parquet")).equals(readFileSync(join(dir, "whole/runs.parquet")))).toBe(true);
  });

  it("records a failing run with its error and goes on", async () => {
    writeFileSync(join(dir, "bad.yaml"), SWEEP().replace("[0.001, 0.004]", "[0.001, 1.5]"));
    const r = credsim(["sweep", "bad.yaml", "--out", "f"]);
    expect(r.status).toBe(3); // some runs failed: the results are incomplete
    expect(r.stdout).toContain("6 runs done, 6 failed");
    expect(r.stdout).toMatch(/first failure: (\w+-r\d+): (?!run \1)\S/); // the run named once
    const rerun = credsim(["sweep", "bad.yaml", "--out", "f"]);
    expect(rerun.status).toBe(3);
    expect(rerun.stdout).toMatch(/first failure: (\w+-r\d+): (?!run \1)\S/);
    expect(rerun.stdout).toContain("12 already done before (6 of them failed; --retry-failed runs them again)");
    const failed = await rows(join(dir, "f/sweep.duckdb"), "select error from runs where status = 'failed' limit 1");
    expect(String(failed[0].error)).toContain("sources.camera.falseRate.red-light: expected a number ≤ 1, got number 1.5");
    // merging it says so too, and exits 3 as the sweep did
    const merged = credsim(["merge", "f", "--out", "fm"]);
    expect(merged.status).toBe(3);
    expect(merged.stderr).toContain("6 of the runs failed (recorded with their errors)");
    // a folder given twice, or merged into itself, is refused
    expect(credsim(["merge", "f", "./f", "--out", "fm2"]).stderr).toContain("f: is given twice (also as f)");
    const intoItself = credsim(["merge", "f", "--out", "f"]);
    expect(intoItself.status).toBe(2);
    expect(intoItself.stderr).toContain("--out: is one of the folders to merge");
  });

  it("refuses a value listed twice in a grid, and runs a variant a random design draws twice once", async () => {
    writeFileSync(join(dir, "twice.yaml"), SWEEP().replace("[0.001, 0.004]", "[0.001, 0.004, 0.001]"));
    const r = credsim(["sweep", "twice.yaml", "--out", "tw"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("the value 0.001 is listed twice");
    expect(existsSync(join(dir, "tw"))).toBe(false);
    // 8 draws from lists of 3 and 2 values: at most 6 distinct variants, each run once per replicate
    const random = SWEEP().replace("design: { type: grid }", "design: { type: random, samples: 8 }");
    writeFileSync(join(dir, "drawn.yaml"), random);
    const d = credsim(["sweep", "drawn.yaml", "--out", "dr", "--quiet"]);
    expect(d.status, d.stderr).toBe(0);
    const n = await rows(join(dir, "dr/sweep.duckdb"), "select count(*)::int n, count(distinct run_id)::int ids from runs");
    expect(n[0].n).toBe(n[0].ids);
    expect(n[0].n).toBeLessThanOrEqual(6 * 2);
    const again = credsim(["sweep", "drawn.yaml", "--out", "dr"]);
    expect(again.stdout).toContain(`0 runs done, 0 failed, ${n[0].n} already done before`);
  });

  it("shards merge into files identical to the unsharded sweep's", async () => {
    for (const i of [1, 2, 3]) expect(credsim(["sweep", "s.yaml", "--shard", `${i}/3`, "--out", `sh${i}`, "--quiet"]).status).toBe(0);
    const m = credsim(["merge", "sh1", "sh2", "sh3", "--out", "merged"]);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toContain("12 runs");
    for (const f of ["runs.parquet", "groups.parquet"]) expect(readFileSync(join(dir, "merged", f)).equals(readFileSync(join(dir, "a", f))), f).toBe(true);
    const again = credsim(["merge", "sh1", "sh1", "--out", "dup"]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("sh1: is given twice (also as sh1)");
    cpSync(join(dir, "sh1"), join(dir, "sh1-copy"), { recursive: true });
    const copy = credsim(["merge", "sh1", "sh1-copy", "--out", "dup"]);
    expect(copy.status).toBe(2);
    expect(copy.stderr).toContain("holds shard 1/3, which sh1 holds too");
    const missing = credsim(["merge", "sh1", "sh2", "--out", "part"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe("credsim: merge: shard 3/3 is missing; give every shard's folder, or --partial to merge what is here\n");
    expect(credsim(["merge", "sh1", "sh2", "--out", "part", "--partial"]).status).toBe(0);
    // the partial merge says which shards it holds: merged with the last one, it equals the whole sweep
    const rest = credsim(["merge", "part", "sh3", "--out", "rejoined"]);
    expect(rest.status, rest.stderr).toBe(0);
    for (const f of ["runs.parquet", "groups.parquet"]) expect(readFileSync(join(dir, "rejoined", f)).equals(readFileSync(join(dir, "a", f))), f).toBe(true);
    const overlap = credsim(["merge", "part", "sh2", "--out", "overlap"]);
    expect(overlap.status).toBe(2);
    expect(overlap.stderr).toContain("holds shard 2/3, which part holds too");
    // shards of two splittings of one sweep
    expect(credsim(["sweep", "s.yaml", "--shard", "2/2", "--out", "sh2of2", "--quiet"]).status).toBe(0);
    const mixed = credsim(["merge", "sh1", "sh2of2", "sh3", "--out", "mixed"]);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toContain("sh2of2: holds shard 2/2, of another --shard count than 3");
    const partAlone = credsim(["merge", "part", "--out", "still-part"]);
    expect(partAlone.status).toBe(2);
    expect(partAlone.stderr).toContain("merge: shard 3/3 is missing");
    // an interrupted shard (a run missing) is refused even with --partial; a shard of another version too
    cpSync(join(dir, "sh3"), join(dir, "sh3-cut"), { recursive: true });
    cpSync(join(dir, "sh3"), join(dir, "sh3-old"), { recursive: true });
    await edit(join(dir, "sh3-cut", "sweep.duckdb"), "DELETE FROM runs WHERE run_id = (SELECT max(run_id) FROM runs)");
    await edit(join(dir, "sh3-old", "sweep.duckdb"), "UPDATE sweep SET credsim_version = '0.0.1'");
    for (const extra of [[], ["--partial"]]) {
      const cut = credsim(["merge", "sh1", "sh2", "sh3-cut", "--out", "cut", ...extra]);
      expect(cut.status).toBe(2);
      expect(cut.stderr).toContain("sh3-cut: holds 3 of the 4 runs of shard 3/3: it was interrupted");
    }
    const old = credsim(["merge", "sh1", "sh2", "sh3-old", "--out", "old"]);
    expect(old.status).toBe(2);
    expect(old.stderr).toMatch(/sh3-old: was written by credsim 0\.0\.1, sh1 by \d/);
    // a damaged database: exit 2 naming the folder, for merge and for resume
    cpSync(join(dir, "sh3"), join(dir, "sh3-bad"), { recursive: true });
    writeFileSync(join(dir, "sh3-bad", "sweep.duckdb"), "not a database");
    const badMerge = credsim(["merge", "sh1", "sh2", "sh3-bad", "--out", "bad"]);
    expect(badMerge.status).toBe(2);
    expect(badMerge.stderr).toContain("sh3-bad: its sweep.duckdb cannot be read");
    const badResume = credsim(["sweep", "s.yaml", "--shard", "3/3", "--out", "sh3-bad"]);
    expect(badResume.status).toBe(2);
    expect(badResume.stderr).toContain("sh3-bad: --out: its sweep.duckdb cannot be opened");
    const resumeOld = credsim(["sweep", "s.yaml", "--shard", "3/3", "--out", "sh3-old"]);
    expect(resumeOld.status).toBe(2);
    expect(resumeOld.stderr).toContain("holds a sweep begun by credsim 0.0.1");
  });

  it("the Slurm array script: a task resubmitted alone needs SHARDS, and a shard with failed runs counts as done", () => {
    const script = new URL("../examples/slurm/sweep-array.sbatch", import.meta.url).pathname;
    const project = new URL("..", import.meta.url).pathname;
    writeFileSync(join(dir, "failing.yaml"), "base: reference\nagents: 1000\ndays: 20\nvary:\n  scoring.reversion: [0.01, 1.5]\n");
    const task = (env: Record<string, string>) =>
      spawnSync("bash", [script], { cwd: dir, encoding: "utf8", env: { ...process.env, SWEEP: "failing.yaml", OUT: "slurm", PROJECT: project, ...env } });
    const alone = task({ SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_COUNT: "1" }); // sbatch --array=2
    expect(alone.status).toBe(2);
    expect(alone.stderr).toContain("task 2 of 1 shard(s): give the number of shards");
    const withShards = task({ SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_COUNT: "1", SHARDS: "2" });
    expect(withShards.status, withShards.stderr).toBe(0); // its one run fails (reversion 1.5): recorded, and the task is done
    expect(withShards.stderr).toContain("shard 2/2: some runs failed");
    const noProject = task({ SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_COUNT: "2", PROJECT: dir });
    expect(noProject.status).toBe(2);
    expect(noProject.stderr).toContain(`no credsim in ${dir}`);
  });

  it("exports its tables under names that end in .partial until every one is written", async () => {
    const folder = mkdtempSync(join(tmpdir(), "credsim-export-"));
    writeFileSync(join(folder, "runs.parquet"), "an earlier export");
    const db = await openDatabase(join(folder, "sweep.duckdb"));
    try {
      await db.connection.run("CREATE TABLE runs AS SELECT 'r1' AS run_id, 0.5 AS x");
      // no groups table: the export stops at its second file
      await expect(exportParquet(db.connection, folder, false)).rejects.toThrow(/groups/);
      const exported = () =>
        readdirSync(folder)
          .filter((f) => f.includes(".parquet"))
          .sort();
      expect(exported()).toEqual(["runs.parquet.partial"]);
      await db.connection.run(`CREATE TABLE groups AS SELECT 'r1' AS run_id, 'a' AS "group"`);
      expect(await exportParquet(db.connection, folder, false)).toEqual([join(folder, "runs.parquet"), join(folder, "groups.parquet")]);
      expect(exported()).toEqual(["groups.parquet", "runs.parquet"]);
    } finally {
      db.close();
    }
  });

  it("explains a bad sweep file", async () => {
    writeFileSync(join(dir, "s.yaml"), SWEEP()); // as the first test wrote it, so that this one runs alone too
    writeFileSync(join(dir, "e1.yaml"), SWEEP().replace("listing.enterBelow", "listing.enterBelw"));
    const r1 = credsim(["sweep", "e1.yaml"]);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toMatch(/e1\.yaml:\d+:\d+: vary\.listing\.enterBelw: unknown field in 'listing' 'enterBelw' \(did you mean 'enterBelow'\?\)/);
    writeFileSync(join(dir, "e2.yaml"), SWEEP().replace("design: { type: grid }", "design: { type: lhs }"));
    const r2 = credsim(["sweep", "e2.yaml"]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain("design.samples: required for a lhs design");
    writeFileSync(join(dir, "e5.yaml"), SWEEP().replace(/replicates: \d+/, "replicates: 0"));
    const r7 = credsim(["sweep", "e5.yaml"]);
    expect(r7.status).toBe(2);
    expect(r7.stderr).toMatch(/e5\.yaml:\d+:\d+: replicates: expected a number ≥ 1, got number 0/);
    const r3 = credsim(["sweep", "s.yaml", "--shard", "0/3"]);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toContain("--shard: expected i/N");
    // a typo in a name inside a map of names, and in a kept metric: caught before any run
    writeFileSync(join(dir, "e3.yaml"), SWEEP().replace("sources.camera.falseRate.red-light", "sources.camera.falseRate.red-lite"));
    const r5 = credsim(["sweep", "e3.yaml", "--out", "e3"]);
    expect(r5.status).toBe(2);
    expect(r5.stderr).toMatch(/e3\.yaml:\d+:\d+: vary\.sources\.camera\.falseRate\.red-lite: unknown behaviour 'red-lite'; defined: loan-default, red-light/);
    writeFileSync(join(dir, "e4.yaml"), SWEEP("keep: [total.listedShar]"));
    const r6 = credsim(["sweep", "e4.yaml", "--out", "e4"]);
    expect(r6.status).toBe(2);
    expect(r6.stderr).toContain("keep.0: unknown summary field 'total.listedShar' (did you mean 'total.listedShare'?)");
    // a value that is not a finite number, a text or true/false is named, with its place in the list
    for (const [value, shown] of [
      [".nan", ".nan"],
      ["-.inf", "-.inf"],
      ["~", "an empty value"],
      ["{ a: 1 }", "a mapping"],
    ]) {
      expect(() => parseSweep(`base: reference\nvary:\n  listing.days: [30, ${value}]\n`, "v.yaml")).toThrow(
        `v.yaml:3:3: vary.listing.days: value 2 of the list is ${shown}: expected finite numbers, texts or true/false`,
      );
    }
    // so is what is wrong with a { from, to } range, or with a value that is neither a list nor a range
    for (const [value, message] of [
      ["{ from: .nan, to: 60 }", "from is .nan: expected a finite number"],
      ["{ from: 30, to: -.inf }", "to is -.inf: expected a finite number"],
      ["{ from: 30 }", "a range needs from and to; to is missing"],
      ['{ from: "30", to: 60 }', 'from is the text "30": expected a finite number'],
      ["{ from: 30, to: 60, log: yes }", 'log is the text "yes": expected true or false'],
      ["7", "expected a list of values or { from, to }, got 7"],
      ["{ from: x, to: 60, logg: 1 }", "unknown field in a range 'logg' (did you mean 'log'?)"],
    ]) {
      expect(() => parseSweep(`base: reference\ndesign: { type: random, samples: 2 }\nvary:\n  listing.days: ${value}\n`, "r.yaml")).toThrow(
        `r.yaml:4:3: vary.listing.days: ${message}`,
      );
    }
    // a range over a field of whole numbers needs integer: true, else every run would fail
    const ranged = (range: string) => `base: reference\nagents: 2000\ndays: 30\ndesign: { type: random, samples: 2 }\nvary:\n  listing.days: ${range}\n`;
    writeFileSync(join(dir, "e6.yaml"), ranged("{ from: 30, to: 60 }"));
    const r8 = credsim(["sweep", "e6.yaml", "--out", "e6"]);
    expect(r8.status).toBe(2);
    expect(r8.stderr).toMatch(/e6\.yaml:6:3: vary\.listing\.days: this field takes whole numbers: add integer: true to its range/);
    expect(existsSync(join(dir, "e6"))).toBe(false);
    writeFileSync(join(dir, "e7.yaml"), ranged("{ from: 30, to: 60, integer: true }"));
    const r9 = credsim(["sweep", "e7.yaml", "--out", "e7"]);
    expect(r9.status, r9.stderr).toBe(0);
    expect(r9.stdout).toContain("2 runs done, 0 failed");
    // a variant that will not fit is refused before any run, with the estimate
    writeFileSync(join(dir, "huge.yaml"), "base: court-defaulters\nagents: 1000000000\nvary:\n  listing.days: [100, 200]\n");
    const huge = credsim(["sweep", "huge.yaml", "--out", "huge"]);
    expect(huge.status).toBe(2);
    expect(huge.stderr).toMatch(/huge\.yaml: run \w+-r0: population\.agents: 1,000,000,000 agents need about [\d.]+ GiB .* at most about [\d,]+ agents fit/);
    expect(existsSync(join(dir, "huge"))).toBe(false);
    // unknown fields at their own lines, with a guess; a base that is not there, at its line
    writeFileSync(join(dir, "e8.yaml"), SWEEP().replace("replicates: 2", "replicate: 2").replace("days: 60", "dayz: 60"));
    const r10 = credsim(["sweep", "e8.yaml"]);
    expect(r10.status).toBe(2);
    expect(r10.stderr).toContain("e8.yaml:5:1: unknown field 'replicate' (did you mean 'replicates'?)");
    expect(r10.stderr).toContain("e8.yaml:7:1: unknown field 'dayz' (did you mean 'days'?)");
    writeFileSync(join(dir, "e9.yaml"), SWEEP().replace("base: reference", "base: nosuch.yaml"));
    const r11 = credsim(["sweep", "e9.yaml"]);
    expect(r11.status).toBe(2);
    expect(r11.stderr).toMatch(/e9\.yaml:3:\d+: base: no file .*nosuch\.yaml and no preset/);
    // --out on a folder that is not a sweep's
    const notSweep = credsim(["sweep", "s.yaml", "--out", "e3.yaml"]);
    expect(notSweep.status).toBe(2);
    if (!existsSync(join(dir, "a"))) expect(credsim(["sweep", "s.yaml", "--out", "a", "--quiet"]).status).toBe(0); // the first test's sweep
    // another sweep, one with daily rows, is refused before it writes anything (a daily table left behind broke merge)
    writeFileSync(join(dir, "changed.yaml"), SWEEP("daily: true\n").replace("seed: 5", "seed: 6"));
    const r4 = credsim(["sweep", "changed.yaml", "--out", "a"]);
    expect(r4.status).toBe(2);
    expect(r4.stderr).toContain("this output folder holds a different sweep");
    const db = await DuckDBInstance.create(join(dir, "a", "sweep.duckdb"), { access_mode: "READ_ONLY" });
    const con = await db.connect();
    const tables = (await con.runAndReadAll("SELECT table_name FROM duckdb_tables() ORDER BY table_name")).getRowObjects().map((r) => r.table_name);
    con.closeSync();
    db.closeSync();
    expect(tables).toEqual(["groups", "runs", "sweep"]);
  });
});
