// Sorts a day's woken agent ids ascending: a least-significant-digit radix sort,
// 11 bits a pass, as many passes as the largest id needs (one up to 2,048
// agents, two up to 2^22, three above); a day of fewer than 256 wakes goes to
// TypedArray.prototype.sort, cheaper at that size. The calendar engine sorts every day's wakes
// (decision 6 in docs/performance.md); at 10^6 agents and more, the engine's
// comparison sort (TypedArray.prototype.sort) took a few per cent of the run.

export const BITS = 11;
export const RADIX = 1 << BITS;
export const MASK = RADIX - 1;

/** Passes of BITS bits that values in [0, limit) need (at least one). */
export function radixPasses(limit: number): number {
  return Math.max(1, Math.ceil((32 - Math.clz32(Math.max(1, limit - 1))) / BITS));
}

/** Turns a pass's digit counts into the offsets where each digit's values start. */
export function countsToOffsets(counts: Int32Array): void {
  let sum = 0;
  for (let d = 0; d < RADIX; d++) {
    const c = counts[d];
    counts[d] = sum;
    sum += c;
  }
}

/** Reusable buffers for sortAgents. */
export class AgentSorter {
  private spare: Int32Array = new Int32Array(1024);
  private readonly counts = new Int32Array(RADIX);

  /**
   * Sorts out.buf[0..n) ascending, where every value is in [0, limit); may swap
   * out.buf for a buffer of its own (the sorted values are in out.buf after).
   */
  sort(out: { buf: Int32Array }, n: number, limit: number): void {
    if (n < 2) return;
    if (n < 256) {
      out.buf.subarray(0, n).sort();
      return;
    }
    if (this.spare.length < out.buf.length) this.spare = new Int32Array(out.buf.length);
    let from = out.buf;
    let to = this.spare;
    const counts = this.counts;
    const passes = radixPasses(limit);
    for (let pass = 0, shift = 0; pass < passes; pass++, shift += BITS) {
      counts.fill(0);
      for (let k = 0; k < n; k++) counts[(from[k] >>> shift) & MASK]++;
      countsToOffsets(counts);
      for (let k = 0; k < n; k++) {
        const v = from[k];
        to[counts[(v >>> shift) & MASK]++] = v;
      }
      const swap = from;
      from = to;
      to = swap;
    }
    out.buf = from;
    this.spare = to;
  }
}
