import { parentPort, workerData } from "node:worker_threads";
import type { Scenario } from "../scenario/schema.js";
import { countersArrays } from "./counters.js";
import { History, trackingPool } from "./history.js";
import { compileModel } from "./model.js";
import { buildPopulation } from "./population.js";
import { simulate } from "./run.js";

const { scenario, range, step, poolSize } = workerData as { scenario: Scenario; range?: [number, number]; step: number; poolSize: number };
const model = compileModel(scenario);
const history = poolSize > 0 ? new History(trackingPool(model, poolSize, buildPopulation(model).householdStart)) : undefined;
let contacts: { agent: number; contact: number; cut: boolean; everListed: boolean }[] = [];
let last = 0;
const counters = simulate(model, {
  range,
  step: range ? step : 1,
  history,
  onFinish: (sim) => {
    if (history) contacts = sim.contactsOf(history.mask);
  },
  onProgress: (done) => {
    const now = Date.now();
    if (now - last > 100) {
      last = now;
      parentPort?.postMessage({ progress: done });
    }
  },
});
const arrays = countersArrays(counters);
const events = history ? history.toArrays() : [];
parentPort?.postMessage(
  { arrays, events, contacts },
  [...arrays, ...events].map((a) => a.buffer as ArrayBuffer),
);
