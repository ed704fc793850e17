import { Worker } from "node:worker_threads";
import type { Scenario } from "../scenario/schema.js";
import { addCounters, type Counters, countersFromArrays } from "./counters.js";
import { History, trackingPool } from "./history.js";
import { compileModel, type Model } from "./model.js";
import { buildPopulation } from "./population.js";
import { simulate } from "./run.js";
import { isSeparable } from "./simulate.js";

// Node-only: splits a separable population over worker threads, interleaved
// (thread k runs agents k, k + T, k + 2T, …) so that every thread gets the same
// mix of groups and segments and they finish together (contiguous ranges put a
// whole group, with its own event rates, on one thread). Each agent's draws come from its own stream, and counters are
// integer counts that add exactly, so the result is identical for any thread count.

export interface ParallelResult {
  counters: Counters;
  /** Threads actually used: 1 when agents interact (see docs/performance.md). */
  threads: number;
  /** Events of the tracked pool (when poolSize > 0). */
  history: History | null;
  contacts: { agent: number; contact: number; cut: boolean; everListed: boolean }[];
}

const isSource = import.meta.url.endsWith(".ts");
const workerUrl = new URL(isSource ? "./worker.node.ts" : "./worker.node.js", import.meta.url);

/**
 * Runs a scenario on `threads` worker threads (agent ranges) when its agents do
 * not interact, else on one worker thread. Even one thread runs in a worker, so
 * the calling thread stays free for progress and Ctrl-C. From TypeScript sources
 * (tests) workers cannot load the engine, so it runs inline on one thread.
 */
export async function simulateThreads(scenario: Scenario, threads: number, onProgress?: (done: number) => void, poolSize = 0): Promise<ParallelResult> {
  const model: Model = compileModel(scenario);
  const parts = threads > 1 && isSeparable(model) && model.agents >= threads * 1000 ? threads : 1;
  if (isSource) {
    const history = poolSize > 0 ? new History(trackingPool(model, poolSize, buildPopulation(model).householdStart)) : undefined;
    let contacts: ParallelResult["contacts"] = [];
    const counters = simulate(model, { onProgress, history, onFinish: (sim) => (contacts = history ? sim.contactsOf(history.mask) : []) });
    return { counters, threads: 1, history: history ?? null, contacts };
  }
  const progress = new Array(parts).fill(0);
  type Part = { counters: Counters; events: Float64Array[]; contacts: ParallelResult["contacts"] };
  const results = await Promise.all(
    Array.from({ length: parts }, (_, k) => k).map(
      (k) =>
        new Promise<Part>((resolve, reject) => {
          const worker = new Worker(workerUrl, { workerData: { scenario, range: parts > 1 ? [k, model.agents] : undefined, step: parts, poolSize } });
          worker.on("message", (msg: { progress?: number; arrays?: Float64Array[]; events?: Float64Array[]; contacts?: ParallelResult["contacts"] }) => {
            if (msg.progress !== undefined) {
              progress[k] = msg.progress;
              onProgress?.(progress.reduce((a, b) => a + b, 0) / parts);
            } else if (msg.arrays) resolve({ counters: countersFromArrays(model, msg.arrays), events: msg.events ?? [], contacts: msg.contacts ?? [] });
          });
          worker.on("error", reject);
          worker.on("exit", (code) => {
            if (code !== 0) reject(new Error(`simulation worker ${k} exited with code ${code}`));
          });
        }),
    ),
  );
  const total = results[0].counters;
  for (let k = 1; k < results.length; k++) addCounters(total, results[k].counters);
  let history: History | null = null;
  if (poolSize > 0) {
    // the same pool in every worker (it depends on the seed only); ranges in order
    history = new History(trackingPool(model, poolSize, buildPopulation(model).householdStart));
    // in agent order, as one thread logs them (each agent's events are in order within its thread)
    const rows: [number, number, number][] = [];
    results.forEach((r, w) => {
      for (let x = 0; x < (r.events[0]?.length ?? 0); x++) rows.push([r.events[1][x], w, x]);
    });
    rows.sort((p, q) => p[0] - q[0] || p[2] - q[2]);
    for (const [, w, x] of rows) {
      const e = results[w].events;
      history.add(e[0][x], e[1][x], e[2][x], e[3][x], e[4][x], e[5][x]);
    }
  }
  return { counters: total, threads: parts, history, contacts: results.flatMap((r) => r.contacts) };
}
