import type { Counters } from "./counters.js";
import type { History } from "./history.js";
import type { Model } from "./model.js";
import type { NetworkHelper } from "./network.js";
import { runSeparable } from "./separable.js";
import { type DayHelper, isSeparable, Simulation } from "./simulate.js";

export interface EngineOptions {
  /** `auto` picks the per-agent engine when agents do not interact. */
  engine?: "auto" | "calendar" | "separable";
  /** Agents [from, to) only (separable scenarios). */
  range?: [number, number];
  /** Every step-th agent of the range only (separable scenarios; default 1). */
  step?: number;
  /** Called with the share of work done, 0..1. */
  onProgress?: (done: number) => void;
  /** Event log for tracked agents. */
  history?: History;
  /** Called with the calendar engine's final state (for contacts of followed agents). */
  onFinish?: (sim: Simulation) => void;
  /** A second thread for the calendar engine's network build (network-thread.node.ts). */
  networkHelper?: NetworkHelper | null;
  /** A second thread for the calendar engine's days (day-thread.node.ts). */
  dayHelper?: DayHelper | null;
}

/** Runs a compiled scenario in this thread. */
export function simulate(model: Model, options: EngineOptions = {}): Counters {
  const engine = options.engine ?? "auto";
  const separable = isSeparable(model);
  if (engine === "separable" || (engine === "auto" && separable)) {
    return runSeparable(model, options.range ?? [0, model.agents], options.onProgress, options.history, options.step ?? 1);
  }
  if ((options.step ?? 1) !== 1) throw new Error("a step other than 1 needs a scenario whose agents do not interact");
  const sim = new Simulation(model, { range: options.range, history: options.history, networkHelper: options.networkHelper, dayHelper: options.dayHelper });
  const counters = sim.run(options.onProgress ? (t) => options.onProgress?.((t + 1) / model.days) : undefined);
  options.onFinish?.(sim);
  return counters;
}
