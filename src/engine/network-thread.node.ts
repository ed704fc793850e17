import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from "node:worker_threads";
import { startHelperWorker } from "./helper-worker.node.js";
import type { Model } from "./model.js";
import { HELPER_FROM_AGENTS, type NetworkHelper, type NetworkTask } from "./network.js";

// Node-only. The network build's second thread (NetworkHelper in network.ts).
// The build is synchronous, as is the Simulation constructor that calls it: the
// calling thread posts half a stage to this worker, does the other half, then
// blocks on a shared word until the worker has finished (Atomics.wait). A worker
// is ready once it has loaded, so `open` is awaited before a build begins.

const isSource = import.meta.url.endsWith(".ts");
const workerUrl = new URL(isSource ? "./network-worker.node.ts" : "./network-worker.node.js", import.meta.url);

/** Words of the state shared with the worker. */
export const STATE = { done: 0, result: 1, failed: 2 } as const;

/**
 * A helper for building the network of a run on `threads` threads, or null when
 * the build runs on one: one thread asked for, no network, fewer agents than
 * HELPER_FROM_AGENTS, or the TypeScript sources (tests), whose workers cannot
 * load the engine.
 */
export async function networkHelperFor(model: Model, threads: number): Promise<NetworkThread | null> {
  if (threads < 2 || !model.network || model.agents < HELPER_FROM_AGENTS || isSource) return null;
  return NetworkThread.open();
}

export class NetworkThread implements NetworkHelper {
  private running = false;
  private ended = false;

  private constructor(
    private readonly worker: Worker,
    private readonly state: Int32Array,
    private readonly failures: MessagePort,
  ) {}

  /** Starts the worker and resolves once it has loaded (rejects if it cannot). */
  static async open(): Promise<NetworkThread> {
    if (isSource) throw new Error("the network's helper thread runs the compiled engine (dist/): run `npm run build` first");
    const state = new Int32Array(new SharedArrayBuffer(3 * 4));
    const { port1, port2 } = new MessageChannel();
    const worker = await startHelperWorker(
      workerUrl,
      { workerData: { state: state.buffer, failures: port2 }, transferList: [port2] },
      "the network's helper thread",
    );
    return new NetworkThread(worker, state, port1);
  }

  shared(length: number): Int32Array {
    return new Int32Array(new SharedArrayBuffer(length * 4));
  }

  start(task: NetworkTask): void {
    if (this.running) throw new Error("the network's helper thread is already running a task");
    if (this.ended) throw new Error("the network's helper thread has ended");
    Atomics.store(this.state, STATE.done, 0);
    this.worker.postMessage(packTask(task));
    this.running = true;
  }

  finish(): number {
    if (!this.running) throw new Error("the network's helper thread has no task to finish");
    Atomics.wait(this.state, STATE.done, 0);
    this.running = false;
    if (Atomics.load(this.state, STATE.failed) !== 0) {
      const message = receiveMessageOnPort(this.failures)?.message;
      throw new Error(`the network's helper thread failed: ${message ?? "no message"}`);
    }
    return Atomics.load(this.state, STATE.result);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.failures.close();
    void this.worker.terminate();
  }

  /** Stops the worker and waits until it has stopped. */
  async close(): Promise<void> {
    this.end();
    await this.worker.terminate();
  }
}

/** A view of shared memory, as posted: see packTask. */
interface SharedView {
  shared: SharedArrayBuffer;
  byteOffset: number;
  length: number;
}

/**
 * The task with each view of shared memory (the task's arrays, and the arrays
 * of a "touch") replaced by its buffer, offset and length. V8 posts a view's
 * offset as a 32-bit number: a view from 4 GiB on into the records' memory,
 * lent to the build at 10^8 agents (decision 22), arrived unreadable. Only the
 * task's own fields are looked at: views nested deeper (the TieSpec's arrays)
 * must not be shared, and are copied (the helper only reads them).
 */
export function packTask(task: NetworkTask): unknown {
  const pack = (value: unknown): unknown => {
    if (value && typeof value === "object" && !ArrayBuffer.isView(value) && !Array.isArray(value))
      for (const inner of Object.values(value))
        if (ArrayBuffer.isView(inner) && inner.buffer instanceof SharedArrayBuffer)
          throw new Error("packTask: a view of shared memory nested in a task's field");
    if (value instanceof Int32Array && value.buffer instanceof SharedArrayBuffer)
      return { shared: value.buffer, byteOffset: value.byteOffset, length: value.length } satisfies SharedView;
    if (Array.isArray(value)) return value.map(pack);
    return value;
  };
  return Object.fromEntries(Object.entries(task).map(([key, value]) => [key, pack(value)]));
}

/** The task packTask posted, with its views of shared memory made again. */
export function unpackTask(posted: unknown): NetworkTask {
  const unpack = (value: unknown): unknown => {
    if (value && typeof value === "object" && "shared" in value && (value as SharedView).shared instanceof SharedArrayBuffer) {
      const view = value as SharedView;
      return new Int32Array(view.shared, view.byteOffset, view.length);
    }
    if (Array.isArray(value)) return value.map(unpack);
    return value;
  };
  return Object.fromEntries(Object.entries(posted as Record<string, unknown>).map(([key, value]) => [key, unpack(value)])) as NetworkTask;
}
