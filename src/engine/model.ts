import type { Scenario } from "../scenario/schema.js";
import { type GapTable, gapTable } from "./gap-table.js";

// The scenario compiled to flat numeric tables, once, at the boundary, so the
// simulation loop reads arrays and never looks up a name.

export const KIND = { violation: 0, disfavored: 1, rewarded: 2, access: 3 } as const;
export const KIND_NAMES = ["violation", "disfavored", "rewarded", "access"] as const;
export const MAX_DOMAINS = 8;

/** Gaps of up to this many days are looked up; longer ones (rare but at low rates) computed. */
const GAP_TABLE_MOST = 1024;

export interface Model {
  agents: number;
  days: number;
  seed: number;
  groups: string[];
  segments: string[];
  behaviours: string[];
  domains: string[];
  G: number;
  S: number;
  B: number;
  D: number;
  /** class = group·S + segment */
  C: number;
  groupShare: number[];
  segmentShare: number[];

  kind: Uint8Array; // per behaviour
  points: Float64Array;
  penalising: Uint8Array; // points < 0 or direct listing
  direct: Int32Array; // 0: none
  domainOf: Uint8Array;
  misattribute: Float64Array;
  review: Float64Array;
  reviewCatch: number;
  /** 1 − Π(1 − detect_k,b) per behaviour × listing state (index b·L2 + listed). */
  detect: Float64Array;
  /** 2 when detection or false records depend on being listed (inspections), else 1. */
  L2: number;
  sources: string[];
  /** Source of each false-record channel (−1 for other channels). */
  chanSource: Int32Array;
  /** The source most likely to record each behaviour (for histories), −1 if none sees it. */
  mainSource: Int32Array;
  deter: Float64Array; // effective deterrence per behaviour (0 if rules are open and it is not penalised)

  /** min(1, base·groupMult·segmentMult) per class × behaviour: the rate with no system. */
  pBase: Float64Array;
  /** Candidate rate per class × behaviour: pBase at the lowest fear an agent can have. */
  pMax: Float64Array;
  /** base·groupMult·segmentMult, unclamped, per class × behaviour (for acceptance). */
  pRaw: Float64Array;

  // Channels: each class has M independent daily Bernoulli channels (behaviour
  // candidates first, then false-record channels), combined into one geometric clock.
  M: number;
  chanBehaviour: Int32Array; // per channel (same for every class); −1 for the rating channel
  chanType: Uint8Array; // CHANNEL.behaviour | falseRecord | rating
  /** Channel probabilities per (class·L2 + listed) × M. */
  chanP: Float64Array;
  /**
   * Per (class·L2 + listed) × M, at position pos: 1 − Π_{m ≥ pos}(1 − chanP), the
   * product taken in the order sampleDay takes it. A draw u at or above it fires no
   * channel from pos on, so sampleDay stops without scanning them (bit-identical:
   * the running product only falls, so the scan's last test is its weakest).
   */
  chanSomeFrom: Float64Array;
  /** P(no channel fires on a day) per class·L2 + listed. */
  noEvent: Float64Array;
  /** log of noEvent. */
  logNoEvent: Float64Array;
  /** The candidate clock's gaps at each of those rates, by table lookup (gap-table.ts). */
  gaps: GapTable;

  classGroup: Int32Array;
  classSegment: Int32Array;
  exemptClass: Uint8Array;
  /** 1 for firms (no household, no contacts). */
  segmentFirm: Uint8Array;
  /** Days present per segment; 0 means the whole run. */
  segmentPresent: Int32Array;

  s0: number;
  sMin: number;
  sMax: number;
  rho: number;
  association: number;
  tierNames: string[];
  tierMins: Float64Array;
  enterBelow: number;
  listDays: number;
  joint: boolean;

  restrictions: string[];
  /** For a listing in domain d: is behaviour b blocked for the listed agent? D × B */
  blockOwn: Uint8Array;
  /** Bit mask of listing domains whose household restrictions block behaviour b. */
  blockHouseholdMask: Uint8Array;
  /** Does a listing in domain d impose any household restriction? */
  spillDomain: Uint8Array;
  /** Harm weight per day of a listing in domain d, for the listed agent. */
  harmOwn: Float64Array;
  /** Harm weight per day for a household member under household mask m (2^D entries). */
  harmSpill: Float64Array;
  /** [(own domain << D) + household mask]: harm a listed agent bears beyond its own domain's restrictions. */
  harmSpillListed: Float64Array;

  households: { sizes: number[]; probs: number[] } | null;
  network: { degree: number; rewire: number; homophily: number | null } | null;

  /** keep[k] = (1 − decay)^k for k ≤ days, so fear decays by a table lookup. */
  fear: { decay: number; self: number; social: number; floor: number; keep: Float64Array } | null;
  cutTie: number;
  appeals: { fileRate: number; capacityPerDay: number; overturnWrongful: number; overturnRightful: number } | null;
  insiders: { count: number; targets: number; everyDays: number; behaviour: number } | null;
  cure: { rate: number; logKeep: number; resetScore: boolean } | null;
  perkAbove: number | null;
  breach: { day: number; share: number } | null;
  /** Per behaviour: the vote share for its rule and whether it was adopted (null: no vote). */
  vote: { yes: number[]; adopted: boolean[] } | null;
  ratings: {
    low: number;
    high: number;
    lowPoints: number;
    highPoints: number;
    statusBias: number;
    raterWeight: boolean;
    groupLowMult: Float64Array;
  } | null;
  /** Day at which the mid-run snapshot for mobility is taken. */
  midDay: number;
}

export const CHANNEL = { behaviour: 0, falseRecord: 1, rating: 2 } as const;

/** Share of votes for each behaviour's rule, by expected votes of each group (see docs/model.md 7.12). */
function tallyVote(s: Scenario, behaviours: string[]): { yes: number[]; adopted: boolean[] } | null {
  const v = s.vote;
  if (!v) return null;
  const defaultSupport: Record<string, number> = { violation: 0.9, disfavored: 0.2, rewarded: 0.6, access: 0.1 };
  const yes = behaviours.map((b) => {
    let total = 0;
    for (const g of s.population.groups) {
      const support = v.groupSupport[g.name]?.[b] ?? v.support[b] ?? defaultSupport[s.behaviours[b].kind];
      total += g.share * support;
    }
    return total;
  });
  return { yes, adopted: yes.map((y) => y > v.threshold) };
}

/** [x^0, x^1, …, x^(n−1)], each as `x ** k` so a lookup equals the power it replaces. */
function powers(x: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = x ** k;
  return out;
}

export function compileModel(s: Scenario): Model {
  const groups = s.population.groups.map((g) => g.name);
  const segments = s.population.segments.map((g) => g.name);
  const behaviours = Object.keys(s.behaviours);
  const G = groups.length;
  const S = segments.length;
  const B = behaviours.length;
  const C = G * S;
  const N = s.population.agents;
  const vote = tallyVote(s, behaviours);

  const domainSet = ["general"];
  for (const b of Object.values(s.behaviours)) if (!domainSet.includes(b.domain)) domainSet.push(b.domain);
  for (const r of Object.values(s.restrictions)) if (!domainSet.includes(r.domain)) domainSet.push(r.domain);
  if (domainSet.length > MAX_DOMAINS) {
    throw new RangeError(`at most ${MAX_DOMAINS} domains (including 'general') are supported, the scenario has ${domainSet.length}: ${domainSet.join(", ")}`);
  }
  const D = domainSet.length;
  const sources = Object.values(s.sources);
  const L2 = sources.some((src) => src.listedDetectMult !== 1 || src.listedFalseMult !== 1) ? 2 : 1;

  const kind = new Uint8Array(B);
  const points = new Float64Array(B);
  const penalising = new Uint8Array(B);
  const direct = new Int32Array(B);
  const domainOf = new Uint8Array(B);
  const misattribute = new Float64Array(B);
  const review = new Float64Array(B);
  const detect = new Float64Array(B * L2);
  const deter = new Float64Array(B);
  // Perceived surveillance sets a floor on fear under either rule; what transparency
  // changes is which behaviours fear reaches (deter below).
  const floor = s.fear ? s.fear.perceivedSurveillance : 0;

  behaviours.forEach((name, b) => {
    const beh = s.behaviours[name];
    const adopted = vote ? vote.adopted[b] : true;
    kind[b] = KIND[beh.kind];
    points[b] = adopted ? (s.scoring.points[name] ?? 0) : 0;
    direct[b] = adopted ? (s.listing.direct[name] ?? 0) : 0;
    penalising[b] = points[b] < 0 || direct[b] > 0 ? 1 : 0;
    domainOf[b] = domainSet.indexOf(beh.domain);
    misattribute[b] = beh.misattribute;
    review[b] = s.review.rate[name] ?? 0;
    for (let l = 0; l < L2; l++) {
      let miss = 1;
      for (const src of sources) miss *= 1 - Math.min(1, (src.detect[name] ?? 0) * (l ? src.listedDetectMult : 1));
      detect[b * L2 + l] = 1 - miss;
    }
    // Under open rules people know which acts are penalised; under opaque rules they fear all.
    deter[b] = s.fear && (s.transparency === "opaque" || penalising[b]) ? beh.deter : 0;
  });

  // Channels: behaviours, then (source, behaviour) false-record pairs with a positive rate, then ratings.
  const chanBehaviour: number[] = [];
  const chanType: number[] = [];
  const chanSource: number[] = [];
  const falseSources: { src: Scenario["sources"][string]; rate: number }[] = [];
  for (let b = 0; b < B; b++) {
    chanBehaviour.push(b);
    chanType.push(CHANNEL.behaviour);
    chanSource.push(-1);
  }
  sources.forEach((src, k) => {
    behaviours.forEach((name, b) => {
      const rate = src.falseRate[name] ?? 0;
      if (rate > 0) {
        chanBehaviour.push(b);
        chanType.push(CHANNEL.falseRecord);
        chanSource.push(k);
        falseSources.push({ src, rate });
      }
    });
  });
  const ratings = s.ratings && s.population.network ? s.ratings : null;
  if (ratings) {
    chanBehaviour.push(-1);
    chanType.push(CHANNEL.rating);
    chanSource.push(-1);
  }
  const mainSource = Int32Array.from(
    behaviours.map((name) => {
      let best = -1;
      let p = 0;
      sources.forEach((src, k) => {
        if ((src.detect[name] ?? 0) > p) {
          p = src.detect[name] ?? 0;
          best = k;
        }
      });
      return best;
    }),
  );
  const M = chanBehaviour.length;
  const pBase = new Float64Array(C * B);
  const pMax = new Float64Array(C * B);
  const pRaw = new Float64Array(C * B);
  const chanP = new Float64Array(C * L2 * M);
  const chanSomeFrom = new Float64Array(C * L2 * M);
  const noEvent = new Float64Array(C * L2);
  const logNoEvent = new Float64Array(C * L2);
  const classGroup = new Int32Array(C);
  const classSegment = new Int32Array(C);
  const exemptClass = new Uint8Array(C);

  for (let g = 0; g < G; g++) {
    for (let seg = 0; seg < S; seg++) {
      const c = g * S + seg;
      classGroup[c] = g;
      classSegment[c] = seg;
      exemptClass[c] = s.exempt.groups.includes(groups[g]) || s.exempt.segments.includes(segments[seg]) ? 1 : 0;
      behaviours.forEach((name, b) => {
        const beh = s.behaviours[name];
        const raw = beh.base * (beh.groupMult[groups[g]] ?? 1) * (beh.segmentMult[segments[seg]] ?? 1);
        pRaw[c * B + b] = raw;
        pBase[c * B + b] = Math.min(1, raw);
        pMax[c * B + b] = Math.min(1, raw * (1 - deter[b] * floor));
      });
      for (let l = 0; l < L2; l++) {
        const row = (c * L2 + l) * M;
        for (let b = 0; b < B; b++) chanP[row + b] = pMax[c * B + b];
        falseSources.forEach(({ src, rate }, j) => {
          chanP[row + B + j] = Math.min(1, rate * (src.groupFalseMult[groups[g]] ?? 1) * (l ? src.listedFalseMult : 1));
        });
        if (ratings) chanP[row + M - 1] = ratings.encounterRate;
        let prod = 1;
        for (let m = 0; m < M; m++) prod *= 1 - chanP[row + m];
        noEvent[c * L2 + l] = prod;
        logNoEvent[c * L2 + l] = Math.log(prod);
        for (let pos = 0; pos < M; pos++) {
          let run = 1;
          for (let m = pos; m < M; m++) run *= 1 - chanP[row + m];
          chanSomeFrom[row + pos] = 1 - run;
        }
      }
    }
  }

  // Restrictions by domain.
  const restrictions = Object.keys(s.restrictions);
  const blockOwn = new Uint8Array(D * B);
  const blockHouseholdMask = new Uint8Array(B);
  const spillDomain = new Uint8Array(D);
  const harmOwn = new Float64Array(D);
  const harmHouseholdByDomain = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    for (const r of restrictions) {
      const res = s.restrictions[r];
      if (!s.listing.joint && res.domain !== domainSet[d]) continue;
      harmOwn[d] += res.harm;
      for (const bn of res.blocks) {
        const b = behaviours.indexOf(bn);
        blockOwn[d * B + b] = 1;
        if (res.household) blockHouseholdMask[b] |= 1 << d;
      }
      if (res.household) {
        spillDomain[d] = 1;
        harmHouseholdByDomain[d] += res.harm;
      }
    }
  }
  // A household member under restrictions from several listed relatives bears the union.
  const harmSpill = new Float64Array(1 << D);
  for (let mask = 1; mask < 1 << D; mask++) {
    if (s.listing.joint) {
      harmSpill[mask] = harmHouseholdByDomain[0];
      continue;
    }
    const seen = new Set<string>();
    let h = 0;
    for (let d = 0; d < D; d++) {
      if (!(mask & (1 << d))) continue;
      for (const r of restrictions) {
        const res = s.restrictions[r];
        if (res.household && res.domain === domainSet[d] && !seen.has(r)) {
          seen.add(r);
          h += res.harm;
        }
      }
    }
    harmSpill[mask] = h;
  }
  // A listed agent bears its own domain's restrictions and, without joint
  // punishment, the household restrictions of other domains its relatives are
  // listed in: restrictions belong to one domain each, so the union adds those.
  const harmSpillListed = new Float64Array(D << D);
  if (!s.listing.joint) for (let d = 0; d < D; d++) for (let mask = 1; mask < 1 << D; mask++) harmSpillListed[(d << D) + mask] = harmSpill[mask & ~(1 << d)];

  const hh = s.population.households;
  const households = hh
    ? (() => {
        const entries = Object.entries(hh.sizes)
          .map(([k, v]) => [Number(k), v] as const)
          .filter(([, v]) => v > 0)
          .sort((a, b) => a[0] - b[0]);
        return { sizes: entries.map((e) => e[0]), probs: entries.map((e) => e[1]) };
      })()
    : null;

  const ins = s.insiders;
  const cure = s.listing.cure;
  return {
    agents: N,
    days: s.days,
    seed: s.seed,
    groups,
    segments,
    behaviours,
    domains: domainSet,
    G,
    S,
    B,
    D,
    C,
    groupShare: s.population.groups.map((g) => g.share),
    segmentShare: s.population.segments.map((g) => g.share),
    kind,
    points,
    penalising,
    direct,
    domainOf,
    misattribute,
    review,
    reviewCatch: s.review.catch,
    detect,
    L2,
    sources: Object.keys(s.sources),
    chanSource: Int32Array.from(chanSource),
    mainSource,
    deter,
    pBase,
    pMax,
    pRaw,
    M,
    chanBehaviour: Int32Array.from(chanBehaviour),
    chanType: Uint8Array.from(chanType),
    chanP,
    chanSomeFrom,
    noEvent,
    logNoEvent,
    gaps: gapTable(logNoEvent, Math.min(GAP_TABLE_MOST, s.days + 1)),
    classGroup,
    classSegment,
    exemptClass,
    segmentFirm: Uint8Array.from(s.population.segments.map((x) => (x.kind === "firm" ? 1 : 0))),
    segmentPresent: Int32Array.from(s.population.segments.map((x) => (x.presentDays && x.presentDays < s.days ? x.presentDays : 0))),
    // Scores are held as float32 (simulate.ts): the start, the bounds and every
    // threshold a score is compared with are rounded alike, so a score equal to a
    // threshold as written compares equal in both engines (0.7 is not a float32).
    s0: Math.fround(s.scoring.start),
    sMin: Math.fround(s.scoring.min),
    sMax: Math.fround(s.scoring.max),
    rho: s.scoring.reversion,
    association: s.scoring.association,
    tierNames: s.scoring.tiers.map((t) => t.name),
    tierMins: Float64Array.from(s.scoring.tiers.map((t) => Math.fround(t.min))),
    enterBelow: Math.fround(s.listing.enterBelow),
    listDays: s.listing.days,
    joint: s.listing.joint,
    restrictions,
    blockOwn,
    blockHouseholdMask,
    spillDomain,
    harmOwn,
    harmSpill,
    harmSpillListed,
    households,
    network: s.population.network,
    fear: s.fear ? { decay: s.fear.decay, self: s.fear.self, social: s.fear.social, floor, keep: powers(1 - s.fear.decay, s.days + 1) } : null,
    cutTie: s.population.network ? s.ties.cut : 0,
    appeals: s.appeals
      ? {
          fileRate: s.appeals.fileRate,
          capacityPerDay: (s.appeals.capacityPerMillion * N) / 1e6,
          overturnWrongful: s.appeals.overturnWrongful,
          overturnRightful: s.appeals.overturnRightful,
        }
      : null,
    insiders:
      ins && ins.perMillion > 0
        ? { count: (ins.perMillion * N) / 1e6, targets: ins.targets, everyDays: ins.everyDays, behaviour: behaviours.indexOf(ins.behaviour) }
        : null,
    cure: cure && cure.rate > 0 ? { rate: cure.rate, logKeep: Math.log1p(-cure.rate), resetScore: cure.score === "start" } : null,
    perkAbove: s.perks ? Math.fround(s.perks.above) : null,
    breach: s.breach && s.breach.day < s.days ? s.breach : null,
    vote,
    ratings: ratings
      ? {
          low: ratings.low,
          high: ratings.high,
          lowPoints: ratings.lowPoints,
          highPoints: ratings.highPoints,
          statusBias: ratings.statusBias,
          raterWeight: ratings.raterWeight,
          groupLowMult: Float64Array.from(groups.map((g) => ratings.groupLowMult[g] ?? 1)),
        }
      : null,
    midDay: Math.floor(s.days / 2),
  };
}
