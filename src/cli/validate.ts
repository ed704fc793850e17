import { InputError } from "../scenario/errors.js";
import { fmtInt } from "./format.js";
import { checkMemory } from "./run.js";
import { loadScenarioArg } from "./scenario-arg.js";

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

function validateOne(arg: string): void {
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
    `${file}: valid — ${fmtInt(scenario.population.agents)} agents in ${scenario.population.groups.length} group(s), ${b} behaviour(s), ${k} source(s), ${scenario.days} days\n`,
  );
}
