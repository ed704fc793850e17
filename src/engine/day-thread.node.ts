import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from "node:worker_threads";
import { startHelperWorker } from "./helper-worker.node.js";
import type { Model } from "./model.js";
import { type DayHelper, isSeparable, type LaneLink, type LaneShared } from "./simulate.js";

// Node-only. The days of a run on two threads (decision 23): a worker runs the
// upper lane of the agents (simulate.ts) in step with the calling thread's
// lower lane. Both are synchronous; each message between them is posted on a
// port and announced on a shared word, and the receiver blocks on that word
// (Atomics.wait) and then reads the port (receiveMessageOnPort), so neither
// needs its event loop during the run.

const isSource = import.meta.url.endsWith(".ts");
const workerUrl = new URL(isSource ? "./day-worker.node.ts" : "./day-worker.node.js", import.meta.url);

/** From this many agents, an interacting run on two threads or more runs its days on two lanes (docs/performance.md, decision 23). */
export const LANES_FROM_AGENTS = 1 << 19;

/** Word of the lower lane (the calling thread) and of the upper lane: messages announced to it. */
const LOWER = 0;
const UPPER = 1;

/**
 * A second thread for the days of a run on `threads` threads, or null when the
 * days run on one: one thread asked for, agents that do not interact (the
 * per-agent engine splits those), fewer agents than LANES_FROM_AGENTS, or the
 * TypeScript sources (tests), whose workers cannot load the engine.
 */
export async function dayHelperFor(model: Model, threads: number): Promise<DayThread | null> {
  if (threads < 2 || isSeparable(model) || model.agents < LANES_FROM_AGENTS || isSource) return null;
  return DayThread.open();
}

/** One lane's end of the messages between the two. */
export class PortLink implements LaneLink {
  private seen = 0;

  constructor(
    private readonly port: MessagePort,
    private readonly words: Int32Array,
    private readonly mine: number,
  ) {}

  send(value: unknown, transfer: ArrayBuffer[] = []): void {
    this.port.postMessage(value, transfer);
    const theirs = 1 - this.mine;
    Atomics.add(this.words, theirs, 1);
    Atomics.notify(this.words, theirs);
  }

  receive(): unknown {
    // in slices of a second: a terminated thread stops at the next one
    while (Atomics.load(this.words, this.mine) === this.seen) Atomics.wait(this.words, this.mine, this.seen, 1000);
    this.seen++;
    const got = receiveMessageOnPort(this.port);
    if (!got) throw new Error("the other lane of the run announced a message that did not arrive");
    const message = got.message as { laneFailed?: string } | null;
    if (message && typeof message === "object" && "laneFailed" in message) throw new Error(`the days' helper thread failed: ${message.laneFailed}`);
    return got.message;
  }
}

export class DayThread implements DayHelper {
  private started = false;

  private constructor(
    private readonly worker: Worker,
    private readonly words: Int32Array,
    private readonly port: MessagePort,
  ) {}

  /** Starts the worker and resolves once it has loaded the engine (rejects if it cannot). */
  static async open(): Promise<DayThread> {
    if (isSource) throw new Error("the days' helper thread runs the compiled engine (dist/): run `npm run build` first");
    const words = new Int32Array(new SharedArrayBuffer(2 * 4));
    const { port1, port2 } = new MessageChannel();
    const worker = await startHelperWorker(workerUrl, { workerData: { words: words.buffer, port: port2 }, transferList: [port2] }, "the days' helper thread");
    // The calling thread is blocked while the lane runs and hears no event: a
    // failure reaches it as a message (day-worker.node.ts). An error event must
    // not also throw in this thread once it listens again.
    worker.on("error", () => {});
    return new DayThread(worker, words, port1);
  }

  start(model: Model, shared: LaneShared): LaneLink {
    if (this.started) throw new Error("the days' helper thread already runs a lane");
    this.started = true;
    this.worker.postMessage({ model, shared: packShared(shared) });
    return new PortLink(this.port, this.words, LOWER);
  }

  /** Stops the worker (after a run, or if the run failed while the worker waits). */
  end(): void {
    this.port.close();
    void this.worker.terminate();
  }
}

/** The upper lane's end, in the worker. */
export function upperLink(port: MessagePort, words: SharedArrayBuffer): PortLink {
  return new PortLink(port, new Int32Array(words), UPPER);
}

type View = Int32Array | Uint8Array | Uint16Array | Int8Array | Float32Array;
const VIEWS = { Int32Array, Uint8Array, Uint16Array, Int8Array, Float32Array } as const;

/** A view of shared memory as posted: V8 posts a view's offset as a 32-bit number (network-thread.node.ts, packTask). */
interface PostedView {
  shared: SharedArrayBuffer;
  type: keyof typeof VIEWS;
  byteOffset: number;
  length: number;
}

const isSharedView = (x: unknown): x is View => ArrayBuffer.isView(x) && x.buffer instanceof SharedArrayBuffer;

/** LaneShared with each view of shared memory (in it, its population and its network) posted as its buffer, offset and length. */
export function packShared(shared: LaneShared): unknown {
  const pack = (x: unknown): unknown => {
    if (isSharedView(x)) return { shared: x.buffer, type: x.constructor.name, byteOffset: x.byteOffset, length: x.length } as PostedView;
    if (x && typeof x === "object" && !ArrayBuffer.isView(x) && !(x instanceof SharedArrayBuffer))
      return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, pack(v)]));
    return x;
  };
  return pack(shared);
}

/** The LaneShared packShared posted, its views made again. */
export function unpackShared(posted: unknown): LaneShared {
  const unpack = (x: unknown): unknown => {
    if (x && typeof x === "object" && "shared" in x && (x as PostedView).shared instanceof SharedArrayBuffer) {
      const v = x as PostedView;
      return new VIEWS[v.type](v.shared as unknown as ArrayBuffer, v.byteOffset, v.length);
    }
    if (x && typeof x === "object" && !ArrayBuffer.isView(x) && !(x instanceof SharedArrayBuffer))
      return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, unpack(v)]));
    return x;
  };
  return unpack(posted) as LaneShared;
}
