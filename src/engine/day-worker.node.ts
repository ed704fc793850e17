import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { unpackShared, upperLink } from "./day-thread.node.js";
import { History } from "./history.js";
import type { Model } from "./model.js";
import { Simulation } from "./simulate.js";

// Node-only: the worker of day-thread.node.ts. It runs the upper lane of one
// run and ends. The lower lane is blocked waiting for it at every meeting and
// cannot hear this worker's events: every way the lane can end, failures
// included, must reach it as a message.

const { words, port } = workerData as { words: SharedArrayBuffer; port: MessagePort };
const link = upperLink(port, words);
let running = false;

parentPort?.once("message", ({ model, shared }: { model: Model; shared: unknown }) => {
  running = true;
  try {
    const lane = unpackShared(shared);
    const history = lane.historyMask ? new History(lane.historyMask) : undefined;
    new Simulation(model, { lane: { shared: lane, link }, history }).run();
  } catch (error) {
    link.send({ laneFailed: error instanceof Error ? error.message : String(error) });
  }
  running = false;
});
// a worker that stops while its lane runs (process.exit, an error outside the run)
process.on("exit", (code) => {
  if (running) link.send({ laneFailed: `it stopped during the run (exit code ${code})` });
});
parentPort?.postMessage("ready");
