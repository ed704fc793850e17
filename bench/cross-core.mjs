// node bench/cross-core.mjs — what a day's pass pays for records the other
// thread wrote last. A premise of any plan to put the calendar engine's passes
// on two threads (docs/performance.md, "Where fused-city's time goes").
//
// 3,000,000 records of 64 bytes in shared memory; each round picks 40,000 of
// them at random (a day's touched agents at about 3·10^6, in id order) and runs
// the same pass over them five times: read both ends of each record in batches
// of 32 (decision 17), then write a word of each. The five passes, in order:
//   from memory      the records untouched since the previous round's pick
//   again here       just written by this thread
//   on the other     by the other thread, just after this one wrote them
//   again there      by the other thread, which wrote them last
//   back here        by this thread, after the other wrote them
// Prints the median over the rounds (the first five dropped) per record.
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const AGENTS = 3_000_000;
const HOT = 16; // 4-byte words per record, as in src/engine/simulate.ts
const PICKED = 40_000;
const ROUNDS = 60;
const BATCH = 32;

function pass(hot, ids) {
  let x = 0;
  for (let k = 0; k < PICKED; k += BATCH) {
    const end = Math.min(PICKED, k + BATCH);
    for (let j = k; j < end; j++) x |= hot[ids[j] * HOT] | hot[ids[j] * HOT + HOT - 1];
    for (let j = k; j < end; j++) hot[ids[j] * HOT + 10] = hot[ids[j] * HOT + 11] + j + x;
  }
  return x;
}

if (isMainThread) {
  const records = new SharedArrayBuffer(AGENTS * HOT * 4);
  const hot = new Int32Array(records);
  hot.fill(1);
  const control = new Int32Array(new SharedArrayBuffer(12)); // task count, done, the other's result
  const ids = new Int32Array(new SharedArrayBuffer(PICKED * 4));
  const worker = new Worker(new URL(import.meta.url), { workerData: { records, control: control.buffer, ids: ids.buffer } });
  await new Promise((resolve) => worker.once("message", resolve));
  const onOther = () => {
    Atomics.store(control, 1, 0);
    Atomics.add(control, 0, 1);
    Atomics.notify(control, 0);
    Atomics.wait(control, 1, 0);
  };
  let seed = 1;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const cases = { "from memory": [], "again here": [], "on the other": [], "again there": [], "back here": [] };
  let sink = 0;
  const timed = (name, f) => {
    const started = performance.now();
    f();
    cases[name].push(performance.now() - started);
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < PICKED; k++) ids[k] = Math.floor(random() * AGENTS);
    ids.sort();
    timed("from memory", () => (sink ^= pass(hot, ids)));
    timed("again here", () => (sink ^= pass(hot, ids)));
    timed("on the other", onOther);
    timed("again there", onOther);
    timed("back here", () => (sink ^= pass(hot, ids)));
  }
  const median = (v) => v.slice(5).sort((a, b) => a - b)[(v.length - 5) >> 1];
  for (const [name, v] of Object.entries(cases)) console.log(`${name.padEnd(13)} ${((1e6 * median(v)) / PICKED).toFixed(0).padStart(4)} ns per record`);
  if (sink === 0.5) console.log(Atomics.load(control, 2)); // keeps the passes' results alive
  await worker.terminate();
} else {
  const hot = new Int32Array(workerData.records);
  const control = new Int32Array(workerData.control);
  const ids = new Int32Array(workerData.ids);
  parentPort.postMessage("ready");
  for (let seen = 0; ; ) {
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    Atomics.store(control, 2, pass(hot, ids));
    Atomics.store(control, 1, 1);
    Atomics.notify(control, 1);
  }
}
