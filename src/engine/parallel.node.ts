import { Worker } from "node:worker_threads";
import type { Scenario } from "../scenario/schema.js";
import { blockSize } from "./blocks.js";
import { addCounters, type Counters, countersFromArrays } from "./counters.js";
import { type EventColumns, followedPool, History } from "./history.js";
import { compileModel, type Model } from "./model.js";
import { takeWorker, workerUrl } from "./pool.node.js";
import { simulate } from "./run.js";
import { finishSeparable, integrateHarm, runAgents, runPool, startSeparable } from "./separable.js";
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
  /** Events of the tracked pool (when poolSize > 0), in agent order, each agent's in their order. */
  history: History | null;
  contacts: { agent: number; contact: number; cut: boolean; everListed: boolean }[];
  /** Blocks of agents each thread ran, the calling thread first when it takes blocks (separable scenarios). */
  blocks: number[];
  /** Threads that built the contact network (calendar engine): 2 from HELPER_FROM_AGENTS agents when 2 or more threads are asked for, else 1. */
  networkThreads: number;
}

export interface ThreadOptions {
  /** Events of this many agents' households are logged (followed people). */
  poolSize?: number;
  /** The calling thread waits until every worker is ready before taking blocks, so that all take some (tests). */
  startTogether?: boolean;
  /** false: the calling thread takes no blocks (it runs the followed pool, if any, then waits), and `threads` workers take them (the slower scheme, kept for bench:decisions no. 1). */
  callerTakesBlocks?: boolean;
  /** false: the per-agent engine in TypeScript, not its WebAssembly kernel (the baseline of bench:decisions no. 10). */
  useKernel?: boolean;
}

/** What a worker sends back: counters, and the tracked agents' events of a run on the calendar engine. */
export interface WorkerResult {
  arrays: Float64Array[];
  events: EventColumns | null;
  contacts: ParallelResult["contacts"];
  blocks: number;
  /** Day deltas of listed agents per domain (a thread's share of a per-agent run), for harm. */
  domains?: Float64Array;
  /** Threads that built the network (a run on the calendar engine). */
  networkThreads?: number;
  /** Threads that ran the days (a run on the calendar engine: 2 on two lanes, decision 23). */
  dayThreads?: number;
}

/** A worker's job: the whole run on the calendar engine, or blocks from the shared counter. */
export interface WorkerJob {
  scenario: Scenario;
  poolSize: number;
  blocks?: { next: SharedArrayBuffer; size: number; ready: SharedArrayBuffer };
  useKernel?: boolean;
  /** Threads a run on the calendar engine may build its network on (network-thread.node.ts). */
  networkThreads?: number;
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
  const pool = () => followedPool(model, poolSize);
  if (isSource) {
    const history = poolSize > 0 ? new History(pool()) : undefined;
    let contacts: ParallelResult["contacts"] = [];
    const counters = simulate(model, { onProgress, history, onFinish: (sim) => (contacts = history ? sim.contactsOf(history.mask) : []) });
    return { counters, threads: 1, history: history ? historyByAgent(history.mask, history) : null, contacts, blocks: [], networkThreads: 1 };
  }
  if (!isSeparable(model)) {
    const worker = startWorker({ scenario, poolSize, networkThreads: threads }, onProgress);
    const mask = poolSize > 0 ? pool() : null; // while the worker runs
    const r = await worker;
    const counters = countersFromArrays(model, r.arrays);
    return {
      counters,
      threads: r.dayThreads ?? 1,
      history: mask && r.events ? historyByAgent(mask, r.events) : null,
      contacts: r.contacts,
      blocks: [],
      networkThreads: r.networkThreads ?? 1,
    };
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

  const history = poolSize > 0 ? new History(pool()) : undefined;
  const run = startSeparable(model, history, options.useKernel ?? true);
  const blocks = Math.ceil(model.agents / size);
  while (options.startTogether && !failed && Atomics.load(ready, 0) < workers) await new Promise((resolve) => setTimeout(resolve, 1));
  // the pool's share of the work (expected), then the blocks' (which skip the pool)
  const poolShare = history ? Math.min(1, poolSize / model.agents) : 0;
  let poolDone = history ? 0 : 1;
  const progress = () => onProgress?.(poolShare * poolDone + (1 - poolShare) * (Math.min(blocks, Atomics.load(next, 0)) / blocks));
  const timer = callerWorks ? undefined : setInterval(progress, 100);
  let yielded = performance.now();
  // let progress, worker messages and signals through every 50 ms or so
  const breathe = async () => {
    if (performance.now() - yielded < 50) return;
    progress();
    await new Promise((resolve) => setImmediate(resolve));
    yielded = performance.now();
  };
  // The followed pool first, on this thread alone, in agent order: its history is
  // then the whole run's, and every thread skips the pool in its blocks, so no
  // thread sends events and nothing is merged (decision 4 in docs/performance.md).
  if (history) {
    for (let from = 0; from < model.agents && !failed; from += size) {
      runPool(run, from, Math.min(model.agents, from + size));
      poolDone = Math.min(model.agents, from + size) / model.agents;
      await breathe();
    }
    poolDone = 1;
    run.skip = history.mask;
  }
  let taken = 0;
  for (let b = callerWorks ? Atomics.add(next, 0, 1) : blocks; b < blocks; b = Atomics.add(next, 0, 1)) {
    runAgents(run, [b * size, Math.min(model.agents, (b + 1) * size)]);
    taken++;
    if (failed) break;
    await breathe();
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
  return {
    counters,
    threads: parts,
    history: history ?? null,
    contacts: [],
    blocks: callerWorks ? [taken, ...results.map((r) => r.blocks)] : results.map((r) => r.blocks),
    networkThreads: 1,
  };
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
        resolve({
          arrays: msg.arrays,
          events: msg.events ?? null,
          contacts: msg.contacts ?? [],
          blocks: msg.blocks ?? 0,
          domains: msg.domains,
          networkThreads: msg.networkThreads,
          dayThreads: msg.dayThreads,
        });
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (code !== 0) reject(new Error(`simulation worker exited with code ${code}`));
    });
  });
}

/**
 * Events as a history in agent order, each agent's events in their order (a
 * stable sort), as the per-agent engine logs them: the calendar engine logs them
 * day by day, and the run's follow tables number them (seq) in this order
 * whatever the engine. Events already in agent order are taken as they are.
 */
export function historyByAgent(mask: Uint8Array, e: EventColumns): History {
  let sorted = true;
  for (let x = 1; x < e.count && sorted; x++) sorted = e.agent[x] >= e.agent[x - 1];
  if (sorted) return History.over(mask, e);
  const order = Array.from({ length: e.count }, (_, x) => x).sort((p, q) => e.agent[p] - e.agent[q] || p - q);
  return History.over(mask, {
    count: e.count,
    day: Int32Array.from(order, (x) => e.day[x]),
    agent: Int32Array.from(order, (x) => e.agent[x]),
    type: Uint8Array.from(order, (x) => e.type[x]),
    a: Int32Array.from(order, (x) => e.a[x]),
    b: Int32Array.from(order, (x) => e.b[x]),
    v: Float64Array.from(order, (x) => e.v[x]),
  });
}
