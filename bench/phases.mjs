// Where the calendar engine's time goes, phase by phase, in one fresh process.
// Usage: node bench/phases.mjs [preset|file.yaml] [agents] [threads]   (npm run bench:phases -- fused-city 10000000)
// With threads 2, the network is built on two threads (network-thread.node.ts),
// as `credsim run --threads 2` does from 2^19 agents, and the days run on two
// lanes (day-thread.node.ts, decision 23) from 2^19 agents; the phases are
// timed on the calling thread (the lower lane), waits for the other included.
// Like `credsim run` and bench/child.mjs, a run whose memory estimate reaches
// 1 GiB restarts itself with huge pages (decision 9 in docs/performance.md).
// The clock is read a dozen times a day (src/engine/phases.ts); the counters
// hash is printed so that a run can be matched with bench/child.mjs's.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { shouldRestartWithHugePages } from "../dist/cli/rerun.js";
import { checkMemory } from "../dist/cli/run.js";
import { resolveBase } from "../dist/cli/scenario-arg.js";
import { dayHelperFor } from "../dist/engine/day-thread.node.js";
import { withHugePages } from "../dist/engine/hugepages.node.js";
import { estimateMemory } from "../dist/engine/memory.js";
import { compileModel } from "../dist/engine/model.js";
import { networkHelperFor } from "../dist/engine/network-thread.node.js";
import { PHASES, PhaseClock } from "../dist/engine/phases.js";
import { Simulation } from "../dist/engine/simulate.js";
import { parseScenario } from "../dist/scenario/load.js";
import { countersHash } from "./counters-hash.mjs";

const [name = "fused-city", agents = "1000000", threads = "1"] = process.argv.slice(2);
const usage = "usage: node bench/phases.mjs [preset|file.yaml] [agents] [threads 1|2], e.g. npm run bench:phases -- fused-city 10000000 2";
const fail = (message) => {
  process.stderr.write(`bench/phases.mjs: ${message}\n${usage}\n`);
  process.exit(2);
};
const file = name.endsWith(".yaml") ? name : fileURLToPath(new URL(`../presets/${name}.yaml`, import.meta.url));
if (!existsSync(file)) fail(`no preset or scenario file ${name} (presets are in presets/)`);
if (!/^[1-9][0-9]*$/.test(agents) || Number(agents) < 10) fail(`agents: expected a whole number ≥ 10, got ${agents}`);
if (threads !== "1" && threads !== "2") fail(`threads: expected 1 or 2, got ${threads}`);
let model;
try {
  const { scenario } = parseScenario(readFileSync(file, "utf8"), file, { resolveBase });
  scenario.population.agents = Number(agents);
  // as `credsim run` does: at most 10^9 agents in a process, and a population that fits in memory
  checkMemory(scenario, file, undefined, Number(threads));
  model = compileModel(scenario);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (shouldRestartWithHugePages(estimateMemory(model))) {
  try {
    execFileSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env: withHugePages() });
  } catch (error) {
    // the run itself reported what went wrong
    process.exit(error.status ?? 1);
  }
  process.exit(0);
}
let networkHelper;
try {
  networkHelper = await networkHelperFor(model, Number(threads));
} catch (error) {
  fail(`the network's helper thread did not start: ${error instanceof Error ? error.message : String(error)}`);
}
let dayHelper;
try {
  dayHelper = await dayHelperFor(model, Number(threads));
} catch (error) {
  fail(`the days' helper thread did not start: ${error instanceof Error ? error.message : String(error)}`);
}
const stages = [];
const clock = new PhaseClock();
const started = performance.now();
let counters;
try {
  const sim = new Simulation(model, { phases: clock, networkHelper, dayHelper, onNetworkStage: (stage, ms) => stages.push([stage, ms]) });
  counters = sim.run();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
} finally {
  dayHelper?.end();
}
const total = performance.now() - started;

const hash = countersHash(counters);
const timed = clock.ms.reduce((a, b) => a + b, 0);
console.log(
  `${name}, ${Number(agents).toLocaleString("en")} agents x ${model.days} days, calendar engine: ${(total / 1000).toFixed(2)} s (counters hash ${hash})`,
);
console.log("| phase | seconds | share |\n| --- | ---: | ---: |");
for (let p = 0; p < PHASES.length; p++) console.log(`| ${PHASES[p]} | ${(clock.ms[p] / 1000).toFixed(2)} | ${((100 * clock.ms[p]) / total).toFixed(1)} % |`);
console.log(
  `| not in a phase (set-up before the clock starts, the calls between phases) | ${((total - timed) / 1000).toFixed(2)} | ${((100 * (total - timed)) / total).toFixed(1)} % |`,
);
if (stages.length > 0) {
  console.log(`\nThe network's stages, built on ${networkHelper ? 2 : 1} thread${networkHelper ? "s" : ""}:\n| stage | seconds |\n| --- | ---: |`);
  for (const [stage, ms] of stages) console.log(`| ${stage} | ${(ms / 1000).toFixed(2)} |`);
}
