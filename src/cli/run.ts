import { availableParallelism } from "node:os";
import { LANES_FROM_AGENTS } from "../engine/day-thread.node.js";
import { hugePageTunable } from "../engine/hugepages.node.js";
import { estimateMemory, largestFitting, type MemoryEstimate } from "../engine/memory.js";
import { compileModel } from "../engine/model.js";
import { MAX_TIE_ENDS } from "../engine/network.js";
import { isSeparable } from "../engine/simulate.js";
import { runDataFromTables } from "../report/rundata.js";
import { buildReport } from "../report/write.js";
import { formatProblems, InputError } from "../scenario/errors.js";
import { validateScenario } from "../scenario/load.js";
import type { Scenario } from "../scenario/schema.js";
import { execute } from "../store/execute.js";
import { checkOutPath } from "../store/out-path.js";
import { checkOutFolder, resolvedScenarioYaml, writeRunFolder } from "../store/runfolder.js";
import { fmtBytes, fmtCount, fmtInt, progressBar, summaryTable } from "./format.js";
import { memoryBound, usableMemory } from "./memory-limit.js";
import { rerunWithHugePages, shouldRestartWithHugePages } from "./rerun.js";
import { givenOnCommandLine, intFlag, loadScenarioArg } from "./scenario-arg.js";

export interface RunFlags {
  agents?: string;
  days?: string;
  seed?: string;
  out?: string;
  threads?: string;
  quiet?: boolean;
  json?: boolean;
  report?: boolean;
  track?: string;
}

/** Scenario from a file or preset with the command-line overrides applied and checked. */
export function scenarioWithOverrides(arg: string | undefined, flags: RunFlags): { scenario: Scenario; file: string; text: string; warnings: string[] } {
  const { scenario, file, text, warnings, source } = loadScenarioArg(arg);
  const agents = intFlag("--agents", flags.agents, 10, 1e11);
  const days = intFlag("--days", flags.days, 1, 100_000);
  const seed = intFlag("--seed", flags.seed, 0, 2 ** 32 - 1);
  const copy: Scenario = structuredClone(scenario);
  if (agents !== undefined) copy.population.agents = agents;
  if (days !== undefined) copy.days = days;
  if (seed !== undefined) copy.seed = seed;
  try {
    const checked = validateScenario(copy, file, source);
    // the options can cause warnings the file alone does not (a group --agents leaves empty)
    const overridden = agents !== undefined || days !== undefined || seed !== undefined;
    const all = overridden ? (checked.warnings.length ? formatProblems(file, checked.warnings).split("\n") : []) : warnings;
    return { scenario: checked.scenario, file, text, warnings: all };
  } catch (error) {
    // the file was valid as written: say which option made it invalid
    if (!(error instanceof InputError)) throw error;
    const given = [agents !== undefined && `--agents ${agents}`, days !== undefined && `--days ${days}`, seed !== undefined && `--seed ${seed}`].filter(
      Boolean,
    );
    throw new InputError(
      error.file,
      error.problems.map((p) => ({ ...p, message: `${p.message} (with ${given.join(", ")})` })),
    );
  }
}

/** Agent numbers are 32-bit in the engine's arrays: one process holds at most this many (a country runs as regions). */
export const MAX_AGENTS_PER_PROCESS = 1_000_000_000;

/**
 * Refuses a population that will not fit, with the estimate and the largest that would; else returns the estimate.
 * `note` ends the message when memory is what does not fit (e.g. how --workers divides it).
 */
export function checkMemory(scenario: Scenario, file: string, available = usableMemory(), threads = 1, note = ""): MemoryEstimate {
  if (scenario.population.agents > MAX_AGENTS_PER_PROCESS)
    throw new InputError(file, [
      {
        field: "population.agents",
        message: `${fmtInt(scenario.population.agents)} agents in one process; one holds at most ${fmtInt(MAX_AGENTS_PER_PROCESS)} (agent numbers are 32-bit): run them as regions (--regions), each of at most that many`,
      },
    ]);
  const model = compileModel(scenario);
  const net = scenario.population.network;
  if (net && model.agents * net.degree > MAX_TIE_ENDS) {
    throw new InputError(file, [
      {
        field: "population.network.degree",
        message: `${fmtInt(model.agents)} agents × degree ${net.degree} is more tie ends than one network can hold (${fmtInt(MAX_TIE_ENDS)}); with this degree at most ${fmtInt(Math.floor(MAX_TIE_ENDS / net.degree))} agents (or split them into regions)`,
      },
    ]);
  }
  const estimate = estimateMemory(model, threads);
  if (estimate.bytes > available) {
    const fits = largestFitting(estimate, available);
    throw new InputError(file, [
      {
        field: "population.agents",
        message: `${fmtInt(model.agents)} agents need about ${fmtBytes(estimate.bytes)} with this scenario (${estimate.bytesPerAgent.toFixed(0)} bytes per agent, ${estimate.engine} engine); ${memoryBound()} allows ${fmtBytes(available)}; at most about ${fmtInt(fits)} agents fit${note}`,
      },
    ]);
  }
  return estimate;
}

export async function runCommand(arg: string | undefined, flags: RunFlags & { regions?: string; workers?: string; shard?: string }): Promise<void> {
  const { scenario, file, text, warnings } = scenarioWithOverrides(arg, flags);
  const warn = () => {
    if (!flags.quiet) for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  };
  if (flags.regions !== undefined) {
    // --track has a default (100), so whether it was given is read from the command line; --track 0 agrees
    if (givenOnCommandLine("--track") && intFlag("--track", flags.track, 0, 100_000) !== 0)
      throw new InputError("--track", [
        {
          field: "",
          message: "a run with --regions follows nobody (each region runs in a process of its own); run the scenario without --regions to follow people",
        },
      ]);
    warn();
    const { regionsCommand } = await import("./regions.js");
    return regionsCommand(scenario, file, { ...flags, regions: flags.regions });
  }
  for (const flag of ["workers", "shard"] as const)
    if (flags[flag] !== undefined)
      throw new InputError(`--${flag}`, [{ field: "", message: `only with --regions (a sweep has its own --${flag}: credsim sweep)` }]);
  const threads = threadsFlag(flags.threads, flags.quiet);
  const estimate = checkMemory(scenario, file, undefined, threads);
  const out = flags.out ?? `runs/${scenario.name}`;
  checkOutPath(out);
  checkOutFolder(out);
  const track = intFlag("--track", flags.track, 0, 100_000) ?? 100;
  // a large run goes faster on huge pages, which glibc only grants to a process started with them
  if (shouldRestartWithHugePages(estimate)) {
    process.exitCode = await rerunWithHugePages({ file, text });
    return;
  }
  warn(); // after the decision to start again, so that they are printed once
  const showProgress = !flags.quiet && !flags.json && process.stderr.isTTY;
  const bar = showProgress ? progressBar(`${scenario.name}: ${fmtInt(scenario.population.agents)} agents × ${fmtCount(scenario.days, "day")}`) : null;
  const result = await execute(scenario, { threads, onProgress: bar?.update, track });
  bar?.end();
  const scenarioYaml = resolvedScenarioYaml(scenario, { version: result.summary.credsimVersion, hash: result.hash, seed: scenario.seed });
  const extra: Record<string, string> = {};
  if (flags.report !== false) {
    extra["report.html"] = buildReport(runDataFromTables(result.summary, result.tables, scenario.title ?? scenario.name), scenarioYaml).html;
  }
  await writeRunFolder(out, { scenarioYaml, summary: result.summary, tables: result.tables, extra });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
    return;
  }
  if (flags.quiet) return;
  const s = result.summary;
  const tunable = hugePageTunable();
  const hugePages = process.platform === "linux" && tunable !== undefined && tunable !== "0";
  process.stdout.write(
    `${scenario.title ?? scenario.name} — ${fmtInt(s.agents)} agents, ${fmtCount(s.days, "day")}, seed ${s.seed} (scenario ${s.scenarioHash}, credsim ${s.credsimVersion})\n\n${summaryTable(s)}\n\nsimulated in ${result.seconds.toFixed(2)} s on ${fmtCount(result.threadsUsed, "thread")}${threadsNote(result, threads)}${hugePages ? `, started with huge pages (GLIBC_TUNABLES glibc.malloc.hugetlb=${tunable})` : ""}; results in ${out}/\n`,
  );
}

/**
 * --threads, at most one per core: results are the same for any number, and
 * threads beyond the cores only add start-up and switching (a 100,000-agent run
 * took 18 s on 99 threads against under 1 s on 2).
 */
function threadsFlag(value: string | undefined, quiet?: boolean): number {
  const asked = intFlag("--threads", value, 1, 256) ?? 1;
  const cores = availableParallelism();
  if (asked <= cores) return asked;
  if (!quiet) process.stderr.write(`warning: --threads ${asked}: this machine has ${cores} cores; using at most ${cores} threads (the results are the same)\n`);
  return cores;
}

/** Why a run used fewer threads than asked for, in brackets after "on N threads"; empty if it used them all. */
function threadsNote(result: { model: ReturnType<typeof compileModel>; threadsUsed: number }, threads: number): string {
  if (threads <= result.threadsUsed) return "";
  if (isSeparable(result.model)) return result.threadsUsed === 1 ? ` (fewer than ${fmtInt(threads * 1000)} agents: at least 1,000 per thread)` : "";
  if (result.threadsUsed > 1) return " (agents in this scenario interact: their days run on two threads at most)";
  return ` (agents in this scenario interact: below ${fmtInt(LANES_FROM_AGENTS)} agents they run on one thread)`;
}
