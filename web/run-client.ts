import type { RunRequest, RunResult, WorkerMessage } from "./protocol.js";

// One simulation in its own Web Worker; cancelling terminates the worker, so a
// new run never waits for an old one.

export interface RunHandle {
  done: Promise<RunResult>;
  cancel: () => void;
}

export function startRun(request: RunRequest, onProgress: (m: Extract<WorkerMessage, { type: "progress" }>) => void): RunHandle {
  const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  let cancel = () => {};
  const done = new Promise<RunResult>((resolve, reject) => {
    cancel = () => {
      worker.terminate();
      reject(new DOMException("cancelled", "AbortError"));
    };
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.type === "progress") onProgress(m);
      else {
        worker.terminate();
        if (m.type === "done") resolve(m.result);
        else reject(new Error(m.message));
      }
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message || "the simulation worker failed"));
    };
    worker.postMessage(request);
  });
  return { done, cancel };
}
