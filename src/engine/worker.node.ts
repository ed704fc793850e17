import { parentPort, workerData } from "node:worker_threads";
import type { Scenario } from "../scenario/schema.js";
import { countersArrays } from "./counters.js";
import { compileModel } from "./model.js";
import { simulate } from "./run.js";

const { scenario, range } = workerData as { scenario: Scenario; range?: [number, number] };
const model = compileModel(scenario);
let last = 0;
const counters = simulate(model, {
  range,
  onProgress: (done) => {
    const now = Date.now();
    if (now - last > 100) {
      last = now;
      parentPort?.postMessage({ progress: done });
    }
  },
});
const arrays = countersArrays(counters);
parentPort?.postMessage(
  { arrays },
  arrays.map((a) => a.buffer as ArrayBuffer),
);
