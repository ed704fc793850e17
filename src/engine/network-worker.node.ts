import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { runNetworkTask } from "./network.js";
import { STATE, unpackTask } from "./network-thread.node.js";

// Node-only: the worker of network-thread.node.ts. It runs each task it is sent
// and then wakes the thread waiting for it, which is blocked and cannot hear the
// worker's events: every way a task can end, failures included, must wake it.

const { state: buffer, failures } = workerData as { state: SharedArrayBuffer; failures: MessagePort };
const state = new Int32Array(buffer);

function wake(failure: string | null): void {
  if (failure !== null) failures.postMessage(failure);
  Atomics.store(state, STATE.failed, failure === null ? 0 : 1);
  Atomics.store(state, STATE.done, 1);
  Atomics.notify(state, STATE.done);
}

parentPort?.on("message", (posted: unknown) => {
  let result: number;
  try {
    result = runNetworkTask(unpackTask(posted));
  } catch (error) {
    wake(error instanceof Error ? error.message : String(error));
    return;
  }
  Atomics.store(state, STATE.result, result);
  wake(null);
});
parentPort?.on("messageerror", (error) => wake(`a task could not be read (${error.message})`));
// a worker that stops while a task runs (process.exit, an error outside a task)
process.on("exit", (code) => {
  if (Atomics.load(state, STATE.done) === 0) wake(`it stopped during a task (exit code ${code})`);
});
parentPort?.postMessage("ready");
