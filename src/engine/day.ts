import type { Counters } from "./counters.js";
import { tableGap } from "./gap-table.js";
import { EV, type History } from "./history.js";
import { CHANNEL, KIND, type Model } from "./model.js";
import { draw32, uniform } from "./rng.js";

// One agent's day, as pure functions shared by both engines (the calendar engine
// for interacting populations, the per-agent engine for separable ones), so that
// the two consume the same random draws and give bit-identical results.

export const NEVER = 0x3fffffff;

/**
 * One agent's day (MODEL.md steps 2–6): the inputs a caller sets, and the records
 * sampleDay collects. One object is reused for every agent-day, so the hot loop
 * allocates nothing.
 */
export class DayRecords {
  // inputs
  i = 0; // agent id
  cls = 0; // class = group·S + segment
  listedState = 0; // 1 if listed at the start of the day and rates depend on it (model.L2 = 2)
  fearYesterday = 0;
  exempt = false;
  ownBlockDomain = -1; // domain of its listing if listed at the start of the day, else −1
  householdMask = 0; // listing domains of listed relatives
  history: History | null = null; // event log (tracked agents only)
  // outputs
  real = 0; // points from kept records
  shadow = 0; // points in the shadow world
  direct = 0; // longest direct listing from kept records
  shadowDirect = 0;
  worst = -1; // behaviour of the most penalising kept record
  penal = 0; // got a penalising record
  hasFalse = 0;
  hasDisfavored = 0;
  kept = 0; // records kept today (true + false)
  keptFalse = 0;
  n = 0; // random counter after the day
  clear(): void {
    this.real = 0;
    this.shadow = 0;
    this.direct = 0;
    this.shadowDirect = 0;
    this.worst = -1;
    this.penal = 0;
    this.hasFalse = 0;
    this.hasDisfavored = 0;
    this.kept = 0;
    this.keptFalse = 0;
  }
}

/** Receives a record attributed to another agent (misattribution). */
export type MisattributionSink = (target: number, behaviour: number) => void;
/** Handles a rating encounter of agent r.i; returns the random counter after its draws. */
export type RatingSink = (r: DayRecords, t: number, k1: number, k2: number, n: number) => number;

/**
 * Steps 2–6 for the agent described by `r`, on day `t`, given that its candidate
 * clock fired today. Returns the agent's next candidate day; `r.n` holds its
 * random counter afterwards. Counters are incremented in place.
 */
export function sampleDay(
  m: Model,
  c: Counters,
  t: number,
  k1: number,
  k2: number,
  n0: number,
  groupStart: Int32Array,
  r: DayRecords,
  sink: MisattributionSink | null,
  rate: RatingSink | null,
): number {
  let n = n0;
  const i = r.i;
  const cls = r.cls;
  const cs = cls * m.L2 + r.listedState;
  const g = m.classGroup[cls];
  const M = m.M;
  const B = m.B;
  const G = m.G;
  const base = cs * M;
  const noneAll = m.noEvent[cs];

  // Which channels fired today, given that at least one did: inverse CDF of the
  // first, then the rest independently.
  let pos = 0;
  let u = uniform(k1, k2, n++) * (1 - noneAll);
  while (pos < M) {
    if (!(u < m.chanSomeFrom[base + pos])) break; // no channel from pos on fires
    let run = 1;
    let fired = -1;
    for (let ch = pos; ch < M; ch++) {
      run *= 1 - m.chanP[base + ch];
      if (u < 1 - run) {
        fired = ch;
        break;
      }
    }
    if (fired < 0) break;
    pos = fired + 1;
    const type = m.chanType[fired];
    const b = m.chanBehaviour[fired];
    if (type === CHANNEL.behaviour) {
      // Thinning: candidates arrive at the rate of the least afraid; accept at today's.
      const d = m.deter[b];
      if (d > 0) {
        const p = Math.min(1, m.pRaw[cls * B + b] * (1 - d * r.fearYesterday));
        if (uniform(k1, k2, n++) * m.pMax[cls * B + b] >= p) {
          if (pos < M) u = uniform(k1, k2, n++);
          continue;
        }
      }
      c.occurrences[(t * G + g) * B + b]++;
      const blocked = (r.ownBlockDomain >= 0 && m.blockOwn[r.ownBlockDomain * B + b] === 1) || (r.householdMask & m.blockHouseholdMask[b]) !== 0;
      if (blocked) {
        c.denied[t * G + g]++;
        c.deniedByBehaviour[(t * G + g) * B + b]++;
        r.history?.add(t, i, EV.denied, b);
      } else {
        r.shadow += m.points[b];
        if (m.direct[b] > r.shadowDirect) r.shadowDirect = m.direct[b];
        if (uniform(k1, k2, n++) < m.detect[b * m.L2 + r.listedState]) {
          let own = true;
          if (m.misattribute[b] > 0 && uniform(k1, k2, n++) < m.misattribute[b]) {
            const gs = groupStart[g];
            const size = groupStart[g + 1] - gs;
            if (size > 1) {
              own = false;
              let j = gs + Math.floor(uniform(k1, k2, n++) * (size - 1));
              if (j >= i) j++;
              if (m.review[b] > 0 && uniform(k1, k2, n++) < m.review[b] * m.reviewCatch) c.recordsDiscarded[t * G + g]++;
              else if (sink) sink(j, b);
            }
          }
          if (own) keepRecord(m, c, g, t, b, true, r, m.mainSource[b]);
        }
      }
    } else if (type === CHANNEL.falseRecord) {
      if (m.review[b] > 0 && uniform(k1, k2, n++) < m.review[b] * m.reviewCatch) c.recordsDiscarded[t * G + g]++;
      else keepRecord(m, c, g, t, b, false, r, m.chanSource[fired]);
    } else if (rate) {
      n = rate(r, t, k1, k2, n);
    }
    if (pos < M) u = uniform(k1, k2, n++);
  }
  r.n = n + 1;
  // next candidate day, from draw n
  return t + 1 + tableGap(m.gaps, cs, draw32(k1, k2, n));
}

/** A record kept (after review) on an agent of group g. Exempt agents' records are kept, not scored. */
export function keepRecord(m: Model, c: Counters, g: number, t: number, b: number, isTrue: boolean, out: DayRecords, source = -1): void {
  out.kept++;
  out.history?.add(t, out.i, EV.record, b, source, isTrue ? 1 : 0);
  if (isTrue) c.recordsTrue[t * m.G + g]++;
  else {
    c.recordsFalse[t * m.G + g]++;
    out.hasFalse = 1;
    out.keptFalse++;
  }
  if (m.kind[b] === KIND.disfavored) out.hasDisfavored = 1;
  if (out.exempt) return;
  out.real += m.points[b];
  if (m.direct[b] > out.direct) out.direct = m.direct[b];
  if (m.penalising[b]) {
    out.penal = 1;
    if (out.worst < 0 || m.points[b] < m.points[out.worst]) out.worst = b;
  }
}

/**
 * Closed-form reversion tables: decay[k] = (1 − ρ)^k and sums[k] = Σ_{j<k} (1 − ρ)^j,
 * the latter via expm1/log1p so that a tiny ρ loses no precision.
 */
export interface DecayTable {
  decay: Float64Array;
  sums: Float64Array;
}

export function decayTable(m: Model): DecayTable {
  const n = m.days + 2;
  const decay = new Float64Array(n);
  const sums = new Float64Array(n);
  const l = Math.log1p(-m.rho);
  for (let k = 0; k < n; k++) {
    decay[k] = m.rho === 1 ? (k === 0 ? 1 : 0) : Math.exp(k * l);
    sums[k] = m.rho === 0 ? k : m.rho === 1 ? Math.min(k, 1) : -Math.expm1(k * l) / m.rho;
  }
  return { decay, sums };
}

/**
 * Score after k days with no records and `lc` listed contacts: k steps of
 * s ← s0 + (1 − ρ)(s − a·lc − s0), i.e. s0 + (1 − ρ)^k (s − s0) − a·lc·(1 − ρ)·Σ_{j<k}(1 − ρ)^j,
 * clamped. The path is monotone, so clamping once at the end equals clamping daily.
 */
export function drift(m: Model, table: DecayTable, s: number, k: number, lc: number): number {
  if (k <= 0) return s;
  // k never exceeds the run length (the tables hold days + 2 entries)
  const kk = k < table.decay.length ? k : table.decay.length - 1;
  let v = m.s0 + table.decay[kk] * (s - m.s0);
  if (lc > 0 && m.association > 0) v -= m.association * lc * (1 - m.rho) * table.sums[kk];
  return v < m.sMin ? m.sMin : v > m.sMax ? m.sMax : v;
}

/** Step 7 on a day with records worth `points` and `lc` listed contacts. */
export function scoreDay(m: Model, s: number, points: number, lc: number): number {
  let v = s + points - m.association * lc;
  v = m.s0 + (1 - m.rho) * (v - m.s0);
  return v < m.sMin ? m.sMin : v > m.sMax ? m.sMax : v;
}

/** First day after `day` whose no-record score falls below the listing threshold, or NEVER. */
export function crossing(m: Model, decay: DecayTable, s: number, day: number, lc: number): number {
  const E = m.enterBelow;
  if (drift(m, decay, s, 1, lc) < E) return day + 1;
  if (m.sMin >= E) return NEVER;
  let k: number;
  if (m.rho > 0) {
    const target = m.s0 - (m.association * lc * (1 - m.rho)) / m.rho;
    if (target >= E || s <= target) return NEVER;
    k = Math.floor(Math.log((E - target) / (s - target)) / Math.log(1 - m.rho)) + 1;
  } else {
    const slope = m.association * lc;
    if (slope <= 0) return NEVER;
    k = Math.floor((s - E) / slope) + 1;
  }
  if (!(k >= 1)) k = 1;
  if (day + k >= m.days) k = m.days - day;
  // Settle floating-point rounding against the exact path.
  while (k > 1 && drift(m, decay, s, k - 1, lc) < E) k--;
  while (drift(m, decay, s, k, lc) >= E) {
    k++;
    if (day + k >= m.days) return NEVER;
  }
  return day + k;
}

/** Fear at the end of day d, `k` days after it was `f` with no new fear; keep[k] = (1 − decay)^k. */
export function fearDecay(f: number, k: number, keep: Float64Array, floor: number): number {
  if (k <= 0) return f;
  const v = f * keep[k];
  return v < floor ? floor : v;
}

/**
 * First day in (day, day + maxK] on which the no-record score path is below
 * `threshold` (below = true) or at/above it (below = false), or NEVER. The path
 * is monotone, so the predicate switches at most once: binary search.
 */
export function firstDay(m: Model, table: DecayTable, s: number, day: number, maxK: number, lc: number, threshold: number, below: boolean): number {
  const test = (k: number) => {
    const v = drift(m, table, s, k, lc);
    return below ? v < threshold : v >= threshold;
  };
  if (maxK < 1 || !test(maxK)) return NEVER;
  let lo = 0; // test(lo) false (k = 0 is the start, assumed on the other side)
  let hi = maxK;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (test(mid)) hi = mid;
    else lo = mid;
  }
  return day + hi;
}

/** Index of the highest tier whose min the score reaches, or −1. */
export function tierOf(m: Model, s: number): number {
  let tier = -1;
  for (let x = 0; x < m.tierNames.length; x++) if (s >= m.tierMins[x]) tier = x;
  return tier;
}
