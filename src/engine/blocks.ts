import type { Model } from "./model.js";

// Blocks of consecutive agents that threads take from one shared counter
// (src/engine/parallel.node.ts): a thread that runs faster takes more of them.

/**
 * Agents per block: about 64 blocks per thread, each long enough that taking one
 * costs nothing and short enough that the calling thread answers Ctrl-C and
 * progress between blocks and the last blocks end together: at most the work of
 * 16,384 agents over 365 days (some tens of ms), fewer agents for longer runs.
 */
export function blockSize(agents: number, threads: number, days: number): number {
  const most = Math.max(1, Math.floor((16384 * 365) / Math.max(1, days)));
  return Math.min(most, Math.max(Math.min(1024, most), Math.ceil(agents / (threads * 64))));
}

/** Runs blocks, taking each one's number from the shared counter `next`, until none is left. */
export function takeBlocks(model: Model, next: Int32Array, size: number, run: (from: number, to: number) => void): void {
  const blocks = Math.ceil(model.agents / size);
  for (let b = Atomics.add(next, 0, 1); b < blocks; b = Atomics.add(next, 0, 1)) run(b * size, Math.min(model.agents, (b + 1) * size));
}
