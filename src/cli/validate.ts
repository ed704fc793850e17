import { existsSync, statSync } from "node:fs";
import { InputError } from "../scenario/errors.js";
import { parseYaml } from "../scenario/load.js";
import { parseRegions } from "../sweep/regions.js";
import { fmtCount, fmtInt } from "./format.js";
import { checkMemory } from "./run.js";
import { loadScenarioArg, readText } from "./scenario-arg.js";
import { loadSweep } from "./sweep.js";

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
 * What a file is, from its top-level fields: a sweep has `vary`, a region set
 * has `regions` and no `population`; anything else is checked as a scenario
 * (whose errors then say what is wrong). Files that cannot be read or parsed are
 * left to the scenario check, which reports them.
 */
function kindOf(arg: string): Kind {
  if (!existsSync(arg) || !statSync(arg).isFile()) return "scenario";
  let data: unknown;
  try {
    data = parseYaml(readText(arg), arg).data;
  } catch {
    return "scenario";
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) return "scenario";
  if ("vary" in data) return "sweep";
  if ("regions" in data && !("population" in data)) return "regions";
  return "scenario";
}

function validateOne(arg: string): void {
  const kind = kindOf(arg);
  if (kind === "sweep") {
    // what `credsim sweep` checks before its first run: the file, its base, the varied names, the kept metrics
    const plan = loadSweep(arg);
    const variants = new Set(plan.runs.map((r) => r.variantId)).size;
    process.stdout.write(
      `${arg}: valid sweep — ${fmtCount(variants, "variant")} × ${fmtCount(plan.spec.replicates, "replicate")} = ${fmtCount(plan.runs.length, "run")} of ${plan.spec.base}\n`,
    );
    return;
  }
  if (kind === "regions") {
    const spec = parseRegions(readText(arg, "region set YAML file"), arg);
    process.stdout.write(`${arg}: valid region set — ${spec.name}, ${fmtCount(spec.regions.length, "region")}\n`);
    return;
  }
  const { scenario, file, warnings } = loadScenarioArg(arg);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  // the file is valid whatever machine checks it: a population too large for one
  // process or for this machine is said, not failed (run refuses it; --regions or a larger machine may run it)
  try {
    checkMemory(scenario, file);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    process.stderr.write(`warning: ${error.message}\n`);
  }
  const b = Object.keys(scenario.behaviours).length;
  const k = Object.keys(scenario.sources).length;
  process.stdout.write(
    `${file}: valid — ${fmtInt(scenario.population.agents)} agents in ${scenario.population.groups.length} group(s), ${b} behaviour(s), ${k} source(s), ${fmtCount(scenario.days, "day")}\n`,
  );
}
