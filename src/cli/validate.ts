import { fmtInt } from "./format.js";
import { checkMemory } from "./run.js";
import { loadScenarioArg } from "./scenario-arg.js";

export function validateCommand(arg: string): void {
  const { scenario, file, warnings } = loadScenarioArg(arg);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  checkMemory(scenario, file);
  const b = Object.keys(scenario.behaviours).length;
  const k = Object.keys(scenario.sources).length;
  process.stdout.write(
    `${file}: valid — ${fmtInt(scenario.population.agents)} agents in ${scenario.population.groups.length} group(s), ${b} behaviour(s), ${k} source(s), ${scenario.days} days\n`,
  );
}
