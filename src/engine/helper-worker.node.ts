import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Starts a helper thread (the network build's or the days' second thread) and
 * resolves once it has loaded and said so; rejects if it stops first. An idle
 * helper does not keep the process alive.
 */
export async function startHelperWorker(url: URL, options: WorkerOptions, name: string): Promise<Worker> {
  const worker = new Worker(url, options);
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`${name} stopped as it started (exit code ${code})`)));
  });
  worker.removeAllListeners();
  worker.unref();
  return worker;
}
