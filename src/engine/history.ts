import type { Model } from "./model.js";
import { buildPopulation } from "./population.js";
import { geometricGap, Purpose, Stream } from "./rng.js";

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

/** Events as columns: a History's own arrays, or a thread's sent by postMessage (rows below `count`). */
export interface EventColumns {
  count: number;
  day: Int32Array;
  agent: Int32Array;
  type: Uint8Array;
  a: Int32Array;
  b: Int32Array;
  v: Float64Array;
}

export class History implements EventColumns {
  readonly mask: Uint8Array;
  count = 0;
  day: Int32Array = new Int32Array(1024);
  agent: Int32Array = new Int32Array(1024);
  type: Uint8Array = new Uint8Array(1024);
  a: Int32Array = new Int32Array(1024);
  b: Int32Array = new Int32Array(1024);
  v: Float64Array = new Float64Array(1024);

  constructor(mask: Uint8Array) {
    this.mask = mask;
  }

  /** A history over these columns, taken as they are (not copied). */
  static over(mask: Uint8Array, columns: EventColumns): History {
    const h = new History(mask);
    h.count = columns.count;
    h.day = columns.day;
    h.agent = columns.agent;
    h.type = columns.type;
    h.a = columns.a;
    h.b = columns.b;
    h.v = columns.v;
    return h;
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

  /**
   * The events as plain columns whose buffers can be transferred by postMessage
   * (no copy: this history must not be used afterwards).
   */
  columns(): { columns: EventColumns; buffers: ArrayBuffer[] } {
    const { count, day, agent, type, a, b, v } = this;
    return { columns: { count, day, agent, type, a, b, v }, buffers: [day, agent, type, a, b, v].map((x) => x.buffer as ArrayBuffer) };
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
}

/**
 * The pool of agents whose events are logged: about `size` agents, drawn as whole
 * households (or single agents without households), with the setup stream. Each
 * household joins with probability size / agents; the draws skip from one member
 * to the next (geometric gaps), so the pool costs a draw per member, not per agent.
 */
export function trackingPool(m: Model, size: number, householdStart: Int32Array | null): Uint8Array {
  const mask = new Uint8Array(m.agents);
  if (size <= 0) return mask;
  if (size >= m.agents) return mask.fill(1);
  const stream = new Stream(m.seed, 0, Purpose.tracking);
  const H = householdStart ? householdStart.length - 1 : m.agents;
  const logMiss = Math.log1p(-size / m.agents);
  for (let h = geometricGap(1 - stream.next(), logMiss); h < H; h += 1 + geometricGap(1 - stream.next(), logMiss)) {
    if (householdStart) mask.fill(1, householdStart[h], householdStart[h + 1]);
    else mask[h] = 1;
  }
  return mask;
}

/** The pool of a run following `size` agents' worth, its households built only if the model has them. */
export function followedPool(m: Model, size: number): Uint8Array {
  return trackingPool(m, size, m.households ? buildPopulation(m).householdStart : null);
}
