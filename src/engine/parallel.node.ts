import { Worker } from "node:worker_threads";
import type { Scenario } from "../scenario/schema.js";
import { addCounters, type Counters, countersFromArrays } from "./counters.js";
import { compileModel, type Model } from "./model.js";
import { simulate } from "./run.js";
import { isSeparable } from "./simulate.js";

// Node-only: splits a separable population into contiguous agent ranges, one per
// worker thread. Each agent's draws come from its own stream, and counters are
// integer counts that add exactly, so the result is identical for any thread count.

export interface ParallelResult {
  counters: Counters;
  /** Threads actually used: 1 when agents interact (see docs/performance.md). */
  threads: number;
}

const isSource = import.meta.url.endsWith(".ts");
const workerUrl = new URL(isSource ? "./worker.node.ts" : "./worker.node.js", import.meta.url);

export function splitRange(agents: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0; k < parts; k++) out.push([Math.floor((agents * k) / parts), Math.floor((agents * (k + 1)) / parts)]);
  return out;
}

/**
 * Runs a scenario on `threads` worker threads (agent ranges) when its agents do
 * not interact, else on one worker thread. Even one thread runs in a worker, so
 * the calling thread stays free for progress and Ctrl-C. From TypeScript sources
 * (tests) workers cannot load the engine, so it runs inline on one thread.
 */
export async function simulateThreads(scenario: Scenario, threads: number, onProgress?: (done: number) => void): Promise<ParallelResult> {
  const model: Model = compileModel(scenario);
  const parts = threads > 1 && isSeparable(model) && model.agents >= threads * 1000 ? threads : 1;
  if (isSource) return { counters: simulate(model, { onProgress }), threads: 1 };
  const ranges = splitRange(model.agents, parts);
  const progress = new Array(parts).fill(0);
  const results = await Promise.all(
    ranges.map(
      (range, k) =>
        new Promise<Counters>((resolve, reject) => {
          const worker = new Worker(workerUrl, { workerData: { scenario, range: parts > 1 ? range : undefined } });
          worker.on("message", (msg: { progress?: number; arrays?: Float64Array[] }) => {
            if (msg.progress !== undefined) {
              progress[k] = msg.progress;
              onProgress?.(progress.reduce((a, b) => a + b, 0) / parts);
            } else if (msg.arrays) resolve(countersFromArrays(model, msg.arrays));
          });
          worker.on("error", reject);
          worker.on("exit", (code) => {
            if (code !== 0) reject(new Error(`simulation worker ${k} exited with code ${code}`));
          });
        }),
    ),
  );
  const total = results[0];
  for (let k = 1; k < results.length; k++) addCounters(total, results[k]);
  return { counters: total, threads: parts };
}
