// Orders a day's due tie cuts by edge, then by listing start: the order cutTies
// must visit them in (src/engine/simulate.ts), so that when both ends of a tie
// draw a cut for the same day the same one cuts it, however agents were
// visited. A least-significant-digit radix sort of the rows' indices, 11 bits a
// pass: first by listing start, then (stably) by edge. At 10^8 agents a day has
// about 80,000 due cuts, and an array sorted with a comparator cost about as
// much as the cuts themselves (docs/performance.md, decision 21).

import { BITS, countsToOffsets, MASK, RADIX, radixPasses } from "./sort-agents.js";

/** Reusable buffers for ordering rows of (listed agent, edge, listing start). */
export class CutSorter {
  private order = new Int32Array(1024);
  private spare = new Int32Array(1024);
  private readonly counts = new Int32Array(RADIX);

  /**
   * The indices 0..n − 1 of the rows of `rows` (3 ints each: agent, edge, listing
   * start), ordered by edge, then listing start; edges are in [0, edgeLimit) and
   * listing starts in [0, dayLimit). The array is the sorter's own, valid until
   * the next call; only its first n entries count.
   */
  sort(rows: Int32Array, n: number, edgeLimit: number, dayLimit: number): Int32Array {
    if (this.order.length < n) {
      this.order = new Int32Array(Math.max(n, this.order.length * 2));
      this.spare = new Int32Array(this.order.length);
    }
    for (let k = 0; k < n; k++) this.order[k] = k;
    if (n < 2) return this.order;
    this.byColumn(rows, n, 2, dayLimit);
    this.byColumn(rows, n, 1, edgeLimit);
    return this.order;
  }

  /** Stable passes over this.order by column `col` of the rows, whose values are in [0, limit). */
  private byColumn(rows: Int32Array, n: number, col: number, limit: number): void {
    const counts = this.counts;
    const passes = radixPasses(limit);
    for (let pass = 0, shift = 0; pass < passes; pass++, shift += BITS) {
      const from = this.order;
      const to = this.spare;
      counts.fill(0);
      for (let k = 0; k < n; k++) counts[(rows[from[k] * 3 + col] >>> shift) & MASK]++;
      countsToOffsets(counts);
      for (let k = 0; k < n; k++) {
        const r = from[k];
        to[counts[(rows[r * 3 + col] >>> shift) & MASK]++] = r;
      }
      this.order = to;
      this.spare = from;
    }
  }
}
