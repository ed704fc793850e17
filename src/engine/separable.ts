import { addCounters, type Counters, newCounters, SCORE_BINS, scoreBin } from "./counters.js";
import { crossing, DayRecords, type DecayTable, decayTable, drift, fearDecay, firstDay, NEVER, sampleDay, scoreDay, tierOf } from "./day.js";
import { tableGap } from "./gap-table.js";
import { EV, type History } from "./history.js";
import { type Kernel, startKernel } from "./kernel.js";
import type { Model } from "./model.js";
import { arrivalDay, buildPopulation, presentDays } from "./population.js";
import { draw32, geometricGap, Purpose, streamKey1, streamKey2, uniform, uniformPositive } from "./rng.js";
import { integrate, isSeparable } from "./simulate.js";

// The per-agent engine: when agents do not interact (no contacts, households,
// misattribution, appeals queue or insiders), each agent's whole run is simulated
// at once, its state in local variables, from one wake to the next. Memory is the
// population layout plus the counters. Changes of listing state are written as
// day deltas and summed at the end. It draws exactly the random numbers the
// calendar engine draws, in the same order, so both give identical counters.

export interface Deltas {
  listed: Float64Array;
  wrong: Float64Array;
  shadow: Float64Array;
  domain: Float64Array;
  perk: Float64Array;
}

/** Adds (sign = +1) or removes (−1) one agent's status from day `at` = t·G + g on. */
function addStatus(d: Deltas, at: number, D: number, dom: number, listed: boolean, shadowListed: boolean, sign: number): void {
  if (listed) {
    d.listed[at] += sign;
    d.domain[at * D + dom] += sign;
    if (!shadowListed) d.wrong[at] += sign;
  }
  if (shadowListed) d.shadow[at] += sign;
}

/** One thread's share of a per-agent run: set up once, fed agents in any number of calls, then finished. */
export interface SeparableRun {
  readonly model: Model;
  readonly counters: Counters;
  readonly deltas: Deltas;
  readonly groupStart: Int32Array;
  readonly cls: Uint8Array;
  readonly decay: DecayTable;
  readonly records: DayRecords;
  readonly history: History | null;
  /**
   * Agents runAgents passes over, run already by another call: the followed pool,
   * which the calling thread runs first (runPool) and every thread then skips.
   */
  skip: Uint8Array | null;
  /** The engine compiled to WebAssembly (kernel.ts), which runs the agents; null: TypeScript runs them all. */
  readonly kernel: Kernel | null;
}

/**
 * `useKernel` false runs every agent in TypeScript (the kernel's reference in
 * tests, and its baseline in bench:decisions).
 */
export function startSeparable(model: Model, history?: History, useKernel = true): SeparableRun {
  if (!isSeparable(model)) throw new Error("the per-agent engine needs a scenario whose agents do not interact");
  const { days, G, D } = model;
  const pop = buildPopulation(model);
  const records = new DayRecords();
  records.history = history ?? null;
  const decay = decayTable(model);
  return {
    model,
    counters: newCounters(model),
    deltas: {
      listed: new Float64Array((days + 1) * G),
      wrong: new Float64Array((days + 1) * G),
      shadow: new Float64Array((days + 1) * G),
      domain: new Float64Array((days + 1) * G * D),
      perk: new Float64Array((days + 1) * G),
    },
    groupStart: pop.groupStart,
    cls: pop.cls,
    decay,
    records,
    history: history ?? null,
    skip: null,
    kernel: useKernel ? startKernel(model, pop, decay) : null,
  };
}

/**
 * Runs agents range[0], range[0] + step, … below range[1]. A step above 1 gives a
 * systematic sample of the population (the lab shows estimates that sharpen as
 * slices complete); the slices of one step add up to the whole run exactly.
 */
export function runSeparable(
  model: Model,
  range: [number, number] = [0, model.agents],
  onProgress?: (done: number) => void,
  history?: History,
  step = 1,
  useKernel = true,
): Counters {
  const run = startSeparable(model, history, useKernel);
  runAgents(run, range, step, onProgress);
  return finishSeparable(run);
}

/** Adds agents range[0], range[0] + step, … below range[1] to a run; agents may come in any order of calls. */
export function runAgents(run: SeparableRun, range: [number, number], step = 1, onProgress?: (done: number) => void): void {
  const kernel = run.kernel;
  if (!kernel) {
    runAgentsHere(run, range, step, onProgress);
    return;
  }
  // Followed agents run alone, their events logged (by the kernel, or here if its
  // buffer is too small for the run's length), or not at all when run.skip says
  // they ran already; each agent's year is its own, so the split changes nothing.
  const history = run.history;
  const skip = run.skip;
  const mask = skip ?? history?.mask;
  const [from, to] = range;
  const chunk = 0x10000 * step;
  for (let a = from; a < to; a += chunk) {
    if (onProgress) onProgress((a - from) / (to - from));
    const b = Math.min(to, a + chunk);
    let start = a;
    if (mask)
      for (let i = a; i < b; i += step)
        if (mask[i] === 1) {
          kernel.run(start, i, step);
          if (skip === null) {
            const events = kernel.runFollowed(i);
            if (events === null) runAgentsHere(run, [i, i + 1]);
            else history?.addRows(events);
          }
          start = i + step;
        }
    kernel.run(start, b, step);
  }
}

/**
 * Runs the followed pool's agents below `to` from `from` (run.history's mask), in
 * agent order, logging their events. A thread that runs the pool first, then
 * takes blocks with run.skip set to the mask, holds the run's whole history in
 * agent order, so threads have no events to send or merge (docs/performance.md,
 * decision 4); the others skip the pool.
 */
export function runPool(run: SeparableRun, from: number, to: number): void {
  const mask = run.history?.mask;
  if (!mask || run.skip !== null) throw new Error("runPool needs a run that logs its pool and has not run it yet");
  for (let i = from; i < to; i++) if (mask[i] === 1) runAgents(run, [i, i + 1]);
}

/** runAgents in TypeScript. */
function runAgentsHere(run: SeparableRun, range: [number, number], step = 1, onProgress?: (done: number) => void): void {
  const m = run.model;
  const c = run.counters;
  const { days, G, D } = m;
  const decay = run.decay;
  const deltas = run.deltas;
  const r = run.records;
  const log = run.history;
  const clsOf = run.cls;
  const groupStart = run.groupStart;
  const fm = m.fear;
  const floor = fm ? fm.floor : 0;
  const E = m.enterBelow;
  // With no association penalty, an unlisted score (≥ threshold) only moves toward
  // s0; if s0 is not below the threshold it can never drift under it.
  const canCross = E > m.sMin && !(m.association === 0 && m.s0 >= E);
  const hasPresence = m.segmentPresent.some((x) => x > 0);
  const P = m.perkAbove;
  const T = m.tierNames.length;
  const range01 = m.sMax - m.sMin;
  const cure = m.cure;
  const breach = m.breach;
  const L2 = m.L2;

  const skip = run.skip;
  const span = range[1] - range[0];
  for (let i = range[0], n0 = 0; i < range[1]; i += step, n0++) {
    if (onProgress && (n0 & 0xffff) === 0) onProgress((i - range[0]) / span);
    if (skip !== null && skip[i] === 1) continue;
    const cls = clsOf[i];
    const g = m.classGroup[cls];
    const exempt = m.exemptClass[cls] === 1;
    c.agents[g]++;
    c.classAgents[cls]++;
    c.classAgentDays[cls] += presentDays(m, cls);
    const k1 = streamKey1(m.seed, i, Purpose.agent);
    const k2 = streamKey2(k1, m.seed);
    let n = 1;
    let nextCand = tableGap(m.gaps, cls * L2, draw32(k1, k2, 0));
    let clockListed = false;
    let score = m.s0;
    let shadow = m.s0;
    let sDay = -1;
    let until = -1;
    let shadowUntil = -1;
    let since = 0;
    let dom = 0;
    let listed = false;
    let shadowListed = false;
    let wrongStart = false;
    let everListed = false;
    let everWrongful = false;
    let hasFalse = false;
    let fear = floor;
    let fearDay = -1;
    let cureDay = NEVER;
    let cureArmed = false;
    let perk = P !== null && m.s0 >= P;
    if (perk) deltas.perk[g]++;
    let kept = 0;
    let keptFalse = 0;
    let midTier = -1;
    let midDone = T === 0;
    let logScoreLater = false;
    const arrive = hasPresence ? arrivalDay(m, i, cls) : 0;
    const stay = presentDays(m, cls);

    let t = canCross ? Math.min(nextCand, crossing(m, decay, m.s0, -1, 0)) : nextCand;
    while (t < days) {
      if (!midDone && t > m.midDay) {
        midTier = tierOf(m, exempt ? score : Math.fround(drift(m, decay, score, m.midDay - sDay, 0)));
        midDone = true;
      }
      // 1. expiry: off the list; the spell closes at step 8 unless renewed there
      const expired = until === t;
      if (expired) {
        addStatus(deltas, t * G + g, D, dom, listed, shadowListed, -1);
        listed = false;
        addStatus(deltas, t * G + g, D, dom, listed, shadowListed, +1);
      }
      if (shadowUntil === t) {
        addStatus(deltas, t * G + g, D, dom, listed, shadowListed, -1);
        shadowListed = false;
        addStatus(deltas, t * G + g, D, dom, listed, shadowListed, +1);
      }

      // 2–6
      r.clear();
      const listedNow = until > t;
      if (L2 === 2 && listedNow !== clockListed) {
        nextCand = t + tableGap(m.gaps, cls * 2 + (listedNow ? 1 : 0), draw32(k1, k2, n++));
        clockListed = listedNow;
      }
      if (nextCand === t) {
        const state = L2 === 2 && listedNow ? 1 : 0;
        if (hasPresence && t < arrive) nextCand = arrive + tableGap(m.gaps, cls * L2 + state, draw32(k1, k2, n++));
        else if (hasPresence && t >= arrive + stay) nextCand = NEVER;
        else {
          r.i = i;
          r.cls = cls;
          r.listedState = state;
          r.fearYesterday = fm ? fearDecay(fear, t - 1 - fearDay, fm.keep, floor) : 0;
          r.exempt = exempt;
          r.ownBlockDomain = listedNow ? dom : -1;
          r.householdMask = 0;
          nextCand = sampleDay(m, c, t, k1, k2, n, groupStart, r, null, null);
          n = r.n;
          if (r.hasFalse) hasFalse = true;
          if (breach && t < breach.day) {
            kept += r.kept;
            keptFalse += r.keptFalse;
          }
        }
      }

      // 7. score (closed form up to yesterday, then today). Math.fround: scores are
      // stored as float32 in the calendar engine; round alike.
      const k = t - 1 - sDay;
      if (k > 0) {
        if (!exempt) {
          const before = score;
          score = Math.fround(drift(m, decay, score, k, 0));
          if (P !== null) perk = perkAlong(m, decay, deltas.perk, g, before, sDay, k, P, perk);
        }
        shadow = Math.fround(drift(m, decay, shadow, k, 0));
      }
      if (!exempt) {
        score = Math.fround(scoreDay(m, score, r.real, 0));
        if (P !== null) perk = perkAt(deltas.perk, G, g, t, score, P, perk);
      }
      shadow = Math.fround(scoreDay(m, shadow, r.shadow, 0));
      sDay = t;
      if (log && log.mask[i] === 1) logScoreLater = true;

      // 8. listing, shadow first
      if (!(shadowUntil > t)) {
        let u = -1;
        if (shadow < E) u = t + m.listDays;
        if (r.shadowDirect > 0) u = Math.max(u, t + r.shadowDirect);
        if (u > t) shadowUntil = u;
      } else if (r.shadowDirect > 0) shadowUntil = Math.max(shadowUntil, t + r.shadowDirect);
      if (!exempt) {
        if (!(until > t)) {
          let u = -1;
          if (score < E) u = t + m.listDays;
          if (r.direct > 0) u = Math.max(u, t + r.direct);
          // listed again the day its listing ended: the same spell goes on
          if (u > t && expired) until = u;
          else if (u > t) {
            until = u;
            since = t;
            dom = r.worst >= 0 ? m.domainOf[r.worst] : 0;
            c.newListings[t * G + g]++;
            log?.add(t, i, EV.listed, shadowUntil > t ? 0 : 1, dom, u);
            if (!everListed) {
              c.everListed[g]++;
              everListed = true;
            }
            wrongStart = !(shadowUntil > t);
            if (wrongStart && !everWrongful) {
              c.everWrongful[g]++;
              everWrongful = true;
            }
          }
        } else if (t + r.direct > until) {
          until = t + r.direct;
          log?.add(t, i, EV.extended, 1, 0, until);
        }
      }
      if (expired && until > t) log?.add(t, i, EV.extended, score < E ? 0 : 2, 0, until);
      else if (expired) {
        log?.add(t, i, EV.unlisted, 0);
        if (wrongStart) endWrongfulSpell(c, g, t - since, days);
        wrongStart = false;
      }
      if (listed !== until > t || shadowListed !== shadowUntil > t) {
        addStatus(deltas, t * G + g, D, dom, listed, shadowListed, -1);
        listed = until > t;
        shadowListed = shadowUntil > t;
        addStatus(deltas, t * G + g, D, dom, listed, shadowListed, +1);
      }
      if (cure) {
        const any = until > t || shadowUntil > t;
        if (any && !cureArmed) {
          cureDay = t + geometricGap(uniformPositive(k1, k2, n++), cure.logKeep);
          cureArmed = true;
        } else if (!any && cureArmed) cureArmed = false;
      }

      // 10. fear from one's own penalising records; cure
      if (fm && r.penal) {
        const f = (1 - fm.decay) * fearDecay(fear, t - 1 - fearDay, fm.keep, floor) + fm.self;
        fear = f > 1 ? 1 : f < floor ? floor : f;
        fearDay = t;
      }
      if (cure && cureArmed && cureDay === t && (listed || shadowListed)) {
        // each world's listing ends where it lists the agent, and both scores reset,
        // so the two worlds stay paired; `cured` counts real listings ended
        addStatus(deltas, t * G + g, D, dom, listed, shadowListed, -1);
        if (listed) {
          c.cured[t * G + g]++;
          log?.add(t, i, EV.cured);
          log?.add(t, i, EV.unlisted, 2);
          if (wrongStart) endWrongfulSpell(c, g, t - since, days);
          wrongStart = false;
          until = t;
        }
        if (shadowListed) shadowUntil = t;
        listed = false;
        shadowListed = false;
        addStatus(deltas, t * G + g, D, dom, listed, shadowListed, +1);
        if (cure.resetScore) {
          if (!exempt) {
            score = m.s0;
            if (P !== null) perk = perkAt(deltas.perk, G, g, t, score, P, perk);
          }
          shadow = m.s0;
        }
        cureArmed = false;
      }
      if (cureArmed && !(until > t) && !(shadowUntil > t)) cureArmed = false;
      if (logScoreLater) {
        log?.add(t, i, EV.score, 0, 0, score);
        logScoreLater = false;
      }

      // next wake (rates that depend on being listed change from tomorrow)
      const listedAfter = until > t;
      if (L2 === 2 && listedAfter !== clockListed) {
        nextCand = t + 1 + tableGap(m.gaps, cls * 2 + (listedAfter ? 1 : 0), draw32(k1, k2, n++));
        clockListed = listedAfter;
      }
      let w = nextCand;
      if (listedAfter) {
        if (until < w) w = until;
      } else if (!exempt && canCross) {
        const x = crossing(m, decay, score, sDay, 0);
        if (x < w) w = x;
      }
      if (shadowUntil > t) {
        if (shadowUntil < w) w = shadowUntil;
      } else if (canCross) {
        const x = crossing(m, decay, shadow, sDay, 0);
        if (x < w) w = x;
      }
      if (cureArmed && cureDay > t && cureDay < w) w = cureDay;
      if (w <= t) w = t + 1;
      t = w >= NEVER ? days : w;
    }

    // end of run
    const last = days - 1;
    if (!midDone) midTier = tierOf(m, exempt ? score : Math.fround(drift(m, decay, score, m.midDay - sDay, 0)));
    if (last - sDay > 0) {
      if (!exempt) {
        const before = score;
        score = Math.fround(drift(m, decay, score, last - sDay, 0));
        if (P !== null) perk = perkAlong(m, decay, deltas.perk, g, before, sDay, last - sDay, P, perk);
      }
      shadow = Math.fround(drift(m, decay, shadow, last - sDay, 0));
    }
    if (hasFalse) c.withFalseRecord[g]++;
    if (listed && wrongStart) {
      c.openWrongfulSpells[g]++;
      c.openWrongfulSpellDays[g] += days - since;
    }
    c.scoreHistogram[g * SCORE_BINS + scoreBin(score, m.sMin, range01)]++;
    c.shadowScoreHistogram[g * SCORE_BINS + scoreBin(shadow, m.sMin, range01)]++;
    if (T > 0) {
      const tier = tierOf(m, score);
      if (tier >= 0) c.tierCounts[g * T + tier]++;
      if (tier >= 0 && midTier >= 0) c.tierTransitions[(g * T + midTier) * T + tier]++;
      else if (midTier >= 0) c.tierFellBelow[g * T + midTier]++;
    }
    if (breach) {
      const b1 = streamKey1(m.seed, i, Purpose.breach);
      if (uniform(b1, streamKey2(b1, m.seed), 0) < breach.share) {
        c.exposedPeople[g]++;
        c.exposedRecords[g] += Math.min(65535, kept);
        c.exposedFalseRecords[g] += Math.min(65535, keptFalse);
      }
    }
  }
}

/**
 * Integrates the day deltas into daily states and returns the run's counters. Call
 * once. A thread's share of a run leaves harm out (`withHarm` false): harm weighs
 * listed agents by domain with fractional weights, so it is computed once, from the
 * domain counts of all threads added up (addDomainDeltas), else its rounding would
 * depend on which thread ran which agents.
 */
export function finishSeparable(run: SeparableRun, withHarm = true): Counters {
  const m = run.model;
  const c = run.counters;
  const deltas = run.deltas;
  const { days, G } = m;
  const P = m.perkAbove;
  if (run.kernel) {
    addCounters(c, run.kernel.counters);
    for (const key of ["listed", "wrong", "shadow", "domain", "perk"] as const) {
      const into = deltas[key];
      const from = run.kernel.deltas[key];
      for (let k = 0; k < into.length; k++) into[k] += from[k]; // integer counts: exact in any order
    }
  }
  // Integrate the deltas into daily states.
  integrate(deltas.listed, c.listed, days, G);
  integrate(deltas.wrong, c.wrongful, days, G);
  integrate(deltas.shadow, c.shadowListed, days, G);
  if (P !== null) integrate(deltas.perk, c.perkHolders, days, G);
  if (withHarm) integrateHarm(m, deltas.domain, c);
  return c;
}

/** Harm per day and group, from the day deltas of listed agents per domain. */
export function integrateHarm(m: Model, domainDeltas: Float64Array, c: Counters): void {
  const { days, G, D } = m;
  for (let g = 0; g < G; g++) {
    const dom = new Float64Array(D);
    for (let t = 0; t < days; t++) {
      const at = t * G + g;
      let harm = 0;
      for (let d = 0; d < D; d++) {
        dom[d] += domainDeltas[at * D + d];
        harm += dom[d] * m.harmOwn[d];
      }
      c.harm[at] = harm;
    }
  }
}

/** A listing that began wrongful has ended after `duration` days. */
function endWrongfulSpell(c: Counters, g: number, duration: number, days: number): void {
  c.wrongfulSpells[g]++;
  c.wrongfulSpellDays[g] += duration;
  c.wrongfulSpellHistogram[Math.min(duration, days)]++;
}

/** Perk changes along a no-record path of k days after day `from`; returns the status at the end. */
function perkAlong(m: Model, decay: DecayTable, delta: Float64Array, g: number, before: number, from: number, k: number, P: number, holds: boolean): boolean {
  const x = firstDay(m, decay, before, from, k, 0, P, holds);
  if (x === NEVER) return holds;
  delta[x * m.G + g] += holds ? -1 : 1;
  return !holds;
}

/** Perk status from day t, given the score that day. */
function perkAt(delta: Float64Array, G: number, g: number, t: number, score: number, P: number, holds: boolean): boolean {
  const now = score >= P;
  if (now !== holds) delta[t * G + g] += now ? 1 : -1;
  return now;
}
