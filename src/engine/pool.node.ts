import { Worker } from "node:worker_threads";

// Node-only. Simulation workers started ahead of the run: `credsim run` starts
// them before it loads its own modules (about 0.7 s), so that they are ready
// when the run begins instead of starting up while it runs (a worker is ready
// some 85 ms after it is started: docs/performance.md, decision 15). An idle
// worker does not keep the process alive, and one that is never used costs only
// its start-up.

const isSource = import.meta.url.endsWith(".ts");
export const workerUrl = new URL(isSource ? "./worker.node.ts" : "./worker.node.js", import.meta.url);

const idle: Worker[] = [];
const ready: Promise<void>[] = [];

/** Starts `count` workers that load the engine and wait for a job. */
export function prestartWorkers(count: number): void {
  if (isSource) return; // from TypeScript sources, workers cannot load the engine
  for (let k = 0; k < count; k++) {
    const worker = new Worker(workerUrl, { workerData: null });
    worker.unref();
    const drop = () => {
      const at = idle.indexOf(worker);
      if (at >= 0) idle.splice(at, 1);
    };
    worker.once("error", drop);
    worker.once("exit", drop);
    // it says so once it has loaded the engine (or it failed: a job then starts a worker of its own)
    ready.push(
      new Promise((resolve) => {
        worker.once("message", () => resolve());
        worker.once("error", () => resolve());
      }),
    );
    idle.push(worker);
  }
}

/** A started worker waiting for a job, or null; the caller posts the job. */
export function takeWorker(): Worker | null {
  const worker = idle.shift() ?? null;
  worker?.ref();
  return worker;
}

/** Workers not yet taken (tests). */
export function idleWorkers(): number {
  return idle.length;
}

/** Resolves once every started worker has loaded the engine (bench/child.mjs, like a command that loads its modules meanwhile). */
export async function workersReady(): Promise<void> {
  await Promise.all(ready);
}
