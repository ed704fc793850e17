import type { Scenario } from "../scenario/schema.js";

// The scenario compiled to flat numeric tables, once, at the boundary, so the
// simulation loop reads arrays and never looks up a name.

export const KIND = { violation: 0, disfavored: 1, rewarded: 2, access: 3 } as const;
export const KIND_NAMES = ["violation", "disfavored", "rewarded", "access"] as const;
export const MAX_DOMAINS = 8;

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
  detect: Float64Array; // 1 − Π(1 − detect_k,b)
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
  chanBehaviour: Int32Array; // per channel (same for every class)
  chanIsFalse: Uint8Array;
  chanP: Float64Array; // C × M
  /** Π_{j≤c}(1 − p_j) per class: prefix products, C × (M + 1), index 0 = 1. */
  chanPrefix: Float64Array;
  /** log(1 − q) per class where q = P(any channel fires on a day). */
  logNoEvent: Float64Array;

  classGroup: Int32Array;
  classSegment: Int32Array;
  exemptClass: Uint8Array;

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

  households: { sizes: number[]; probs: number[] } | null;
  network: { degree: number; rewire: number; homophily: number | null } | null;

  fear: { decay: number; self: number; social: number; floor: number } | null;
  cutTie: number;
  appeals: { fileRate: number; capacityPerDay: number; overturnWrongful: number; overturnRightful: number } | null;
  insiders: { count: number; targets: number; everyDays: number; behaviour: number } | null;
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

  const domainSet = ["general"];
  for (const b of Object.values(s.behaviours)) if (!domainSet.includes(b.domain)) domainSet.push(b.domain);
  for (const r of Object.values(s.restrictions)) if (!domainSet.includes(r.domain)) domainSet.push(r.domain);
  if (domainSet.length > MAX_DOMAINS) {
    throw new RangeError(`at most ${MAX_DOMAINS} domains (including 'general') are supported, the scenario has ${domainSet.length}: ${domainSet.join(", ")}`);
  }
  const D = domainSet.length;

  const kind = new Uint8Array(B);
  const points = new Float64Array(B);
  const penalising = new Uint8Array(B);
  const direct = new Int32Array(B);
  const domainOf = new Uint8Array(B);
  const misattribute = new Float64Array(B);
  const review = new Float64Array(B);
  const detect = new Float64Array(B);
  const deter = new Float64Array(B);
  const floor = s.fear && s.transparency === "opaque" ? s.fear.perceivedSurveillance : 0;

  behaviours.forEach((name, b) => {
    const beh = s.behaviours[name];
    kind[b] = KIND[beh.kind];
    points[b] = s.scoring.points[name] ?? 0;
    direct[b] = s.listing.direct[name] ?? 0;
    penalising[b] = points[b] < 0 || direct[b] > 0 ? 1 : 0;
    domainOf[b] = domainSet.indexOf(beh.domain);
    misattribute[b] = beh.misattribute;
    review[b] = s.review.rate[name] ?? 0;
    let miss = 1;
    for (const src of Object.values(s.sources)) miss *= 1 - (src.detect[name] ?? 0);
    detect[b] = 1 - miss;
    // Under open rules people know which acts are penalised; under opaque rules they fear all.
    deter[b] = s.fear && (s.transparency === "opaque" || penalising[b]) ? beh.deter : 0;
  });

  // Channels: behaviours, then (source, behaviour) false-record pairs with a positive rate.
  const chanBehaviour: number[] = [];
  const chanIsFalse: number[] = [];
  const falseSources: { src: Scenario["sources"][string]; b: number; rate: number }[] = [];
  for (let b = 0; b < B; b++) {
    chanBehaviour.push(b);
    chanIsFalse.push(0);
  }
  for (const src of Object.values(s.sources)) {
    behaviours.forEach((name, b) => {
      const rate = src.falseRate[name] ?? 0;
      if (rate > 0) {
        chanBehaviour.push(b);
        chanIsFalse.push(1);
        falseSources.push({ src, b, rate });
      }
    });
  }
  const M = chanBehaviour.length;
  const pBase = new Float64Array(C * B);
  const pMax = new Float64Array(C * B);
  const pRaw = new Float64Array(C * B);
  const chanP = new Float64Array(C * M);
  const chanPrefix = new Float64Array(C * (M + 1));
  const logNoEvent = new Float64Array(C);
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
        chanP[c * M + b] = pMax[c * B + b];
      });
      falseSources.forEach(({ src, rate }, j) => {
        chanP[c * M + B + j] = Math.min(1, rate * (src.groupFalseMult[groups[g]] ?? 1));
      });
      let prod = 1;
      chanPrefix[c * (M + 1)] = 1;
      for (let m = 0; m < M; m++) {
        prod *= 1 - chanP[c * M + m];
        chanPrefix[c * (M + 1) + m + 1] = prod;
      }
      logNoEvent[c] = Math.log(prod);
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
    deter,
    pBase,
    pMax,
    pRaw,
    M,
    chanBehaviour: Int32Array.from(chanBehaviour),
    chanIsFalse: Uint8Array.from(chanIsFalse),
    chanP,
    chanPrefix,
    logNoEvent,
    classGroup,
    classSegment,
    exemptClass,
    s0: s.scoring.start,
    sMin: s.scoring.min,
    sMax: s.scoring.max,
    rho: s.scoring.reversion,
    association: s.scoring.association,
    tierNames: s.scoring.tiers.map((t) => t.name),
    tierMins: Float64Array.from(s.scoring.tiers.map((t) => t.min)),
    enterBelow: s.listing.enterBelow,
    listDays: s.listing.days,
    joint: s.listing.joint,
    restrictions,
    blockOwn,
    blockHouseholdMask,
    spillDomain,
    harmOwn,
    harmSpill,
    households,
    network: s.population.network,
    fear: s.fear ? { decay: s.fear.decay, self: s.fear.self, social: s.fear.social, floor } : null,
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
  };
}
