// The read-ahead loops (decision 17 in docs/performance.md) read memory only so
// that it is in the cache when the next loop needs it. What they read is folded
// in here, so that the compiler cannot drop the reads as unused.
let kept = 0;

/** Keeps x, a value a read-ahead loop folded together. */
export function keepRead(x: number): void {
  kept ^= x;
}

/** What keepRead has folded together; its value means nothing (it exists so that the sink is read somewhere). */
export function keptReads(): number {
  return kept;
}
