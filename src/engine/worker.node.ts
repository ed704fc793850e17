import { parentPort, workerData } from "node:worker_threads";
import { takeBlocks } from "./blocks.js";
import { type Counters, countersArrays } from "./counters.js";
import { followedPool, History } from "./history.js";
import { kernelAvailable } from "./kernel.js";
import { compileModel } from "./model.js";
import type { WorkerJob } from "./parallel.node.js";
import { finishSeparable, runAgents, startSeparable } from "./separable.js";

async function runJob({ scenario, poolSize, blocks, useKernel, networkThreads }: WorkerJob): Promise<void> {
  const model = compileModel(scenario);
  const pool = poolSize > 0 ? followedPool(model, poolSize) : null;
  let history: History | undefined;
  let contacts: { agent: number; contact: number; cut: boolean; everListed: boolean }[] = [];
  let counters: Counters;
  let taken = 0;
  let domains: Float64Array | undefined;
  let networkBuiltOn = 1;
  let daysOn = 1;
  if (blocks) {
    // the calling thread runs the followed pool and logs its events; this one skips it
    const run = startSeparable(model, undefined, useKernel ?? true);
    run.skip = pool;
    const ready = new Int32Array(blocks.ready);
    Atomics.add(ready, 0, 1);
    takeBlocks(model, new Int32Array(blocks.next), blocks.size, (from, to) => {
      runAgents(run, [from, to]);
      taken++;
    });
    counters = finishSeparable(run, false);
    domains = run.deltas.domain;
  } else {
    // the calendar engine, loaded only here: a worker that takes blocks starts sooner without it
    const { simulate } = await import("./run.js");
    const { networkHelperFor } = await import("./network-thread.node.js");
    const { dayHelperFor } = await import("./day-thread.node.js");
    history = pool ? new History(pool) : undefined;
    const networkHelper = await networkHelperFor(model, networkThreads ?? 1);
    if (networkHelper) networkBuiltOn = 2;
    let dayHelper: Awaited<ReturnType<typeof dayHelperFor>> = null;
    let last = 0;
    try {
      dayHelper = await dayHelperFor(model, networkThreads ?? 1);
      if (dayHelper) daysOn = 2;
      counters = simulate(model, {
        history,
        networkHelper,
        dayHelper,
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
    } finally {
      networkHelper?.end(); // already ended by the build, unless the run failed before it
      dayHelper?.end();
    }
  }
  const arrays = countersArrays(counters);
  const events = history?.columns();
  parentPort?.postMessage({ arrays, events: events?.columns ?? null, contacts, blocks: taken, domains, networkThreads: networkBuiltOn, dayThreads: daysOn }, [
    ...[...arrays, ...(domains ? [domains] : [])].map((a) => a.buffer as ArrayBuffer),
    ...(events?.buffers ?? []),
  ]);
}

if (workerData) await runJob(workerData as WorkerJob);
else {
  // started ahead of the run (pool.node.ts): compile the kernel and load the
  // calendar engine while nothing waits, then run the job that comes
  kernelAvailable();
  await import("./run.js");
  parentPort?.once("message", (job: WorkerJob) => void runJob(job));
  parentPort?.postMessage({ loaded: true });
}
