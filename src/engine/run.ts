import type { Counters } from "./counters.js";
import type { Model } from "./model.js";
import { runSeparable } from "./separable.js";
import { isSeparable, Simulation } from "./simulate.js";

export interface EngineOptions {
  /** `auto` picks the per-agent engine when agents do not interact. */
  engine?: "auto" | "calendar" | "separable";
  /** Agents [from, to) only (separable scenarios). */
  range?: [number, number];
  /** Called with the share of work done, 0..1. */
  onProgress?: (done: number) => void;
}

/** Runs a compiled scenario in this thread. */
export function simulate(model: Model, options: EngineOptions = {}): Counters {
  const engine = options.engine ?? "auto";
  const separable = isSeparable(model);
  if (engine === "separable" || (engine === "auto" && separable)) {
    return runSeparable(model, options.range ?? [0, model.agents], options.onProgress);
  }
  const sim = new Simulation(model, { range: options.range });
  return sim.run(options.onProgress ? (t) => options.onProgress?.((t + 1) / model.days) : undefined);
}
