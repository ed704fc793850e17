import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";

// The CLI as a user runs it: the built bin, real files, exit codes, messages.

const bin = new URL("../bin/credsim.js", import.meta.url).pathname;
let dir: string;

function credsim(args: string[], opts: { cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: opts.cwd ?? dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const GOOD = `
name: tiny
days: 60
population: { agents: 2000, groups: [{ name: a, share: 0.5 }, { name: b, share: 0.5 }] }
behaviours:
  theft: { kind: violation, base: 0.002 }
sources:
  police: { detect: { theft: 0.7 }, falseRate: { theft: 0.001 }, groupFalseMult: { b: 3 } }
scoring: { points: { theft: -100 } }
`;

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "credsim-cli-"));
});

describe("credsim validate: bad input gets file, line, field and exit 2", () => {
  const cases: [string, string, RegExp][] = [
    [
      "more listing domains than the engine holds (an internal error before)",
      `extends: reference\nbehaviours:\n${[1, 2, 3, 4, 5, 6, 7, 8].map((k) => `  b${k}: { kind: violation, base: 0.001, domain: d${k} }`).join("\n")}\n`,
      /bad\.yaml:\d+:\d+: behaviours\.b\d\.domain: domain 'd\d' is one too many: at most 8 domains \(including 'general'\) are supported/,
    ],
    [
      "unknown field with a suggestion",
      GOOD.replace("base: 0.002", "base: 0.002, deterr: 0.5"),
      /bad\.yaml:6:\d+: behaviours\.theft\.deterr: unknown field 'deterr' \(did you mean 'deter'\?\)/,
    ],
    ["wrong type", GOOD.replace("base: 0.002", 'base: "often"'), /bad\.yaml:6:\d+: behaviours\.theft\.base: expected a number, got the text "often"/],
    [
      "shares that do not sum to 1",
      GOOD.replace("share: 0.5 }] }", "share: 0.4 }] }"),
      /bad\.yaml:4:\d+: population\.groups: group shares must sum to 1, they sum to 0\.9/,
    ],
    [
      "probability above 1",
      GOOD.replace("detect: { theft: 0.7 }", "detect: { theft: 1.7 }"),
      /bad\.yaml:8:\d+: sources\.police\.detect\.theft: expected a number ≤ 1, got number 1\.7/,
    ],
    [
      "probability below 0",
      GOOD.replace("falseRate: { theft: 0.001 }", "falseRate: { theft: -0.001 }"),
      /sources\.police\.falseRate\.theft: expected a number ≥ 0/,
    ],
    [
      "behaviour referenced but not defined",
      GOOD.replace("points: { theft: -100 }", "points: { theft: -100, fraud: -5 }"),
      /bad\.yaml:9:\d+: scoring\.points\.fraud: unknown behaviour 'fraud'; defined: theft/,
    ],
    [
      "restriction blocking an undefined behaviour",
      `${GOOD}restrictions:\n  travel: { blocks: [flying] }\n`,
      /restrictions\.travel\.blocks\.0: unknown behaviour 'flying'/,
    ],
    ["YAML syntax", `${GOOD}\n  : : [\n`, /bad\.yaml:\d+:\d+: YAML syntax/],
  ];
  for (const [what, text, pattern] of cases) {
    it(what, () => {
      const file = write("bad.yaml", text);
      const r = credsim(["validate", file]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stdout).toBe("");
    });
  }

  // what depends on the machine that runs a file: validate warns and calls it valid, run refuses it
  const tooLarge: [string, string, RegExp][] = [
    [
      "a network with more tie ends than 32-bit offsets reach",
      GOOD.replace("agents: 2000,", "agents: 300000000, network: { degree: 10 },"),
      /population\.network\.degree: 300,000,000 agents × degree 10 is more tie ends than one network can hold \(2,147,483,647\); with this degree at most 214,748,364 agents \(or split them into regions\)/,
    ],
    [
      "a population too large for memory",
      `${GOOD.replace("agents: 2000,", "agents: 1000000000,")}appeals: {}\n`,
      /population\.agents: 1,000,000,000 agents need about [\d.]+ GiB .* at most about [\d,]+ agents fit/,
    ],
  ];
  for (const [what, text, pattern] of tooLarge) {
    it(`${what}: validate warns, run refuses`, () => {
      const file = write("large.yaml", text);
      const v = credsim(["validate", file]);
      expect(v.code, v.stderr).toBe(0);
      expect(v.stderr).toMatch(new RegExp(`warning: .*large\\.yaml: ${pattern.source}`));
      expect(v.stdout).toContain("large.yaml: valid");
      const r = credsim(["run", file, "--out", "large"]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stdout).toBe("");
      expect(existsSync(join(dir, "large"))).toBe(false);
    });
  }

  it("--verbose adds the stack trace", () => {
    const file = write("bad.yaml", GOOD.replace("base: 0.002", "base: 2"));
    const r = credsim(["validate", file, "--verbose"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it("a binary file gets one line, not its bytes", () => {
    const file = join(dir, "data.parquet");
    writeFileSync(file, Buffer.from([0x50, 0x41, 0x52, 0x31, 0x00, 0x15, 0x04, 0x0a, 0xff, 0x00]));
    const r = credsim(["validate", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`credsim: ${file}: is not a text file (it holds binary data); expected a scenario YAML file\n`);
  });

  it("reads /dev/stdin when standard input is a socket, as a program's piped stdio is", () => {
    // Node gives a child's piped stdio as a socket pair, which cannot be opened as /dev/stdin
    const r = spawnSync(process.execPath, [bin, "validate", "/dev/stdin"], { cwd: dir, encoding: "utf8", input: GOOD });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("/dev/stdin: valid");
  });

  it("folders, several YAML documents and a scenario given as a region set get plain, located errors", () => {
    mkdirSync(join(dir, "afolder.yaml"), { recursive: true });
    const asRegions = credsim(["run", "reference", "--regions", "afolder.yaml", "--agents", "5000"]);
    expect(asRegions.code).toBe(2);
    expect(asRegions.stderr).toBe("credsim: afolder.yaml: is a folder; expected a region set YAML file\n");
    const asSweep = credsim(["sweep", "afolder.yaml"]);
    expect(asSweep.code).toBe(2);
    expect(asSweep.stderr).toBe("credsim: afolder.yaml: is a folder; expected a sweep YAML file\n");
    const multi = credsim(["validate", write("multi.yaml", "name: a\n---\nname: b\n")]);
    expect(multi.code).toBe(2);
    expect(multi.stderr).toContain("multi.yaml:2:1: YAML syntax: a second YAML document starts here ('---')");
    // each unknown field on its own line, where it is
    const scenarioAsRegions = credsim(["run", "reference", "--regions", write("notregions.yaml", "name: x\nregions: []\ndays: 3\nseed: 4\n")]);
    expect(scenarioAsRegions.code).toBe(2);
    expect(scenarioAsRegions.stderr).toContain("notregions.yaml:3:1: unknown field 'days'");
    expect(scenarioAsRegions.stderr).toContain("notregions.yaml:4:1: unknown field 'seed'");
  });

  it("an option given twice, a malformed number or a mistyped option: a short error, exit 2", () => {
    const twice = credsim(["run", "reference", "--agents", "2000", "--agents", "3000"]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe("credsim: --agents: given twice ('2000' and '3000'); give it once\n");
    for (const bad of ["_1000", "1000_", "1__000", "1000.0", "+1000"]) {
      const r = credsim(["run", "reference", "--agents", bad, "--out", "never"]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toBe(`credsim: --agents: expected an integer from 10 to 100,000,000,000, got '${bad}'\n`);
    }
    const typo = credsim(["run", "--agent", "2000"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr.trim().split("\n").length).toBeLessThanOrEqual(3); // not the whole help
    expect(typo.stderr).toContain("--agents");
  });

  it("--track with --regions is refused, and follow says why a regional run followed nobody", () => {
    const r = credsim(["run", "national-outline", "--regions", "china-31", "--agents", "5000", "--track", "50", "--out", "reg-track"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--track: a run with --regions follows nobody");
    const run = credsim(["run", "national-outline", "--regions", "china-31", "--agents", "5000", "--days", "1", "--track", "0", "--out", "reg-notrack"]);
    expect(run.code, run.stderr).toBe(0);
    // its first line names the run as a single run's does: its hash and credsim's version
    const summary = JSON.parse(readFileSync(join(dir, "reg-notrack", "summary.json"), "utf8"));
    expect(run.stdout.split("\n")[0]).toMatch(
      new RegExp(`in 31 regions \\(.*\\) — 5,000 agents, 1 day, seed \\d+ \\(regional run ${summary.scenarioHash}, credsim ${summary.credsimVersion}\\)$`),
    );
    const f = credsim(["follow", "reg-notrack"]);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain("a run with --regions does not");
  });

  it("a missing file suggests a preset", () => {
    const r = credsim(["run", "referense"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("referense: no such file, and no preset of that name (did you mean 'reference'?)");
  });

  it("a bad flag value", () => {
    const r = credsim(["run", "reference", "--agents", "many"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--agents: expected an integer from 10 to 100,000,000,000, got 'many'");
  });

  it("a value that only an option makes invalid is located in the file and names the option", () => {
    const r = credsim(["run", "national-outline-breach", "--days", "100", "--agents", "1000", "--out", "breach-short"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /national-outline-breach\.yaml:\d+:\d+: breach\.day: expected a day before the end of the run \(0 to 99\), got \d+ \(with --agents 1000, --days 100\)/,
    );
  });

  it("accepts a good file and every preset", () => {
    expect(credsim(["validate", write("good.yaml", GOOD)]).code).toBe(0);
    for (const p of readdirSync(new URL("../presets/", import.meta.url).pathname).filter((f) => f.endsWith(".yaml"))) {
      const r = credsim(["validate", p.replace(".yaml", "")]);
      expect(r.code, `${p}: ${r.stderr}`).toBe(0);
    }
  });
});

describe("credsim run", () => {
  it("writes the run folder, stamped, and no output folder when input is bad", () => {
    const file = write("good.yaml", GOOD);
    const r = credsim(["run", file, "--out", "out/good", "--seed", "3"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("listed (last day)");
    const out = join(dir, "out/good");
    expect(readdirSync(out).sort()).toEqual(["credsim.duckdb", "daily.parquet", "report.html", "scenario.yaml", "summary.json"]);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    for (const k of ["agents", "days", "seed", "scenarioHash", "credsimVersion", "ratios", "chilling", "deterrence"]) expect(summary).toHaveProperty(k);
    for (const k of [
      "agents",
      "listed",
      "listedShare",
      "wrongfullyListed",
      "wrongfulShareOfListed",
      "fpr",
      "precision",
      "recall",
      "shadowListedShare",
      "sanctionDays",
      "wrongfulSanctionDays",
      "spilloverSanctionDays",
      "deniedAttempts",
    ]) {
      expect(summary.groups.b).toHaveProperty(k);
    }
    expect(summary.seed).toBe(3);
    expect(readFileSync(join(out, "scenario.yaml"), "utf8")).toContain(`scenario hash ${summary.scenarioHash}, seed 3`);

    const bad = write("bad2.yaml", GOOD.replace("base: 0.002", "base: 5"));
    const r2 = credsim(["run", bad, "--out", "out/bad"]);
    expect(r2.code).toBe(2);
    expect(existsSync(join(dir, "out/bad"))).toBe(false);
    expect(readdirSync(join(dir, "out"))).toEqual(["good"]);
  });

  it("stores runs, daily, groups tables in DuckDB and the daily series in Parquet", async () => {
    const out = join(dir, "out/db");
    expect(credsim(["run", write("good.yaml", GOOD), "--out", out, "--quiet"]).code).toBe(0);
    const instance = await DuckDBInstance.create(join(out, "credsim.duckdb"), { access_mode: "READ_ONLY" });
    const con = await instance.connect();
    const one = async (q: string) => (await con.runAndReadAll(q)).getRowObjects()[0];
    expect(await one("select count(*)::int as n from runs")).toEqual({ n: 1 });
    expect(await one("select count(*)::int as n from daily")).toEqual({ n: 120 });
    expect(await one("select count(*)::int as n from groups")).toEqual({ n: 2 });
    const run = await one("select seed::int as seed, credsim_version, scenario_hash from runs");
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(run).toEqual({ seed: summary.seed, credsim_version: summary.credsimVersion, scenario_hash: summary.scenarioHash });
    const parquet = await one(`select count(*)::int as n, max(day)::int as last from '${join(out, "daily.parquet")}'`);
    expect(parquet).toEqual({ n: 120, last: 59 });
    const listed = await one(`select listed from daily where day = 59 and "group" = 'b'`);
    expect(listed.listed).toBe(summary.groups.b.listed);
    const theft = await one(`select sum(occurrences)::int as occ, min(reduction) as reduction from behaviours where behaviour = 'theft'`);
    expect(theft.reduction).not.toBeNull(); // 120 thefts expected per group: estimated
    con.closeSync();
    instance.closeSync();
    // 2 expected per group: no estimate, in the table as in summary.json
    const short = join(dir, "out/db-short");
    expect(credsim(["run", join(dir, "good.yaml"), "--days", "2", "--out", short, "--quiet"]).code).toBe(0);
    const db = await DuckDBInstance.create(join(short, "credsim.duckdb"), { access_mode: "READ_ONLY" });
    const c2 = await db.connect();
    const rows = (await c2.runAndReadAll("select reduction from behaviours")).getRowObjects();
    expect(rows.map((r) => r.reduction)).toEqual([null, null]);
    expect(JSON.parse(readFileSync(join(short, "summary.json"), "utf8")).deterrence.theft).toBeNull();
    c2.closeSync();
    db.closeSync();
  });

  it("gives byte-identical outputs for one seed whatever the thread count", async () => {
    expect(credsim(["run", "reference", "--agents", "40000", "--days", "120", "--threads", "1", "--out", "t1", "--quiet"]).code).toBe(0);
    expect(credsim(["run", "reference", "--agents", "40000", "--days", "120", "--threads", "2", "--out", "t2", "--quiet"]).code).toBe(0);
    for (const f of ["summary.json", "scenario.yaml", "daily.parquet", "report.html"]) {
      expect(readFileSync(join(dir, "t1", f)).equals(readFileSync(join(dir, "t2", f))), f).toBe(true);
    }
    // the followed people and their histories too (threads take blocks of agents; events are merged in agent order)
    const rows = async (run: string, q: string) => {
      const instance = await DuckDBInstance.create(join(dir, run, "credsim.duckdb"), { access_mode: "READ_ONLY" });
      const con = await instance.connect();
      const out = JSON.stringify((await con.runAndReadAll(q)).getRowObjects(), (_k, v) => (typeof v === "bigint" ? String(v) : v));
      con.closeSync();
      return out;
    };
    for (const q of ["select * from history order by seq", "select * from followed order by agent"]) {
      const one = await rows("t1", q);
      expect(one.length).toBeGreaterThan(100);
      expect(await rows("t2", q), q).toBe(one);
    }
  });

  it("says what the mobility figure counts: those who ended above both bottom tiers", () => {
    const r = credsim(["run", "fused-city", "--agents", "3000", "--days", "60", "--out", "mobility"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/of those in the two lowest tiers at day 30, [\d.]+ % ended above both/);
  });

  it("--json prints the summary", () => {
    const r = credsim(["run", write("good.yaml", GOOD), "--out", "out/json", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).groups.a.agents).toBe(1000);
  });

  it("an --out that cannot be made exits 2 before the run, without hanging", () => {
    // Node's own recursive mkdir spins forever below a dangling link or under /proc
    symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
    const cases: [string, string][] = [
      ["dangling/run", "dangling (a symbolic link to a path that does not exist)"],
      ["dangling", "is a symbolic link to a path that does not exist"],
      ["good.yaml/run", "is a file; expected a folder"],
    ];
    if (existsSync("/proc/self")) cases.push(["/proc/credsim-run", "cannot create a folder in /proc"]);
    for (const [out, message] of cases) {
      const r = spawnSync(process.execPath, [bin, "run", write("good.yaml", GOOD), "--out", out, "--quiet"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
      expect(r.status, out).toBe(2);
      expect(r.stderr).toContain("--out");
      expect(r.stderr).toContain(message);
    }
  });

  it("refuses to overwrite a folder that is not a run folder", () => {
    mkdirSync(join(dir, "precious"), { recursive: true });
    writeFileSync(join(dir, "precious", "thesis.tex"), "...");
    const r = credsim(["run", write("good.yaml", GOOD), "--out", "precious"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not a credsim run folder");
    expect(readdirSync(join(dir, "precious"))).toEqual(["thesis.tex"]);
  });

  it("replaces an earlier run folder, but not one holding files credsim did not write", () => {
    expect(credsim(["run", write("good.yaml", GOOD), "--out", "again", "--quiet"]).code).toBe(0);
    expect(credsim(["run", write("good.yaml", GOOD), "--out", "again", "--quiet", "--seed", "3"]).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "again", "summary.json"), "utf8")).seed).toBe(3);
    writeFileSync(join(dir, "again", "notes.txt"), "mine");
    mkdirSync(join(dir, "again", "analysis"));
    const r = credsim(["run", write("good.yaml", GOOD), "--out", "again", "--quiet"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("files credsim did not write (analysis, notes.txt)");
    expect(readFileSync(join(dir, "again", "notes.txt"), "utf8")).toBe("mine");
  });

  it("an --out that is empty, the current folder or a folder holding it is refused by every command, and nothing is deleted", () => {
    const here = join(dir, "cwd-guard");
    mkdirSync(join(here, "precious"), { recursive: true });
    writeFileSync(join(here, "precious", "thesis.txt"), "keep");
    const inHere = (args: string[]) => credsim(args, { cwd: here });
    const commands = [
      ["run", "reference", "--agents", "1000", "--quiet"],
      ["run", "reference", "--regions", "china-31", "--agents", "5000", "--quiet"],
      ["compare", "reference", "midas", "--agents", "1000", "--replicates", "1", "--quiet"],
      ["sweep", new URL("../examples/sweep-review.yaml", import.meta.url).pathname, "--quiet"],
      ["merge", "a", "b", "--quiet"],
    ];
    const cases = [...commands.map((args) => [args, ""] as const), ...[".", "..", here].map((out) => [commands[0], out] as const)];
    for (const [args, out] of cases) {
      const r = inHere([...args, "--out", out]);
      expect(r.code, `${args[0]} --out '${out}': ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/--out: is (empty|the current folder)/);
    }
    expect(readdirSync(here)).toEqual(["precious"]);
    expect(readFileSync(join(here, "precious", "thesis.txt"), "utf8")).toBe("keep");
  });

  it("a folder whose summary.json credsim did not write is not taken for a run folder", () => {
    mkdirSync(join(dir, "lookalike"));
    writeFileSync(join(dir, "lookalike", "summary.json"), '{"mine": true}');
    const r = credsim(["run", "reference", "--agents", "1000", "--out", "lookalike", "--quiet"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not a credsim run folder");
    expect(readFileSync(join(dir, "lookalike", "summary.json"), "utf8")).toBe('{"mine": true}');
  });

  it("compare --out refuses a folder holding other files, before running anything", () => {
    mkdirSync(join(dir, "mine"), { recursive: true });
    writeFileSync(join(dir, "mine", "important.txt"), "keep");
    const r = credsim(["compare", "reference", "city-cameras", "--agents", "1000", "--replicates", "1", "--out", "mine", "--quiet"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("important.txt");
    expect(readdirSync(join(dir, "mine"))).toEqual(["important.txt"]);
  });

  it("more threads than cores: a warning, and the cores' number of threads", () => {
    const r = credsim(["run", "reference", "--agents", "20000", "--threads", "200", "--out", "t200"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: --threads 200: this machine has \d+ cores; using at most \d+ threads \(the results are the same\)\n/);
    expect(r.stdout).not.toContain("on 200 threads");
    // agents that interact run on one thread: the warning says "at most", the end says why
    const fused = credsim(["run", "fused-city", "--agents", "3000", "--days", "30", "--threads", "200", "--out", "f200"]);
    expect(fused.code, fused.stderr).toBe(0);
    expect(fused.stdout).toContain("on 1 thread (agents in this scenario interact: below 524,288 agents they run on one thread)");
    expect(fused.stderr).not.toMatch(/running on \d+ threads/);
  });

  it("a large run of interacting agents on two threads builds its network and runs its days on two, with the same results", () => {
    // 2^19 agents: the smallest population whose network is built on two threads
    // (HELPER_FROM_AGENTS) and whose days run on two lanes (LANES_FROM_AGENTS)
    const r = credsim(["run", "fused-city", "--agents", "524288", "--days", "2", "--threads", "2", "--no-report", "--out", "net2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("on 2 threads;");
    const one = credsim(["run", "fused-city", "--agents", "524288", "--days", "2", "--threads", "1", "--no-report", "--out", "net1"]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).not.toContain("network was built");
    for (const f of ["summary.json", "daily.parquet"]) expect(readFileSync(join(dir, "net2", f)).equals(readFileSync(join(dir, "net1", f))), f).toBe(true);
  });

  it("output piped into a reader that closes early ends quietly", () => {
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${bin}" schema | (exec 0<&-; sleep 0.3)`], { cwd: dir, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("interrupted, leaves no folder that looks complete", async () => {
    // into folders that do not exist yet: the interrupted run removes the ones it made
    const child = spawn(process.execPath, [bin, "run", "reference", "--agents", "30000000", "--out", "killed-parent/deeper/killed", "--quiet"], { cwd: dir });
    await new Promise((r) => setTimeout(r, 2500));
    const sent = Date.now();
    child.kill("SIGINT");
    const code = await new Promise((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(130);
    expect(Date.now() - sent).toBeLessThan(3000); // Ctrl-C stops it at once
    expect(readdirSync(dir).filter((f) => f.startsWith("killed"))).toEqual([]);
    // interrupted while writing its folder: the partial folder and the parents it made go too
    const writer = spawn(process.execPath, [bin, "run", "fused-city", "--agents", "50000", "--out", "writing-parent/w", "--quiet"], { cwd: dir });
    const exited = new Promise<number | null>((r) => writer.on("exit", (c) => r(c)));
    let writing = false;
    for (let k = 0; k < 3000 && !writing && writer.exitCode === null; k++) {
      await new Promise((r) => setTimeout(r, 5));
      writing = existsSync(join(dir, "writing-parent")) && readdirSync(join(dir, "writing-parent")).some((f) => f.includes(".partial-"));
    }
    expect(writing).toBe(true); // caught while writing (the write takes far longer than 5 ms)
    writer.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(existsSync(join(dir, "writing-parent"))).toBe(false);
  });

  it("validates several files at once, each reported, failing if any is invalid", () => {
    const good = write("ok1.yaml", GOOD);
    const bad = write("bad1.yaml", GOOD.replace("days: 60", "days: -1"));
    const both = credsim(["validate", good, "midas"]);
    expect(both.code, both.stderr).toBe(0);
    expect(both.stdout.trim().split("\n")).toHaveLength(2);
    // one of a thing is not "1 days"
    const oneDay = credsim(["validate", write("one-day.yaml", GOOD.replace("days: 60", "days: 1"))]);
    expect(oneDay.stdout).toMatch(/, 1 day\n$/);
    const mixed = credsim(["validate", bad, good]);
    expect(mixed.code).toBe(2);
    expect(mixed.stdout).toContain("ok1.yaml: valid");
    expect(mixed.stderr).toContain("bad1.yaml");
  });

  it("validates a population too large for one process, with a warning, and run refuses it", () => {
    // a country of 1.4 billion is a valid file: it runs as regions (--regions), not in one process
    const country = write("country.yaml", "extends: reference\npopulation:\n  agents: 1409778724\n");
    const v = credsim(["validate", country]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain("country.yaml: valid — 1,409,778,724 agents");
    const limit = "population.agents: 1,409,778,724 agents in one process; one holds at most 1,000,000,000";
    expect(v.stderr).toContain(`warning: ${country}: ${limit}`);
    const r = credsim(["run", country, "--out", "country"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(limit);
    expect(existsSync(join(dir, "country"))).toBe(false);
  });

  it("validates sweep files and region sets as sweep and --regions read them", () => {
    const root = new URL("..", import.meta.url).pathname;
    const ok = credsim(["validate", join(root, "examples/sweep-review.yaml"), join(root, "presets/regions/china-31.yaml")]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("sweep-review.yaml: valid sweep — 9 variants × 3 replicates = 27 runs of city-cameras");
    expect(ok.stdout).toContain("china-31.yaml: valid region set — china-31, 31 regions");
    const typo = credsim(["validate", write("typo-sweep.yaml", "base: reference\nvary:\n  listing.dayz: [30, 60]\n")]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("typo-sweep.yaml:3:3: vary.listing.dayz: unknown field in 'listing' 'dayz' (did you mean 'days'?)");
    // a built-in region set by its name, as --regions takes it
    const builtIn = credsim(["validate", "china-31"]);
    expect(builtIn.code, builtIn.stderr).toBe(0);
    expect(builtIn.stdout).toMatch(/china-31\.yaml: valid region set — china-31, 31 regions\n$/);
    // what a file is comes from the fields that say it: a scenario that extends a preset is a scenario, stray fields and all
    const stray = credsim(["validate", write("stray.yaml", "extends: reference\nregions:\n  - { name: a, share: 1 }\n")]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/stray\.yaml:2:1: regions: unknown field 'regions'; allowed: name,/);
    // and a sweep names its base, even with vary misspelt
    const varry = credsim(["validate", write("varry.yaml", "base: reference\nvarry:\n  listing.days: [30, 60]\n")]);
    expect(varry.code).toBe(2);
    expect(varry.stderr).toContain("unknown field 'varry' (did you mean 'vary'?)");
    // a sweep whose variants will not fit: a warning, as for a scenario (sweep refuses it)
    const big = write("big-sweep.yaml", "base: fused-city\nagents: 900000000\ndays: 5\nvary:\n  listing.days: [30, 60]\n");
    const bigV = credsim(["validate", big]);
    expect(bigV.code, bigV.stderr).toBe(0);
    expect(bigV.stderr).toMatch(/^warning: .*big-sweep\.yaml: run \w+-r0: population\.network\.degree: 900,000,000 agents × degree 10 is more tie ends/);
    const bigS = credsim(["sweep", big, "--out", "big-sweep"]);
    expect(bigS.code).toBe(2);
    expect(existsSync(join(dir, "big-sweep"))).toBe(false);
    const file = write("shares.yaml", "name: s\nregions:\n  - { name: a, share: 0.5 }\n  - { name: b, share: 0.6 }\n");
    const shares = credsim(["validate", file]);
    expect(shares.code).toBe(2);
    expect(shares.stderr).toBe(`credsim: ${file}:2:1: regions: shares must sum to 1, got 1.1\n`);
  });

  it("a group whose share rounds to no agents is warned of, and its shares are null, not 0", () => {
    const file = write(
      "empty-group.yaml",
      GOOD.replace(
        "agents: 2000, groups: [{ name: a, share: 0.5 }, { name: b, share: 0.5 }]",
        "agents: 10, groups: [{ name: a, share: 0.96 }, { name: b, share: 0.04 }]",
      ),
    );
    const v = credsim(["validate", file]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).toMatch(/empty-group\.yaml:\d+:\d+: population\.groups\.1: group 'b' gets none of the 10 agents \(share 0\.04\)/);
    const r = credsim(["run", file, "--json", "--out", "empty-group"]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.groups.b.agents).toBe(0);
    for (const k of ["listedShare", "everListedShare", "shadowListedShare", "recordsPerPerson", "meanScore", "fpr"]) expect(s.groups.b[k], k).toBeNull();
    expect(s.ratios.b.listedShare).toBeNull();
    expect(s.groups.a.listedShare).not.toBeNull();
    // emptied by --agents rather than by the file: warned of all the same
    const roomy = write(
      "roomy-group.yaml",
      GOOD.replace("groups: [{ name: a, share: 0.5 }, { name: b, share: 0.5 }]", "groups: [{ name: a, share: 0.96 }, { name: b, share: 0.04 }]"),
    );
    const shrunk = credsim(["run", roomy, "--agents", "10", "--out", "roomy-group", "--quiet"]);
    expect(shrunk.code, shrunk.stderr).toBe(0);
    const loud = credsim(["run", roomy, "--agents", "10", "--out", "roomy-group"]);
    expect(loud.stderr).toMatch(/roomy-group\.yaml:\d+:\d+: population\.groups\.1: group 'b' gets none of the 10 agents/);
  });

  it("regions: more shards than regions, or more workers than cores, are said so", () => {
    const shards = credsim(["run", "reference", "--regions", "china-31", "--agents", "5000", "--shard", "35/40", "--out", "sh35"]);
    expect(shards.code).toBe(2);
    expect(shards.stderr).toContain("40 shards for 31 regions");
    const workers = credsim(["run", "reference", "--regions", "china-31", "--agents", "5000", "--workers", "99", "--track", "0", "--out", "w99"]);
    expect(workers.code, workers.stderr).toBe(0);
    expect(workers.stderr).toMatch(/^warning: --workers 99: this machine has \d+ cores?; running \d+ process(es)? at a time/);
    // a sweep's --workers too
    const sweepFile = write("w99.yaml", "base: reference\nagents: 2000\ndays: 5\nvary:\n  listing.days: [30, 60]\n");
    const sweep = credsim(["sweep", sweepFile, "--workers", "99", "--out", "w99-sweep"]);
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(sweep.stderr).toMatch(/^warning: --workers 99: this machine has \d+ cores?; running \d+ process(es)? at a time/);
    writeFileSync(join(dir, "afile"), "x");
    const merge = credsim(["merge", "w99", "--out", "afile"]);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toContain("afile: --out: is a file");
  });

  it("prints the JSON Schema and the presets", () => {
    const schema = JSON.parse(credsim(["schema"]).stdout);
    expect(schema.properties.behaviours).toBeDefined();
    const presets = credsim(["presets"]);
    expect(presets.stdout).toContain("reference");
    expect(presets.stdout).toContain("fused-city (default)");
  });
});

describe("credsim lab: bad flags and a busy port exit 2 with a message", () => {
  it("rejects a port that is not a port number", () => {
    const r = credsim(["lab", "--port", "99999", "--no-build"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("credsim: --port: expected an integer from 0 to 65,535, got '99999'\n");
  });

  it("refuses a port already in use, naming it", async () => {
    const { createServer } = await import("node:net");
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as { port: number }).port;
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, "lab", "--port", String(port), "--no-build"], { cwd: dir });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      child.on("exit", (code) => resolve({ code, stderr }));
    });
    busy.close();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${port} is in use; choose another with --port`);
  });
});
