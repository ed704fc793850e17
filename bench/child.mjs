// One measured run in a fresh process: prints {seconds, maxRssBytes}.
// Usage: node bench/child.mjs <preset|file> <agents> <threads> <engine: auto|auto-ts|auto-workers|auto-started|calendar|baseline> [rate multiplier] [people followed]
// auto-started: auto with the workers started ahead of the run (src/engine/pool.node.ts).
// auto-ts: the per-agent engine in TypeScript, not its WebAssembly kernel (decision 14).
// auto-workers: the per-agent engine's blocks taken by worker threads alone, the
// calling thread waiting (the scheme decision 7 in docs/performance.md replaced).
// The multiplier scales every behaviour's base rate and every false-record rate
// (capped at 1), for the cost-versus-events curve. Like `credsim run` (the same
// rule, src/cli/rerun.ts), a calendar-engine case whose memory estimate reaches
// 1 GiB runs in a process started with huge pages (decision 9 in docs/performance.md).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { shouldRestartWithHugePages } from "../dist/cli/rerun.js";
import { resolveBase } from "../dist/cli/scenario-arg.js";
import { withHugePages } from "../dist/engine/hugepages.node.js";
import { estimateMemory } from "../dist/engine/memory.js";
import { compileModel } from "../dist/engine/model.js";
import { simulateThreads } from "../dist/engine/parallel.node.js";
import { prestartWorkers, workersReady } from "../dist/engine/pool.node.js";
import { simulate } from "../dist/engine/run.js";
import { parseScenario } from "../dist/scenario/load.js";
import { POOL_PER_FOLLOWED } from "../dist/store/execute.js";
import { runDailyBaseline } from "./baseline-daily.mjs";
import { countersHash } from "./counters-hash.mjs";

const [name, agents, threads, engine, rates = "1", track = "0"] = process.argv.slice(2);
// auto-started: the workers start with the process and are ready before the timed
// run, as `credsim run` starts them before loading its modules (decision 15)
if (engine === "auto-started") {
  prestartWorkers(Number(threads) - 1);
  await workersReady();
}
const file = name.endsWith(".yaml") ? name : new URL(`../presets/${name}.yaml`, import.meta.url);
// presets that extend another (china-31's provinces, for one) load it as `credsim run` does
const { scenario } = parseScenario(readFileSync(file, "utf8"), String(file), { resolveBase });
scenario.population.agents = Number(agents);
const f = Number(rates);
for (const b of Object.values(scenario.behaviours)) b.base = Math.min(1, b.base * f);
for (const src of Object.values(scenario.sources)) for (const k of Object.keys(src.falseRate)) src.falseRate[k] = Math.min(1, src.falseRate[k] * f);
const model = compileModel(scenario);
const estimate = estimateMemory(model);
if (shouldRestartWithHugePages(estimate)) {
  execFileSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env: withHugePages() });
  process.exit(0);
}
const started = performance.now();
let listed;
let events = null;
let hash = null;
const sum = (a) => a.reduce((x, y) => x + y, 0);
if (engine === "baseline") listed = runDailyBaseline(model);
else {
  const c =
    engine === "calendar"
      ? simulate(model, { engine: "calendar" })
      : (
          await simulateThreads(scenario, Number(threads), undefined, {
            callerTakesBlocks: engine !== "auto-workers",
            useKernel: engine !== "auto-ts",
            poolSize: Number(track) * POOL_PER_FOLLOWED,
          })
        ).counters;
  listed = c.listed.at(-1);
  hash = countersHash(c);
  // occurrences of behaviours and false records written: the events the engine handles
  events = sum(c.occurrences) + sum(c.recordsFalse) + sum(c.recordsDiscarded);
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, listed, events, hash }));
