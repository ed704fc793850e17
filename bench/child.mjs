// One measured run in a fresh process: prints {seconds, maxRssBytes}.
// Usage: node bench/child.mjs <preset|file> <agents> <threads> <engine: auto|calendar|baseline>
import { readFileSync } from "node:fs";
import { compileModel } from "../dist/engine/model.js";
import { simulateThreads } from "../dist/engine/parallel.node.js";
import { simulate } from "../dist/engine/run.js";
import { parseScenario } from "../dist/scenario/load.js";
import { runDailyBaseline } from "./baseline-daily.mjs";

const [name, agents, threads, engine] = process.argv.slice(2);
const file = name.endsWith(".yaml") ? name : new URL(`../presets/${name}.yaml`, import.meta.url);
const { scenario } = parseScenario(readFileSync(file, "utf8"), String(file));
scenario.population.agents = Number(agents);
const model = compileModel(scenario);
const started = performance.now();
let listed;
if (engine === "baseline") listed = runDailyBaseline(model);
else if (engine === "calendar") listed = simulate(model, { engine: "calendar" }).listed.at(-1);
else listed = (await simulateThreads(scenario, Number(threads))).counters.listed.at(-1);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, listed }));
