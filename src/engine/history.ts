import type { Model } from "./model.js";
import { Purpose, Stream } from "./rng.js";

// Full event histories for a pool of agents chosen before the run (whole
// households, so a relative's listing shows in the story), from which the run
// picks the agents worth following. Only pool members are logged: a one-byte mask
// per agent and a check per event, so tracking costs little (docs/performance.md, decision 4).

export const EV = {
  record: 1, // a: behaviour, b: source (−2 insider), v: 1 true / 0 false
  denied: 2, // a: behaviour
  listed: 3, // a: 1 if wrongful when it began, b: the listing's domain, v: listed until (day)
  unlisted: 4, // a: 0 expired, 1 overturned on appeal, 2 cured
  appealFiled: 5,
  appealDecided: 6, // a: 1 overturned, 0 upheld
  cured: 7,
  tieCut: 8, // a: the other agent
  rated: 9, // a: the rater, v: points
  score: 10, // v: score after the day
  appealDropped: 11, // the listing ended before the appeal was decided
  extended: 12, // a: 0 renewed the day it ended (score still below the threshold), 2 renewed then by a direct-listing record, 1 lengthened by one while listed; v: listed until (day)
} as const;

export const EVENT_NAMES: Record<number, string> = {
  1: "record",
  2: "denied",
  3: "listed",
  4: "unlisted",
  5: "appeal filed",
  6: "appeal decided",
  7: "cured",
  8: "tie cut",
  9: "rated",
  10: "score",
  11: "appeal dropped",
  12: "listing extended",
};

export class History {
  readonly mask: Uint8Array;
  count = 0;
  day = new Int32Array(1024);
  agent = new Int32Array(1024);
  type = new Uint8Array(1024);
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  v = new Float64Array(1024);

  constructor(mask: Uint8Array) {
    this.mask = mask;
  }

  add(day: number, agent: number, type: number, a = 0, b = 0, v = 0): void {
    if (this.mask[agent] !== 1) return;
    if (this.count === this.day.length) this.grow();
    const k = this.count++;
    this.day[k] = day;
    this.agent[k] = agent;
    this.type[k] = type;
    this.a[k] = a;
    this.b[k] = b;
    this.v[k] = v;
  }

  /**
   * Adds the events of rows [from, to) of `columns` (day, agent, type, a, b, v;
   * as toArrays gives them), all of agents in the pool: a merge's bulk copy.
   */
  addColumns(columns: Float64Array[], from: number, to: number): void {
    while (this.count + (to - from) > this.day.length) this.grow();
    const k = this.count;
    this.day.set(columns[0].subarray(from, to), k);
    this.agent.set(columns[1].subarray(from, to), k);
    this.type.set(columns[2].subarray(from, to), k);
    this.a.set(columns[3].subarray(from, to), k);
    this.b.set(columns[4].subarray(from, to), k);
    this.v.set(columns[5].subarray(from, to), k);
    this.count += to - from;
  }

  /** Adds events given as rows of 6 (day, agent, type, a, b, v), all of agents in the pool. */
  addRows(rows: Float64Array): void {
    const n = rows.length / 6;
    while (this.count + n > this.day.length) this.grow();
    for (let e = 0, k = this.count; e < rows.length; e += 6, k++) {
      this.day[k] = rows[e];
      this.agent[k] = rows[e + 1];
      this.type[k] = rows[e + 2];
      this.a[k] = rows[e + 3];
      this.b[k] = rows[e + 4];
      this.v[k] = rows[e + 5];
    }
    this.count += n;
  }

  private grow(): void {
    const n = this.day.length * 2;
    const g = <T extends Int32Array | Uint8Array | Float64Array>(x: T): T => {
      const y = new (x.constructor as new (n: number) => T)(n);
      y.set(x);
      return y;
    };
    this.day = g(this.day);
    this.agent = g(this.agent);
    this.type = g(this.type);
    this.a = g(this.a);
    this.b = g(this.b);
    this.v = g(this.v);
  }

  /** Arrays for postMessage. */
  toArrays(): Float64Array[] {
    const n = this.count;
    return [this.day, this.agent, this.type, this.a, this.b, this.v].map((x) => {
      const out = new Float64Array(n);
      out.set(x.subarray(0, n));
      return out;
    });
  }

  static fromArrays(mask: Uint8Array, arrays: Float64Array[]): History {
    const h = new History(mask);
    for (let k = 0; k < arrays[0].length; k++) h.add(arrays[0][k], arrays[1][k], arrays[2][k], arrays[3][k], arrays[4][k], arrays[5][k]);
    return h;
  }
}

/**
 * The pool of agents whose events are logged: about `size` agents, drawn as whole
 * households (or single agents without households), with the setup stream.
 */
export function trackingPool(m: Model, size: number, householdStart: Int32Array | null): Uint8Array {
  const mask = new Uint8Array(m.agents);
  if (size <= 0) return mask;
  if (size >= m.agents) return mask.fill(1);
  const stream = new Stream(m.seed, 0, Purpose.tracking);
  const H = householdStart ? householdStart.length - 1 : m.agents;
  const p = Math.min(1, size / m.agents);
  for (let h = 0; h < H; h++) {
    if (stream.next() >= p) continue;
    if (householdStart) mask.fill(1, householdStart[h], householdStart[h + 1]);
    else mask[h] = 1;
  }
  return mask;
}
