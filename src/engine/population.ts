import type { Model } from "./model.js";
import { Purpose, Stream, streamKey1, streamKey2, uniform } from "./rng.js";

/**
 * Agents are laid out by group: group g holds ids [groupStart[g], groupStart[g+1]).
 * Group sizes are exact (largest remainder), not sampled, so a share of 0.2 gives
 * exactly 20 % of the agents. Households are contiguous id ranges inside a group.
 */
export interface Population {
  groupStart: Int32Array;
  /** class = group·S + segment, per agent */
  cls: Uint8Array;
  classCount: Float64Array;
  householdStart: Int32Array | null;
  householdOf: Int32Array | null;
}

export function apportion(total: number, shares: number[]): number[] {
  const exact = shares.map((s) => s * total);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k][1]]++;
  return counts;
}

export function groupStarts(model: Model): Int32Array {
  const counts = apportion(model.agents, model.groupShare);
  const start = new Int32Array(model.G + 1);
  for (let g = 0; g < model.G; g++) start[g + 1] = start[g] + counts[g];
  return start;
}

/** Segment of one agent: a categorical draw from the agent's own population stream. */
export function segmentOf(model: Model, agent: number, cumulative: Float64Array): number {
  if (model.S === 1) return 0;
  const k1 = streamKey1(model.seed, agent, Purpose.population);
  const u = uniform(k1, streamKey2(k1, model.seed), 0);
  let s = 0;
  while (s < model.S - 1 && u >= cumulative[s]) s++;
  return s;
}

export function buildPopulation(model: Model): Population {
  const N = model.agents;
  const groupStart = groupStarts(model);
  const cls = new Uint8Array(N);
  const classCount = new Float64Array(model.C);
  const cumulative = new Float64Array(model.S);
  let acc = 0;
  for (let s = 0; s < model.S; s++) {
    acc += model.segmentShare[s];
    cumulative[s] = acc;
  }
  for (let g = 0; g < model.G; g++) {
    for (let i = groupStart[g]; i < groupStart[g + 1]; i++) {
      const c = g * model.S + segmentOf(model, i, cumulative);
      cls[i] = c;
      classCount[c]++;
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
      while (i < groupStart[g + 1]) {
        const u = stream.next();
        let k = 0;
        let c = probs[0];
        while (k < sizes.length - 1 && u >= c) c += probs[++k];
        const size = Math.min(sizes[k], groupStart[g + 1] - i);
        const h = starts.length;
        starts.push(i);
        for (let j = 0; j < size; j++) householdOf[i + j] = h;
        i += size;
      }
    }
    starts.push(N);
    householdStart = Int32Array.from(starts);
  }
  return { groupStart, cls, classCount, householdStart, householdOf };
}
