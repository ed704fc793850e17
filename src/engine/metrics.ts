import { type Counters, SCORE_BINS } from "./counters.js";
import { KIND, KIND_NAMES, type Model } from "./model.js";

/**
 * Deterrence and chilling are estimated only for behaviours expected at least this
 * many times with no system: below it, one occurrence more or less moves the
 * estimate by more than 10 points.
 */
export const MIN_EXPECTED_OCCURRENCES = 10;

// Turns counters into the metrics of MODEL.md 7.10. Values are at the last day
// unless the name says days; shares are of the group's agents.

/** A group with no agents (its share rounds to 0) has null for every per-person share and mean. */
export interface GroupMetrics {
  agents: number;
  listed: number;
  listedShare: number | null;
  wrongfullyListed: number;
  wrongfulShareOfListed: number | null;
  fpr: number | null;
  precision: number | null;
  recall: number | null;
  shadowListed: number;
  shadowListedShare: number | null;
  everListed: number;
  everListedShare: number | null;
  everWrongfullyListed: number;
  sanctionDays: number;
  rightfulSanctionDays: number;
  wrongfulSanctionDays: number;
  spilloverSanctionDays: number;
  harmWeightedSanctionDays: number;
  deniedAttempts: number;
  recordsPerPerson: number | null;
  falseRecordsPerPerson: number | null;
  shareWithFalseRecord: number | null;
  recordsDiscardedOnReview: number;
  appealsFiled: number;
  appealsServed: number;
  overturnedWrongful: number;
  overturnedRightful: number;
  tiesCut: number;
  cured: number;
  perkHolders: number;
  perkDays: number;
  ratingsLow: number;
  ratingsHigh: number;
  exposedPeople: number;
  exposedRecords: number;
  exposedFalseRecords: number;
  meanScore: number | null;
  tierShares: Record<string, number | null>;
  chilling: Record<string, number | null>;
  deterrence: Record<string, number | null>;
}

export interface Summary {
  credsimVersion: string;
  scenario: string;
  scenarioHash: string;
  seed: number;
  agents: number;
  days: number;
  groups: Record<string, GroupMetrics>;
  total: GroupMetrics;
  ratios: Record<string, { listedShare: number | null; fpr: number | null }>;
  chilling: Record<string, number | null>;
  deterrence: Record<string, number | null>;
  /** Occurrences of each behaviour expected with no system (all groups). */
  expectedOccurrences: Record<string, number>;
  /**
   * Standard error of each deterrence or chilling estimate from sampling alone,
   * 1/√expected (occurrences are nearly Poisson): an estimate within a few of
   * these of 0 is not distinguishable from no change. null where the estimate is.
   */
  effectNoise: Record<string, number | null>;
  scoreGini: number;
  shadowScoreGini: number;
  tierShares: Record<string, number | null>;
  appeals: {
    filed: number;
    served: number;
    /** Cases dropped because the listing ended (expired or cured) before a decision. */
    withdrawn: number;
    overturnedWrongful: number;
    overturnedRightful: number;
    queueAtEnd: number;
    wrongfulListingsEnded: number;
    meanWrongfulListingDays: number | null;
    medianWrongfulListingDays: number | null;
    wrongfulListingsOpenAtEnd: number;
    meanOpenWrongfulListingDays: number | null;
    /** Durations of wrongful listings that ended, in bins of 7 days (from inclusive, to exclusive). */
    wrongfulListingDurations: { from: number; to: number; count: number }[];
  };
  /**
   * Final scores in 64 bins over [min, max] for charts; lowest and highest are the
   * edges of the lowest and highest non-empty bins of the 4,096-bin histogram, so
   * they bound the scores within (max − min) / 4,096. belowMean: people whose
   * score lies in a 4,096-bin bin wholly below the mean score (so below it).
   */
  scoreHistogram: { min: number; max: number; counts: number[]; lowest: number; highest: number; belowMean: number };
  /** Share of all perk-days held by each group (null without perks). */
  perks: { name: string; above: number; shareOfPerkDays: Record<string, number | null> } | null;
  /** Tier at mid-run (rows) → tier at the end (columns), counts over all groups. */
  mobility: {
    midDay: number;
    tiers: string[];
    transitions: number[][];
    /** Of those in each tier at mid-run, how many ended below every tier (only when the lowest tier's min is above the score's min). */
    fellBelowAllTiers: number[];
    /** Of those in the two lowest tiers at mid-run, the share above both at the end (null with fewer than three tiers). */
    climbedFromBottomTwo: number | null;
  } | null;
  /** Pearson correlation of final scores across remaining ties (null without a network). */
  tieScoreCorrelation: number | null;
  vote: Record<string, { yes: number; adopted: boolean }> | null;
  /** Per region, for a run split into regions (credsim run --regions). */
  regions?: RegionSummary[];
}

export interface RegionSummary {
  name: string;
  agents: number;
  seed: number;
  listedShare: number | null;
  wrongfulShareOfListed: number | null;
  fpr: number | null;
  everListedShare: number | null;
  sanctionDaysPerPerson: number;
}

export interface RunMeta {
  credsimVersion: string;
  scenario: string;
  scenarioHash: string;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

function sumDays(a: Float64Array, G: number, g: number | null, days: number): number {
  let s = 0;
  for (let t = 0; t < days; t++) {
    if (g === null) for (let x = 0; x < G; x++) s += a[t * G + x];
    else s += a[t * G + g];
  }
  return s;
}

/** Expected occurrences of each behaviour without any system, per group: Σ pBase over agent-days present. */
export function expectedOccurrences(model: Model, c: Counters): Float64Array {
  const out = new Float64Array(model.G * model.B);
  for (let k = 0; k < model.C; k++) {
    const g = model.classGroup[k];
    for (let b = 0; b < model.B; b++) out[g * model.B + b] += c.classAgentDays[k] * model.pBase[k * model.B + b];
  }
  return out;
}

/** Gini of (value − min) from a histogram with bins of equal width (bin centres). */
export function histogramGini(counts: ArrayLike<number>, width: number): number {
  let n = 0;
  let total = 0;
  for (let k = 0; k < counts.length; k++) {
    n += counts[k];
    total += counts[k] * (k + 0.5) * width;
  }
  if (n === 0 || total === 0) return 0;
  // Σ_{i<j} |x_j − x_i| over sorted bins = Σ_k c_k x_k (before_k − after_k)
  let before = 0;
  let pairs = 0;
  for (let k = 0; k < counts.length; k++) {
    const ck = counts[k];
    const after = n - before - ck;
    pairs += ck * (k + 0.5) * width * (before - after);
    before += ck;
  }
  return pairs / (n * total);
}

function groupMetrics(model: Model, c: Counters, g: number | null, expected: Float64Array): GroupMetrics {
  const { G, B, days } = model;
  const last = days - 1;
  const pick = (a: Float64Array) => (g === null ? Array.from({ length: G }, (_, x) => a[x]).reduce((p, q) => p + q, 0) : a[g]);
  const at = (a: Float64Array) => (g === null ? Array.from({ length: G }, (_, x) => a[last * G + x]).reduce((p, q) => p + q, 0) : a[last * G + g]);
  const agents = pick(c.agents);
  const listed = at(c.listed);
  const wrongful = at(c.wrongful);
  const shadowListed = at(c.shadowListed);
  const rightful = listed - wrongful;
  const listedDays = sumDays(c.listed, G, g, days);
  const wrongfulDays = sumDays(c.wrongful, G, g, days);
  const spillDays = sumDays(c.spillover, G, g, days);
  const recordsTrue = sumDays(c.recordsTrue, G, g, days);
  const recordsFalse = sumDays(c.recordsFalse, G, g, days);

  const chilling: Record<string, number | null> = {};
  const deterrence: Record<string, number | null> = {};
  for (let b = 0; b < B; b++) {
    let occ = 0;
    let exp = 0;
    for (let x = 0; x < G; x++) {
      if (g !== null && x !== g) continue;
      exp += expected[x * B + b];
      for (let t = 0; t < days; t++) occ += c.occurrences[(t * G + x) * B + b];
    }
    // no estimate (null) rather than "100 %" from 0 occurrences of 0.3 expected
    const v = exp >= MIN_EXPECTED_OCCURRENCES ? 1 - occ / exp : null;
    if (model.kind[b] === KIND.violation) deterrence[model.behaviours[b]] = v;
    else chilling[model.behaviours[b]] = v;
  }

  const T = model.tierNames.length;
  const tierShares: Record<string, number | null> = {};
  for (let x = 0; x < T; x++) {
    let n = 0;
    for (let y = 0; y < G; y++) if (g === null || y === g) n += c.tierCounts[y * T + x];
    tierShares[model.tierNames[x]] = agents > 0 ? n / agents : null;
  }
  let scoreSum = 0;
  let scoreN = 0;
  const width = (model.sMax - model.sMin) / SCORE_BINS;
  for (let y = 0; y < G; y++) {
    if (g !== null && y !== g) continue;
    for (let k = 0; k < SCORE_BINS; k++) {
      const n = c.scoreHistogram[y * SCORE_BINS + k];
      scoreSum += n * (model.sMin + (k + 0.5) * width);
      scoreN += n;
    }
  }

  return {
    agents,
    listed,
    listedShare: agents > 0 ? listed / agents : null,
    wrongfullyListed: wrongful,
    wrongfulShareOfListed: ratio(wrongful, listed),
    fpr: ratio(wrongful, agents - shadowListed),
    precision: ratio(rightful, listed),
    recall: ratio(rightful, shadowListed),
    shadowListed,
    shadowListedShare: agents > 0 ? shadowListed / agents : null,
    everListed: pick(c.everListed),
    everListedShare: agents > 0 ? pick(c.everListed) / agents : null,
    everWrongfullyListed: pick(c.everWrongful),
    sanctionDays: listedDays + spillDays,
    rightfulSanctionDays: listedDays - wrongfulDays,
    wrongfulSanctionDays: wrongfulDays,
    spilloverSanctionDays: spillDays,
    harmWeightedSanctionDays: sumDays(c.harm, G, g, days),
    deniedAttempts: sumDays(c.denied, G, g, days),
    recordsPerPerson: agents > 0 ? (recordsTrue + recordsFalse) / agents : null,
    falseRecordsPerPerson: agents > 0 ? recordsFalse / agents : null,
    shareWithFalseRecord: agents > 0 ? pick(c.withFalseRecord) / agents : null,
    recordsDiscardedOnReview: sumDays(c.recordsDiscarded, G, g, days),
    appealsFiled: sumDays(c.appealsFiled, G, g, days),
    appealsServed: sumDays(c.appealsServed, G, g, days),
    overturnedWrongful: sumDays(c.overturnedWrongful, G, g, days),
    overturnedRightful: sumDays(c.overturnedRightful, G, g, days),
    tiesCut: sumDays(c.tiesCut, G, g, days),
    cured: sumDays(c.cured, G, g, days),
    perkHolders: at(c.perkHolders),
    perkDays: sumDays(c.perkHolders, G, g, days),
    ratingsLow: sumDays(c.ratingsLow, G, g, days),
    ratingsHigh: sumDays(c.ratingsHigh, G, g, days),
    exposedPeople: pick(c.exposedPeople),
    exposedRecords: pick(c.exposedRecords),
    exposedFalseRecords: pick(c.exposedFalseRecords),
    meanScore: scoreN > 0 ? scoreSum / scoreN : null,
    tierShares,
    chilling,
    deterrence,
  };
}

/**
 * Disparity in false-positive rate between groups, whatever their order: the
 * highest group FPR over the lowest. null with fewer than two groups that have an
 * FPR, or when the lowest is 0 (the ratio is unbounded; the FPRs themselves say more).
 */
export function fprSpread(s: Summary): number | null {
  const v = Object.values(s.groups)
    .map((g) => g.fpr)
    .filter((x): x is number => x !== null);
  if (v.length < 2) return null;
  const lowest = Math.min(...v);
  return lowest > 0 ? Math.max(...v) / lowest : null;
}

export function summarize(model: Model, c: Counters, meta: RunMeta): Summary {
  const expected = expectedOccurrences(model, c);
  const groups: Record<string, GroupMetrics> = {};
  model.groups.forEach((name, g) => {
    groups[name] = groupMetrics(model, c, g, expected);
  });
  const total = groupMetrics(model, c, null, expected);
  const reference = groups[model.groups[0]];
  const ratios: Summary["ratios"] = {};
  for (const [name, m] of Object.entries(groups)) {
    ratios[name] = {
      listedShare: reference.listedShare !== null && reference.listedShare > 0 && m.listedShare !== null ? m.listedShare / reference.listedShare : null,
      fpr: reference.fpr !== null && reference.fpr > 0 && m.fpr !== null ? m.fpr / reference.fpr : null,
    };
  }
  const width = (model.sMax - model.sMin) / SCORE_BINS;
  const all = new Float64Array(SCORE_BINS);
  const allShadow = new Float64Array(SCORE_BINS);
  for (let g = 0; g < model.G; g++) {
    for (let k = 0; k < SCORE_BINS; k++) {
      all[k] += c.scoreHistogram[g * SCORE_BINS + k];
      allShadow[k] += c.shadowScoreHistogram[g * SCORE_BINS + k];
    }
  }
  // 64 coarse bins for charts
  const coarse = new Array(64).fill(0);
  for (let k = 0; k < SCORE_BINS; k++) coarse[Math.floor((k * 64) / SCORE_BINS)] += all[k];
  const fineWidth = (model.sMax - model.sMin) / SCORE_BINS;
  const firstUsed = all.findIndex((n) => n > 0);
  let lastUsed = SCORE_BINS - 1;
  while (lastUsed >= 0 && !(all[lastUsed] > 0)) lastUsed--;

  let ended = 0;
  let endedDays = 0;
  let open = 0;
  let openDays = 0;
  for (let g = 0; g < model.G; g++) {
    ended += c.wrongfulSpells[g];
    endedDays += c.wrongfulSpellDays[g];
    open += c.openWrongfulSpells[g];
    openDays += c.openWrongfulSpellDays[g];
  }
  let median: number | null = null;
  if (ended > 0) {
    let acc = 0;
    for (let d = 0; d < c.wrongfulSpellHistogram.length; d++) {
      acc += c.wrongfulSpellHistogram[d];
      if (acc * 2 >= ended) {
        median = d;
        break;
      }
    }
  }
  const last = model.days - 1;
  let queue = 0;
  for (let g = 0; g < model.G; g++) queue += c.waiting[last * model.G + g];

  return {
    credsimVersion: meta.credsimVersion,
    scenario: meta.scenario,
    scenarioHash: meta.scenarioHash,
    seed: model.seed,
    agents: model.agents,
    days: model.days,
    groups,
    total,
    ratios,
    chilling: total.chilling,
    deterrence: total.deterrence,
    expectedOccurrences: Object.fromEntries(model.behaviours.map((b, k) => [b, sumOverGroups(expected, model, k)])),
    effectNoise: Object.fromEntries(
      model.behaviours.map((b, k) => {
        const exp = sumOverGroups(expected, model, k);
        return [b, exp >= MIN_EXPECTED_OCCURRENCES ? 1 / Math.sqrt(exp) : null];
      }),
    ),
    scoreGini: histogramGini(all, width),
    shadowScoreGini: histogramGini(allShadow, width),
    tierShares: total.tierShares,
    appeals: {
      filed: total.appealsFiled,
      served: total.appealsServed,
      withdrawn: sumDays(c.appealsWithdrawn, model.G, null, model.days),
      overturnedWrongful: total.overturnedWrongful,
      overturnedRightful: total.overturnedRightful,
      queueAtEnd: queue,
      wrongfulListingsEnded: ended,
      meanWrongfulListingDays: ended > 0 ? endedDays / ended : null,
      medianWrongfulListingDays: median,
      wrongfulListingsOpenAtEnd: open,
      meanOpenWrongfulListingDays: open > 0 ? openDays / open : null,
      wrongfulListingDurations: durationBins(c.wrongfulSpellHistogram, 7),
    },
    scoreHistogram: {
      min: model.sMin,
      max: model.sMax,
      counts: coarse,
      lowest: firstUsed < 0 ? model.sMin : model.sMin + firstUsed * fineWidth,
      highest: lastUsed < 0 ? model.sMax : model.sMin + (lastUsed + 1) * fineWidth,
      belowMean: countBelow(all, fineWidth > 0 && total.meanScore !== null ? Math.floor((total.meanScore - model.sMin) / fineWidth) : 0),
    },
    perks:
      model.perkAbove === null
        ? null
        : {
            name: "perks",
            above: model.perkAbove,
            shareOfPerkDays: Object.fromEntries(
              Object.entries(groups).map(([k, v]) => [k, total.perkDays > 0 && v.agents > 0 ? v.perkDays / total.perkDays : null]),
            ),
          },
    mobility: mobility(model, c),
    tieScoreCorrelation: tieCorrelation(c.tieScoreMoments),
    vote: model.vote
      ? Object.fromEntries(
          model.behaviours.map((b, k) => [b, { yes: (model.vote as { yes: number[] }).yes[k], adopted: (model.vote as { adopted: boolean[] }).adopted[k] }]),
        )
      : null,
  };
}

function sumOverGroups(expected: Float64Array, model: Model, b: number): number {
  let x = 0;
  for (let g = 0; g < model.G; g++) x += expected[g * model.B + b];
  return x;
}

/** Agents in the bins below bin k. */
function countBelow(bins: Float64Array, k: number): number {
  let n = 0;
  for (let x = 0; x < Math.min(k, bins.length); x++) n += bins[x];
  return n;
}

function durationBins(hist: Float64Array, width: number): { from: number; to: number; count: number }[] {
  const out: { from: number; to: number; count: number }[] = [];
  let last = -1;
  for (let d = 0; d < hist.length; d++) if (hist[d] > 0) last = d;
  for (let from = 0; from <= last; from += width) {
    let count = 0;
    for (let d = from; d < Math.min(from + width, hist.length); d++) count += hist[d];
    out.push({ from, to: from + width, count });
  }
  return out;
}

function mobility(model: Model, c: Counters): Summary["mobility"] {
  const T = model.tierNames.length;
  if (T === 0) return null;
  const transitions = Array.from({ length: T }, () => new Array(T).fill(0));
  for (let g = 0; g < model.G; g++) for (let a = 0; a < T; a++) for (let b = 0; b < T; b++) transitions[a][b] += c.tierTransitions[(g * T + a) * T + b];
  const fellBelowAllTiers = new Array(T).fill(0);
  for (let g = 0; g < model.G; g++) for (let a = 0; a < T; a++) fellBelowAllTiers[a] += c.tierFellBelow[g * T + a];
  let bottom = 0;
  let climbed = 0;
  for (let a = 0; a < Math.min(2, T); a++) {
    bottom += fellBelowAllTiers[a];
    for (let b = 0; b < T; b++) {
      bottom += transitions[a][b];
      if (b >= 2) climbed += transitions[a][b];
    }
  }
  return { midDay: model.midDay, tiers: model.tierNames, transitions, fellBelowAllTiers, climbedFromBottomTwo: T > 2 && bottom > 0 ? climbed / bottom : null };
}

/** Assortativity of scores: correlation over ties, each tie counted in both directions. */
function tieCorrelation(mo: Float64Array): number | null {
  const n = mo[5];
  if (n < 2) return null;
  const mean = (mo[0] + mo[1]) / (2 * n);
  const variance = (mo[2] + mo[3]) / (2 * n) - mean * mean;
  if (variance <= 1e-12 * Math.max(1, mean * mean)) return null;
  return (mo[4] / n - mean * mean) / variance;
}

/** Column names of the daily table, in order. */
export const DAILY_COLUMNS = [
  "day",
  "group",
  "agents",
  "listed",
  "listed_wrongfully",
  "shadow_listed",
  "precision",
  "recall",
  "fpr",
  "new_listings",
  "sanctioned",
  "spillover",
  "harm",
  "records_true",
  "records_false",
  "records_discarded",
  "denied_attempts",
  "appeals_filed",
  "appeals_served",
  "overturned",
  "queue_length",
  "ties_cut",
] as const;

export type DailyRow = Record<(typeof DAILY_COLUMNS)[number], number | string | null>;

/** One row per day and group. */
export function dailyRows(model: Model, c: Counters): DailyRow[] {
  const rows: DailyRow[] = [];
  const G = model.G;
  for (let t = 0; t < model.days; t++) {
    for (let g = 0; g < G; g++) {
      const at = t * G + g;
      const listed = c.listed[at];
      const wrong = c.wrongful[at];
      const shadow = c.shadowListed[at];
      rows.push({
        day: t,
        group: model.groups[g],
        agents: c.agents[g],
        listed,
        listed_wrongfully: wrong,
        shadow_listed: shadow,
        precision: ratio(listed - wrong, listed),
        recall: ratio(listed - wrong, shadow),
        fpr: ratio(wrong, c.agents[g] - shadow),
        new_listings: c.newListings[at],
        sanctioned: listed + c.spillover[at],
        spillover: c.spillover[at],
        harm: c.harm[at],
        records_true: c.recordsTrue[at],
        records_false: c.recordsFalse[at],
        records_discarded: c.recordsDiscarded[at],
        denied_attempts: c.denied[at],
        appeals_filed: c.appealsFiled[at],
        appeals_served: c.appealsServed[at],
        overturned: c.overturnedWrongful[at] + c.overturnedRightful[at],
        queue_length: c.waiting[at],
        ties_cut: c.tiesCut[at],
      });
    }
  }
  return rows;
}

export { KIND_NAMES };
