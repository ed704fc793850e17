import { existsSync, statSync } from "node:fs";
import { InputError } from "../scenario/errors.js";
import { parseYaml } from "../scenario/load.js";
import { fmtCount, fmtInt } from "./format.js";
import { isRegionPreset, loadRegionSpec } from "./regions.js";
import { checkMemory } from "./run.js";
import { loadScenarioArg, presetNames, readText } from "./scenario-arg.js";
import { checkSweepMemory, loadSweep } from "./sweep.js";

/** Checks each file; every file is checked even after one fails, and the command fails if any did. */
export function validateCommand(args: string[]): void {
  let failed: InputError | undefined;
  for (const arg of args) {
    try {
      validateOne(arg);
    } catch (error) {
      if (!(error instanceof InputError) || args.length === 1) throw error;
      process.stderr.write(`credsim: ${error.message}\n`);
      failed = error;
    }
  }
  if (failed) throw new InputError("validate", [{ field: "", message: `${args.length > 1 ? "some files are" : "the file is"} not valid (above)` }]);
}

type Kind = "scenario" | "sweep" | "regions";

/**
 * What a file is, from its top-level fields. A scenario is said by `extends`,
 * `behaviours` or `population` (a region set has no population, a sweep names
 * its scenario in `base`); then a sweep by `base` or `vary`, a region set by
 * `regions`. Anything else, and files that cannot be read or parsed, are left to
 * the scenario check, whose errors then say what is wrong. A name that is no
 * file is a built-in region set if one has that name, else a scenario preset.
 */
function kindOf(arg: string): Kind {
  if (!existsSync(arg)) return isRegionPreset(arg) && !presetNames().includes(arg.replace(/\.ya?ml$/, "")) ? "regions" : "scenario";
  if (!statSync(arg).isFile()) return "scenario";
  let data: unknown;
  try {
    data = parseYaml(readText(arg), arg).data;
  } catch {
    return "scenario";
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) return "scenario";
  const has = (field: string) => field in data;
  if (has("extends") || has("behaviours") || has("population")) return "scenario";
  if (has("base") || has("vary")) return "sweep";
  if (has("regions")) return "regions";
  return "scenario";
}

function validateOne(arg: string): void {
  const kind = kindOf(arg);
  if (kind === "sweep") {
    // what `credsim sweep` checks before its first run: the file, its base, the varied names, the kept metrics;
    // and, as a warning (it depends on the machine), whether each variant fits, one run at a time
    const plan = loadSweep(arg);
    warnIfRefused(() => checkSweepMemory(plan, arg, undefined, 1));
    const variants = new Set(plan.runs.map((r) => r.variantId)).size;
    process.stdout.write(
      `${arg}: valid sweep — ${fmtCount(variants, "variant")} × ${fmtCount(plan.spec.replicates, "replicate")} = ${fmtCount(plan.runs.length, "run")} of ${plan.spec.base}\n`,
    );
    return;
  }
  if (kind === "regions") {
    const { spec, file } = loadRegionSpec(arg);
    process.stdout.write(`${file}: valid region set — ${spec.name}, ${fmtCount(spec.regions.length, "region")}\n`);
    return;
  }
  const { scenario, file, warnings } = loadScenarioArg(arg);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  // the file is valid whatever machine checks it: a population too large for one
  // process or for this machine is said, not failed (run refuses it; --regions or a larger machine may run it)
  warnIfRefused(() => checkMemory(scenario, file));
  const b = Object.keys(scenario.behaviours).length;
  const k = Object.keys(scenario.sources).length;
  process.stdout.write(
    `${file}: valid — ${fmtInt(scenario.population.agents)} agents in ${fmtCount(scenario.population.groups.length, "group")}, ${fmtCount(b, "behaviour")}, ${fmtCount(k, "source")}, ${fmtCount(scenario.days, "day")}\n`,
  );
}

/** Runs a check that depends on the machine (memory, one process's limits) and prints what it refuses as a warning. */
function warnIfRefused(check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    process.stderr.write(`warning: ${error.message}\n`);
  }
}
