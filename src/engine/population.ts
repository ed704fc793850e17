import type { Model } from "./model.js";
import { Purpose, Stream, streamKey1, streamKey2, uniform } from "./rng.js";

/**
 * Agents are laid out by group, and inside a group by segment (persons first, then
 * firms): group g holds ids [groupStart[g], groupStart[g+1]), and class c =
 * g·S + s holds [classStart[c], classEnd[c]). Counts are exact (largest remainder),
 * not sampled. Households are contiguous id ranges of persons inside a group;
 * every firm is a household of its own.
 */
export interface Population {
  groupStart: Int32Array;
  classStart: Int32Array;
  classEnd: Int32Array;
  /** End of the persons in each group (firms follow). */
  personEnd: Int32Array;
  /** class = group·S + segment, per agent */
  cls: Uint8Array;
  classCount: Float64Array;
  householdStart: Int32Array | null;
  householdOf: Int32Array | null;
}

/**
 * Counts that add up to `total` exactly, in proportion to `shares` (largest
 * remainder). Shares are accepted when they sum to 1 within 10^-6, so the floors
 * can also overshoot the total at large sizes: the excess is taken back from the
 * smallest remainders, else groups or classes would overlap.
 */
export function apportion(total: number, shares: number[]): number[] {
  const exact = shares.map((s) => s * total);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k][1]]++;
  for (let k = order.length - 1; left < 0; k = (k + order.length - 1) % order.length)
    if (counts[order[k][1]] > 0) {
      counts[order[k][1]]--;
      left++;
    }
  return counts;
}

export function groupStarts(model: Model): Int32Array {
  const counts = apportion(model.agents, model.groupShare);
  const start = new Int32Array(model.G + 1);
  for (let g = 0; g < model.G; g++) start[g + 1] = start[g] + counts[g];
  return start;
}

/** Segments in layout order: persons first, then firms, each in scenario order. */
export function segmentOrder(model: Model): number[] {
  const order: number[] = [];
  for (let s = 0; s < model.S; s++) if (!model.segmentFirm[s]) order.push(s);
  for (let s = 0; s < model.S; s++) if (model.segmentFirm[s]) order.push(s);
  return order;
}

/**
 * First day agent i is present (it stays `segmentPresent` days), drawn from its
 * own setup stream; 0 for segments present the whole run.
 */
export function arrivalDay(model: Model, i: number, cls: number): number {
  const stay = model.segmentPresent[model.classSegment[cls]];
  if (stay === 0) return 0;
  const k1 = streamKey1(model.seed, i, Purpose.population);
  return Math.floor(uniform(k1, streamKey2(k1, model.seed), 0) * (model.days - stay + 1));
}

/** Days agent i is present, for expected-occurrence denominators. */
export function presentDays(model: Model, cls: number): number {
  const stay = model.segmentPresent[model.classSegment[cls]];
  return stay === 0 ? model.days : stay;
}

export function buildPopulation(model: Model): Population {
  const N = model.agents;
  const groupStart = groupStarts(model);
  const cls = new Uint8Array(N);
  const classCount = new Float64Array(model.C);
  const classStart = new Int32Array(model.C);
  const classEnd = new Int32Array(model.C);
  const personEnd = new Int32Array(model.G);
  const order = segmentOrder(model);
  for (let g = 0; g < model.G; g++) {
    const counts = apportion(groupStart[g + 1] - groupStart[g], model.segmentShare);
    let at = groupStart[g];
    personEnd[g] = at;
    for (const s of order) {
      const c = g * model.S + s;
      classStart[c] = at;
      cls.fill(c, at, at + counts[s]);
      classCount[c] = counts[s];
      at += counts[s];
      classEnd[c] = at;
      if (!model.segmentFirm[s]) personEnd[g] = at;
    }
  }
  let householdStart: Int32Array | null = null;
  let householdOf: Int32Array | null = null;
  if (model.households) {
    const { sizes, probs } = model.households;
    const starts: number[] = [];
    householdOf = new Int32Array(N);
    for (let g = 0; g < model.G; g++) {
      const stream = new Stream(model.seed, g, Purpose.households);
      let i = groupStart[g];
      while (i < personEnd[g]) {
        const u = stream.next();
        let k = 0;
        let c = probs[0];
        while (k < sizes.length - 1 && u >= c) c += probs[++k];
        const size = Math.min(sizes[k], personEnd[g] - i);
        const h = starts.length;
        starts.push(i);
        for (let j = 0; j < size; j++) householdOf[i + j] = h;
        i += size;
      }
      for (; i < groupStart[g + 1]; i++) {
        householdOf[i] = starts.length;
        starts.push(i);
      }
    }
    starts.push(N);
    householdStart = Int32Array.from(starts);
  }
  return { groupStart, classStart, classEnd, personEnd, cls, classCount, householdStart, householdOf };
}
