import type { Model } from "./model.js";
import { HELPER_FROM_AGENTS, networkTemporaryBytes } from "./network.js";
import { isSeparable, RECORD_BYTES } from "./simulate.js";

// Bytes a run needs, estimated from the layout in simulate.ts / separable.ts /
// network.ts, so a population that cannot fit is refused before it starts.

export interface MemoryEstimate {
  engine: "separable" | "calendar";
  bytes: number;
  bytesPerAgent: number;
  /** Fixed part (counters, tables), independent of the number of agents. */
  fixedBytes: number;
}

/**
 * `threads`: threads of a per-agent run; each holds its own counters and class
 * bytes, and each worker its own runtime. An interacting run builds its
 * network on two threads and runs its days on two lanes from HELPER_FROM_AGENTS
 * (= LANES_FROM_AGENTS) agents when asked for two or more; the second lane's
 * runtime, counters and copies of the population's arrays in shared memory (5
 * bytes per agent while the originals await the collector) are not counted:
 * they fit in the margin over the measured peak (fused-city at 10^8 on two
 * lanes peaked at 12.64 GB against the 19.5 GiB estimated).
 */
export function estimateMemory(model: Model, threads = 1): MemoryEstimate {
  const N = model.agents;
  const counters = 8 * model.days * model.G * (22 + 2 * model.B) + 8 * model.G * 2 * 4096; // counters, histograms
  const fixed = counters + 64e6; // + runtime
  if (isSeparable(model)) {
    const T = Math.max(1, threads);
    const perAgent = T; // a class byte per thread; all other state lives only for the agent being run
    // a worker's counters, deltas and runtime; in every thread, the WebAssembly kernel's own counters and deltas
    const fixedT = fixed + (T - 1) * (counters + 32e6) + T * 2 * counters;
    return { engine: "separable", bytes: fixedT + perAgent * N, bytesPerAgent: perAgent, fixedBytes: fixedT };
  }
  // the 64-byte agent record (scores, days, flags, fear, appeal and cure days,
  // listed-contact counts) + class byte + calendar entries (~1.5 per agent, 4 bytes)
  let perAgent = RECORD_BYTES + 1 + 6;
  if (model.breach) perAgent += 4; // records kept before the breach (two u16)
  if (model.tierNames.length > 0) perAgent += 1; // tier at mid-run
  if (model.households) perAgent += 4 + 4 / 1.5 + (model.D + 1) / 1.5;
  if (model.network) {
    const k = model.network.degree;
    perAgent += 4 + 4 * k; // CSR start + adjacency
    perAgent += model.cutTie > 0 ? 12 * k * 0.2 : 0; // pending tie cuts (about a fifth of ties at risk)
    // while building: two rings, positions, groups, edge list, degrees
    perAgent += 4 * 4 + 4 * k;
  }
  let fixedBytes = fixed;
  if (model.network && threads > 1 && N >= HELPER_FROM_AGENTS) {
    // On two threads, half the lists are written aside (network.ts). The build's
    // temporaries live in the records' memory while they fit there (decision 22):
    // then the aside costs nothing more; otherwise count it.
    if (networkTemporaryBytes(model.network.degree, true) >= RECORD_BYTES) perAgent += 2 * model.network.degree;
    fixedBytes += 32e6; // the helper's runtime
  }
  return { engine: "calendar", bytes: fixedBytes + perAgent * N, bytesPerAgent: perAgent, fixedBytes };
}

/** Largest population of this scenario that fits in `available` bytes. */
export function largestFitting(estimate: MemoryEstimate, available: number): number {
  return Math.max(0, Math.floor((available - estimate.fixedBytes) / estimate.bytesPerAgent));
}
