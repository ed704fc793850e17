import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { type NetworkTask, runNetworkTask } from "./network.js";
import { STATE } from "./network-thread.node.js";

// Node-only: the worker of network-thread.node.ts. It runs each task it is sent
// and then wakes the thread waiting for it.

const { state: buffer, failures } = workerData as { state: SharedArrayBuffer; failures: MessagePort };
const state = new Int32Array(buffer);

parentPort?.on("message", (task: NetworkTask) => {
  try {
    Atomics.store(state, STATE.result, runNetworkTask(task));
    Atomics.store(state, STATE.failed, 0);
  } catch (error) {
    failures.postMessage(error instanceof Error ? error.message : String(error));
    Atomics.store(state, STATE.failed, 1);
  }
  Atomics.store(state, STATE.done, 1);
  Atomics.notify(state, STATE.done);
});
parentPort?.postMessage("ready");
