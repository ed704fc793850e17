import { Worker } from "node:worker_threads";
import type { Scenario } from "../scenario/schema.js";
import { blockSize } from "./blocks.js";
import { addCounters, type Counters, countersFromArrays } from "./counters.js";
import { History, trackingPool } from "./history.js";
import { compileModel, type Model } from "./model.js";
import { takeWorker, workerUrl } from "./pool.node.js";
import { buildPopulation } from "./population.js";
import { simulate } from "./run.js";
import { finishSeparable, integrateHarm, runAgents, startSeparable } from "./separable.js";
import { isSeparable } from "./simulate.js";

// Node-only. A separable population is cut into blocks of consecutive agents that
// the calling thread and T − 1 worker threads take from one shared atomic counter,
// so the calling thread works while the workers start up and every thread keeps
// taking blocks until none is left: they finish together whatever their speed.
// Each agent's draws come from its own stream, and counters are integer counts
// that add exactly, so the result is identical for any thread count and any
// division of blocks (decision 7 in docs/performance.md).

export interface ParallelResult {
  counters: Counters;
  /** Threads actually used: 1 when agents interact (see docs/performance.md). */
  threads: number;
  /** Events of the tracked pool (when poolSize > 0). */
  history: History | null;
  contacts: { agent: number; contact: number; cut: boolean; everListed: boolean }[];
  /** Blocks of agents each thread ran, the calling thread first when it takes blocks (separable scenarios). */
  blocks: number[];
}

export interface ThreadOptions {
  /** Events of this many agents' households are logged (followed people). */
  poolSize?: number;
  /** The calling thread waits until every worker is ready before taking blocks, so that all take some (tests). */
  startTogether?: boolean;
  /** false: the calling thread only waits, and `threads` workers take the blocks (the slower scheme, kept for bench:decisions no. 1). */
  callerTakesBlocks?: boolean;
  /** false: the per-agent engine in TypeScript, not its WebAssembly kernel (the baseline of bench:decisions no. 10). */
  useKernel?: boolean;
}

/** What a worker sends back: counters and its tracked agents' events as arrays. */
export interface WorkerResult {
  arrays: Float64Array[];
  events: Float64Array[];
  contacts: ParallelResult["contacts"];
  blocks: number;
  /** Day deltas of listed agents per domain (a thread's share of a per-agent run), for harm. */
  domains?: Float64Array;
}

/** A worker's job: the whole run on the calendar engine, or blocks from the shared counter. */
export interface WorkerJob {
  scenario: Scenario;
  poolSize: number;
  blocks?: { next: SharedArrayBuffer; size: number; ready: SharedArrayBuffer };
  useKernel?: boolean;
}

const isSource = import.meta.url.endsWith(".ts");

/**
 * Runs a scenario on `threads` threads, the calling one included, when its agents
 * do not interact, else on one worker thread, so the calling thread stays free for
 * progress and Ctrl-C during a long run. From TypeScript sources (tests) workers
 * cannot load the engine, so it runs inline on one thread.
 */
export async function simulateThreads(
  scenario: Scenario,
  threads: number,
  onProgress?: (done: number) => void,
  options: ThreadOptions = {},
): Promise<ParallelResult> {
  const poolSize = options.poolSize ?? 0;
  const model: Model = compileModel(scenario);
  const pool = () => trackingPool(model, poolSize, buildPopulation(model).householdStart);
  if (isSource) {
    const history = poolSize > 0 ? new History(pool()) : undefined;
    let contacts: ParallelResult["contacts"] = [];
    const counters = simulate(model, { onProgress, history, onFinish: (sim) => (contacts = history ? sim.contactsOf(history.mask) : []) });
    return { counters, threads: 1, history: history ?? null, contacts, blocks: [] };
  }
  if (!isSeparable(model)) {
    const r = await startWorker({ scenario, poolSize }, onProgress);
    const counters = countersFromArrays(model, r.arrays);
    return { counters, threads: 1, history: poolSize > 0 ? mergeHistories(pool(), [r.events]) : null, contacts: r.contacts, blocks: [] };
  }

  const parts = threads > 1 && model.agents >= threads * 1000 ? threads : 1;
  const size = blockSize(model.agents, parts, model.days);
  const shared = new SharedArrayBuffer(4);
  const next = new Int32Array(shared);
  const readyBuffer = new SharedArrayBuffer(4);
  const ready = new Int32Array(readyBuffer);
  const callerWorks = options.callerTakesBlocks ?? true;
  const workers = callerWorks ? parts - 1 : parts;
  const helpers = Array.from({ length: workers }, () =>
    startWorker({ scenario, poolSize, blocks: { next: shared, size, ready: readyBuffer }, useKernel: options.useKernel }),
  );
  // a failed worker stops the calling thread at its next block; Promise.all reports it
  let failed = false;
  for (const h of helpers)
    h.catch(() => {
      failed = true;
    });

  const run = startSeparable(model, poolSize > 0 ? new History(pool()) : undefined, options.useKernel ?? true);
  const blocks = Math.ceil(model.agents / size);
  while (options.startTogether && !failed && Atomics.load(ready, 0) < workers) await new Promise((resolve) => setTimeout(resolve, 1));
  const progress = () => onProgress?.(Math.min(blocks, Atomics.load(next, 0)) / blocks);
  const timer = callerWorks ? undefined : setInterval(progress, 100);
  let taken = 0;
  let yielded = performance.now();
  for (let b = callerWorks ? Atomics.add(next, 0, 1) : blocks; b < blocks; b = Atomics.add(next, 0, 1)) {
    runAgents(run, [b * size, Math.min(model.agents, (b + 1) * size)]);
    taken++;
    if (failed) break;
    // let progress, worker messages and signals through every 50 ms or so
    if (performance.now() - yielded >= 50) {
      progress();
      await new Promise((resolve) => setImmediate(resolve));
      yielded = performance.now();
    }
  }
  const counters = finishSeparable(run, false);
  const results = await Promise.all(helpers).finally(() => clearInterval(timer));
  const domains = run.deltas.domain;
  for (const r of results) {
    addCounters(counters, countersFromArrays(model, r.arrays));
    const d = r.domains as Float64Array;
    for (let k = 0; k < domains.length; k++) domains[k] += d[k]; // integer counts: exact in any order
  }
  integrateHarm(model, domains, counters);
  const history = run.history ? mergeHistories(run.history.mask, [run.history.toArrays(), ...results.map((r) => r.events)]) : null;
  return { counters, threads: parts, history, contacts: [], blocks: callerWorks ? [taken, ...results.map((r) => r.blocks)] : results.map((r) => r.blocks) };
}

function startWorker(job: WorkerJob, onProgress?: (done: number) => void): Promise<WorkerResult> {
  return new Promise<WorkerResult>((resolve, reject) => {
    // a worker started ahead of the run (pool.node.ts) if there is one
    const started = takeWorker();
    const worker = started ?? new Worker(workerUrl, { workerData: job });
    started?.postMessage(job);
    worker.on("message", (msg: { progress?: number } & Partial<WorkerResult>) => {
      if (msg.progress !== undefined) onProgress?.(msg.progress);
      else if (msg.arrays)
        resolve({ arrays: msg.arrays, events: msg.events ?? [], contacts: msg.contacts ?? [], blocks: msg.blocks ?? 0, domains: msg.domains });
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (code !== 0) reject(new Error(`simulation worker exited with code ${code}`));
    });
  });
}

/**
 * One history from each thread's events, in agent order as one thread logs them
 * (an agent's events are all in one thread, in order). Each thread takes its
 * blocks in ascending order and logs their agents in ascending order, so each
 * part is sorted by agent already and a merge suffices; a part that is not is
 * sorted first.
 */
export function mergeHistories(mask: Uint8Array, parts: Float64Array[][]): History {
  const history = new History(mask);
  const sorted = parts.map((e) => (isSortedByAgent(e) ? e : sortByAgent(e)));
  const at = sorted.map(() => 0);
  for (;;) {
    let w = -1;
    for (let k = 0; k < sorted.length; k++) if (at[k] < (sorted[k][0]?.length ?? 0) && (w < 0 || sorted[k][1][at[k]] < sorted[w][1][at[w]])) w = k;
    if (w < 0) return history;
    // copy the run of this part's events before the other parts' next agent (a thread's block or more)
    let bound = Number.POSITIVE_INFINITY;
    for (let k = 0; k < sorted.length; k++) if (k !== w && at[k] < (sorted[k][0]?.length ?? 0)) bound = Math.min(bound, sorted[k][1][at[k]]);
    const e = sorted[w];
    const from = at[w];
    let to = from + 1;
    while (to < e[1].length && (e[1][to] < bound || e[1][to] === e[1][from])) to++;
    history.addColumns(e, from, to);
    at[w] = to;
  }
}

function isSortedByAgent(e: Float64Array[]): boolean {
  const agents = e[1] ?? new Float64Array(0);
  for (let x = 1; x < agents.length; x++) if (agents[x] < agents[x - 1]) return false;
  return true;
}

/** The events reordered by agent, each agent's in their order. */
function sortByAgent(e: Float64Array[]): Float64Array[] {
  const order = Array.from(e[1].keys()).sort((p, q) => e[1][p] - e[1][q] || p - q);
  return e.map((column) => Float64Array.from(order, (x) => column[x]));
}
