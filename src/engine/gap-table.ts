import { geometricGap } from "./rng.js";

// The candidate clock's gaps by table lookup instead of a logarithm. An agent's
// next candidate day is t + 1 + geometricGap(u, log(1 − p)), where u is draw n of
// its stream, (x + 1) / 2^32 for a 32-bit integer x. That gap is a non-increasing
// step function of x (Math.log is non-decreasing over these 2^32 inputs: checked
// over all of them, see docs/performance.md decision 13), so the x at which it
// steps down are a table per clock rate. A lookup gives exactly the gap the
// logarithm gives, for about a third of its cost; gaps past the table, which
// only say "not within the run", are computed as before.

/** Buckets of x by its top bits: each holds the gap at its largest x, the smallest gap in it. */
const BUCKET_BITS = 10;
const BUCKET_SHIFT = 32 - BUCKET_BITS;
const TWO_POW_32 = 4294967296;

export interface GapTable {
  /** Gaps below this are looked up; from it on, computed. */
  readonly size: number;
  /** last[r · (size + 1) + k]: the largest x whose gap at rate r is at least k, or −1 (k = 1 … size). */
  readonly last: Float64Array;
  /** start[r · 2^BUCKET_BITS + b]: the gap of the largest x in bucket b, at most `size`. */
  readonly start: Uint16Array;
  /** log(1 − p) of each rate, for gaps past the table. */
  readonly logs: Float64Array;
}

/** The gap geometricGap gives for the draw whose integer is x. */
function exactGap(x: number, log: number): number {
  return geometricGap((x + 1) / TWO_POW_32, log);
}

/** The largest x in [0, 2^32) with exactGap(x) ≥ k, or −1: found from the closed form, then settled by bisection. */
function lastWithGapAtLeast(k: number, log: number): number {
  if (exactGap(0, log) < k) return -1;
  const guess = Math.min(TWO_POW_32 - 1, Math.max(0, Math.floor(TWO_POW_32 * Math.exp(log * k)) - 1));
  // lo: gap ≥ k; hi: gap < k, or 2^32 (past every x)
  let lo: number;
  let hi: number;
  let step = 1;
  if (exactGap(guess, log) >= k) {
    lo = guess;
    hi = Math.min(TWO_POW_32, lo + step);
    while (hi < TWO_POW_32 && exactGap(hi, log) >= k) {
      lo = hi;
      step *= 2;
      hi = Math.min(TWO_POW_32, lo + step);
    }
  } else {
    hi = guess;
    lo = Math.max(0, hi - step);
    while (exactGap(lo, log) < k) {
      hi = lo;
      step *= 2;
      lo = Math.max(0, hi - step);
    }
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (exactGap(mid, log) >= k) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Tables for the clock rates `logs` (log(1 − p) each); gaps up to `size` − 1 are
 * looked up. Size 0 computes every gap (bench/decisions.mjs no. 9 times both).
 */
export function gapTable(logs: Float64Array, size: number): GapTable {
  if (!(Number.isInteger(size) && size >= 0 && size < 65536)) throw new Error(`gap table size ${size} outside 0 … 65535`);
  const R = logs.length;
  const last = new Float64Array(R * (size + 1));
  const start = new Uint16Array(R << BUCKET_BITS);
  for (let r = 0; r < R; r++) {
    const log = logs[r];
    last[r * (size + 1)] = TWO_POW_32 - 1; // every gap is at least 0
    for (let k = 1; k <= size; k++) last[r * (size + 1) + k] = lastWithGapAtLeast(k, log);
    for (let b = 0; b < 1 << BUCKET_BITS; b++) start[(r << BUCKET_BITS) + b] = Math.min(size, exactGap((b + 1) * 2 ** BUCKET_SHIFT - 1, log));
  }
  const table: GapTable = { size, last, start, logs: Float64Array.from(logs) };
  // Run the rare path (a gap past the table: x = 0 gives the longest gap) once,
  // so that V8 has seen it before optimising the engine's loops, which inline
  // this function; else the first such draw of a run, minutes in, discards the
  // optimised code, and the run goes on unoptimised until it is compiled again.
  if (R > 0) tableGap(table, 0, 0);
  return table;
}

/** geometricGap((x + 1) / 2^32, logs[r]), exactly, for the 32-bit integer x of a draw. */
export function tableGap(table: GapTable, r: number, x: number): number {
  const size = table.size;
  const last = table.last;
  const base = r * (size + 1);
  let k = table.start[(r << BUCKET_BITS) + (x >>> BUCKET_SHIFT)];
  while (k < size && x <= last[base + k + 1]) k++;
  return k < size ? k : exactGap(x, table.logs[r]);
}
