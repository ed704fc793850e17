import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { DailyPoint } from "../report/charts.js";
import { type Arm, compareHtml, compareNotes, compareRows, compareTable } from "../report/compare.js";
import { loadRun, readSummary } from "../report/load.js";
import { writeAtomic } from "../report/write.js";
import { InputError } from "../scenario/errors.js";
import { validateScenario } from "../scenario/load.js";
import type { Scenario } from "../scenario/schema.js";
import { execute } from "../store/execute.js";
import { makeDirs } from "../store/make-dirs.js";
import { checkOutPath } from "../store/out-path.js";
import { checkCanCreate } from "../store/runfolder.js";
import { fmtCount, fmtInt, table } from "./format.js";
import { checkMemory, scenarioWithOverrides } from "./run.js";
import { givenOnCommandLine, intFlag } from "./scenario-arg.js";

export interface CompareFlags {
  replicates?: string;
  agents?: string;
  days?: string;
  seed?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

const isRunFolder = (p: string) => existsSync(p) && statSync(p).isDirectory() && existsSync(join(p, "summary.json"));

/** What an argument names: a run folder, or a scenario checked (file, values, memory) before anything runs. */
type ArmSource = { label: string; folder: string } | { label: string; scenario: Scenario; file: string };

function armSource(arg: string, flags: CompareFlags): ArmSource {
  if (isRunFolder(arg)) return { label: basename(arg.replace(/\/+$/, "")), folder: arg };
  if (existsSync(arg) && statSync(arg).isDirectory()) {
    throw new InputError(arg, [
      { field: "", message: "is a folder but not a run folder (no summary.json); expected a run folder, a scenario YAML file or a preset's name" },
    ]);
  }
  const { scenario, file } = scenarioWithOverrides(arg, { agents: flags.agents, days: flags.days, seed: flags.seed });
  checkMemory(scenario, file);
  return { label: scenario.name, scenario, file };
}

/** An arm from a run folder (one replicate) or a scenario run R times with seeds seed, seed+1, ... shared by every arm. */
async function loadArm(source: ArmSource, replicates: number, progress: (s: string) => void): Promise<Arm> {
  if ("folder" in source) {
    const run = await loadRun(source.folder);
    return { label: source.label, summaries: [run.summary], dailies: [run.daily] };
  }
  const { scenario, file } = source;
  const arm: Arm = { label: source.label, summaries: [], dailies: [] };
  for (let k = 0; k < replicates; k++) {
    progress(`${scenario.name}: replicate ${k + 1} of ${replicates}`);
    const s = validateScenario({ ...scenario, seed: (scenario.seed + k) >>> 0 }, file).scenario;
    const r = await execute(s);
    arm.summaries.push(r.summary);
    arm.dailies.push(r.tables.daily as unknown as DailyPoint[]);
  }
  return arm;
}

export async function compareCommand(args: string[], flags: CompareFlags): Promise<void> {
  if (args.length < 2) throw new InputError(args[0] ?? "compare", [{ field: "", message: "compare needs two or more run folders or scenarios" }]);
  const replicates = intFlag("--replicates", flags.replicates, 1, 1000) ?? 5;
  // Every argument, the labels and the output folder are checked before any run,
  // so a mistake in the last argument does not cost the runs of the first.
  const sources = args.map((a) => armSource(a, flags));
  const labels = new Set<string>();
  sources.forEach((a, i) => {
    if (labels.has(a.label)) a.label = `${a.label} (${i + 1})`;
    labels.add(a.label);
  });
  warnAboutFolders(sources, flags);
  const out = flags.out ?? join("compare", sources.map((a) => a.label.replace(/[^A-Za-z0-9_-]+/g, "_")).join("-vs-"));
  checkOutPath(out);
  checkCompareFolder(out);
  const tty = !flags.quiet && !flags.json && process.stderr.isTTY;
  const progress = (s: string) => {
    if (tty) process.stderr.write(`\r\x1b[2K${s}`);
  };
  const arms: Arm[] = [];
  for (const a of sources) arms.push(await loadArm(a, replicates, progress));
  if (tty) process.stderr.write("\r\x1b[2K");
  const rows = compareRows(arms);
  makeDirs(out);
  writeAtomic(join(out, "compare.html"), compareHtml(arms, rows));
  writeAtomic(
    join(out, "compare.json"),
    `${JSON.stringify({ arms: arms.map((a) => ({ label: a.label, replicates: a.summaries.length, seeds: a.summaries.map((s) => s.seed) })), rows }, null, 2)}\n`,
  );
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (flags.quiet) return;
  const cells = compareTable(arms, rows);
  process.stdout.write(`${table(cells)}\n\n${[...compareNotes(cells), `Report: ${join(out, "compare.html")}`].join(" ")}\n`);
}

const COMPARE_FILES = new Set(["compare.html", "compare.json"]);

/** A compare folder is new, empty, or an earlier compare's: never someone else's files overwritten. */
function checkCompareFolder(out: string): void {
  if (!existsSync(out)) {
    checkCanCreate(out);
    return;
  }
  if (!statSync(out).isDirectory()) throw new InputError(out, [{ field: "--out", message: "is a file; expected a folder for compare.html and compare.json" }]);
  const foreign = readdirSync(out)
    .filter((name) => !COMPARE_FILES.has(name))
    .sort();
  if (foreign.length > 0) {
    throw new InputError(out, [
      {
        field: "--out",
        message: `the folder holds files other than an earlier compare's (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}); choose another --out`,
      },
    ]);
  }
}

/** Run folders keep their own population, horizon and seed: say so when flags or the other arms suggest otherwise. */
function warnAboutFolders(sources: ArmSource[], flags: CompareFlags): void {
  if (flags.quiet || flags.json) return;
  const folders = sources.filter((a) => "folder" in a);
  if (folders.length === 0) return;
  const ignored = ["--agents", "--days", "--seed", "--replicates"].filter(givenOnCommandLine);
  if (ignored.length > 0)
    process.stderr.write(
      `warning: ${ignored.join(", ")} ${ignored.length > 1 ? "apply" : "applies"} to scenarios only; a run folder (${folders.map((a) => a.label).join(", ")}) is compared as it was run\n`,
    );
  const size = (a: ArmSource) => {
    const { agents, days } = "folder" in a ? readSummary(a.folder) : { agents: a.scenario.population.agents, days: a.scenario.days };
    return `${fmtInt(agents)} agents × ${fmtCount(days, "day")}`;
  };
  const sizes = new Set(sources.map(size));
  if (sizes.size > 1)
    process.stderr.write(`warning: the arms differ in size (${[...sizes].join("; ")}): their differences mix the policy with the population\n`);
}
