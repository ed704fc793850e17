import type { Model } from "./model.js";

/** Score histogram resolution: Gini and tier shares are computed from it (error < 1/SCORE_BINS of the range). */
export const SCORE_BINS = 4096;

/** Histogram bin of a score in [min, min + range]. */
export function scoreBin(s: number, min: number, range: number): number {
  if (range <= 0) return 0;
  const b = Math.floor(((s - min) / range) * SCORE_BINS);
  return b < 0 ? 0 : b >= SCORE_BINS ? SCORE_BINS - 1 : b;
}

/**
 * Everything a run measures, as integer-valued counts in typed arrays, so that the
 * counts of disjoint agent ranges (threads, shards, regions) add up exactly.
 * Daily arrays are day-major: index = day·G + group (·B + behaviour).
 */
export interface Counters {
  days: number;
  G: number;
  B: number;
  agents: Float64Array; // per group
  classAgents: Float64Array; // per class (group·S + segment)
  classAgentDays: Float64Array; // agent-days present, per class
  // state at the end of each day, per group
  listed: Float64Array;
  wrongful: Float64Array;
  shadowListed: Float64Array;
  spillover: Float64Array;
  waiting: Float64Array;
  // harm-weighted sanctioned agents at the end of each day (weights from restrictions)
  harm: Float64Array;
  // flows during each day, per group
  newListings: Float64Array;
  recordsTrue: Float64Array;
  recordsFalse: Float64Array;
  recordsDiscarded: Float64Array;
  denied: Float64Array;
  appealsFiled: Float64Array;
  appealsServed: Float64Array;
  /** Appeals dropped because the listing ended before the case was decided. */
  appealsWithdrawn: Float64Array;
  overturnedWrongful: Float64Array;
  overturnedRightful: Float64Array;
  tiesCut: Float64Array;
  cured: Float64Array;
  perkHolders: Float64Array;
  ratingsLow: Float64Array;
  ratingsHigh: Float64Array;
  // per day, group and behaviour
  occurrences: Float64Array;
  deniedByBehaviour: Float64Array;
  // end of run, per group
  everListed: Float64Array;
  everWrongful: Float64Array;
  withFalseRecord: Float64Array;
  wrongfulSpells: Float64Array; // listings wrongful when they began, that ended
  wrongfulSpellDays: Float64Array;
  openWrongfulSpells: Float64Array; // still running at the end
  openWrongfulSpellDays: Float64Array;
  /** Durations (days) of ended wrongful spells, all groups: index = days. */
  wrongfulSpellHistogram: Float64Array;
  scoreHistogram: Float64Array; // G × SCORE_BINS, final real scores
  shadowScoreHistogram: Float64Array;
  tierCounts: Float64Array; // G × tiers
  /** Tier at mid-run → tier at the end, G × tiers × tiers (agents below every tier are left out). */
  tierTransitions: Float64Array;
  /** In a tier at mid-run, below every tier at the end: G × tiers. */
  tierFellBelow: Float64Array;
  exposedPeople: Float64Array; // per group, breach
  exposedRecords: Float64Array;
  exposedFalseRecords: Float64Array;
  /** Σx, Σy, Σx², Σy², Σxy, n over remaining ties (x, y the final scores of the two ends). */
  tieScoreMoments: Float64Array;
}

export function newCounters(model: Model): Counters {
  const { days, G, B } = model;
  const dg = () => new Float64Array(days * G);
  return {
    days,
    G,
    B,
    agents: new Float64Array(G),
    classAgents: new Float64Array(model.C),
    classAgentDays: new Float64Array(model.C),
    listed: dg(),
    wrongful: dg(),
    shadowListed: dg(),
    spillover: dg(),
    waiting: dg(),
    harm: dg(),
    newListings: dg(),
    recordsTrue: dg(),
    recordsFalse: dg(),
    recordsDiscarded: dg(),
    denied: dg(),
    appealsFiled: dg(),
    appealsServed: dg(),
    appealsWithdrawn: dg(),
    overturnedWrongful: dg(),
    overturnedRightful: dg(),
    tiesCut: dg(),
    cured: dg(),
    perkHolders: dg(),
    ratingsLow: dg(),
    ratingsHigh: dg(),
    occurrences: new Float64Array(days * G * B),
    deniedByBehaviour: new Float64Array(days * G * B),
    everListed: new Float64Array(G),
    everWrongful: new Float64Array(G),
    withFalseRecord: new Float64Array(G),
    wrongfulSpells: new Float64Array(G),
    wrongfulSpellDays: new Float64Array(G),
    openWrongfulSpells: new Float64Array(G),
    openWrongfulSpellDays: new Float64Array(G),
    wrongfulSpellHistogram: new Float64Array(days + 1),
    scoreHistogram: new Float64Array(G * SCORE_BINS),
    shadowScoreHistogram: new Float64Array(G * SCORE_BINS),
    tierCounts: new Float64Array(G * Math.max(1, model.tierNames.length)),
    tierTransitions: new Float64Array(G * Math.max(1, model.tierNames.length) ** 2),
    tierFellBelow: new Float64Array(G * Math.max(1, model.tierNames.length)),
    exposedPeople: new Float64Array(G),
    exposedRecords: new Float64Array(G),
    exposedFalseRecords: new Float64Array(G),
    tieScoreMoments: new Float64Array(6),
  };
}

const ARRAY_KEYS = [
  "agents",
  "classAgents",
  "classAgentDays",
  "listed",
  "wrongful",
  "shadowListed",
  "spillover",
  "waiting",
  "harm",
  "newListings",
  "recordsTrue",
  "recordsFalse",
  "recordsDiscarded",
  "denied",
  "appealsFiled",
  "appealsServed",
  "appealsWithdrawn",
  "overturnedWrongful",
  "overturnedRightful",
  "tiesCut",
  "cured",
  "perkHolders",
  "ratingsLow",
  "ratingsHigh",
  "occurrences",
  "deniedByBehaviour",
  "everListed",
  "everWrongful",
  "withFalseRecord",
  "wrongfulSpells",
  "wrongfulSpellDays",
  "openWrongfulSpells",
  "openWrongfulSpellDays",
  "wrongfulSpellHistogram",
  "scoreHistogram",
  "shadowScoreHistogram",
  "tierCounts",
  "tierTransitions",
  "tierFellBelow",
  "exposedPeople",
  "exposedRecords",
  "exposedFalseRecords",
  "tieScoreMoments",
] as const;

/** Adds `from` into `into`: counts of disjoint agent ranges sum exactly. */
export function addCounters(into: Counters, from: Counters): void {
  for (const k of ARRAY_KEYS) {
    const a = into[k];
    const b = from[k];
    for (let i = 0; i < a.length; i++) a[i] += b[i];
  }
}

/** Plain-object form for postMessage and JSON. */
export function countersArrays(c: Counters): Float64Array[] {
  return ARRAY_KEYS.map((k) => c[k]);
}

export function countersFromArrays(model: Model, arrays: Float64Array[]): Counters {
  const c = newCounters(model);
  ARRAY_KEYS.forEach((k, i) => {
    c[k].set(arrays[i]);
  });
  return c;
}
