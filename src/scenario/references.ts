import { MAX_DOMAINS } from "../engine/model.js";
import { apportion } from "../engine/population.js";
import { unknownName } from "./errors.js";
import type { Scenario } from "./schema.js";

export interface ReferenceProblem {
  path: (string | number)[];
  /** A map key the problem is about (points the error at the key, not its value). */
  key?: string;
  message: string;
}

const SHARE_TOLERANCE = 1e-6;

/** Checks that zod cannot express: names that refer to each other, sums, orderings. */
/** Largest household size: the engine counts a household's listed members in one byte. */
export const MAX_HOUSEHOLD = 255;

export function checkReferences(s: Scenario): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const groups = s.population.groups.map((g) => g.name);
  const segments = s.population.segments.map((g) => g.name);
  const behaviours = Object.keys(s.behaviours);

  const sumTo1 = (path: (string | number)[], values: number[], what: string) => {
    const total = values.reduce((a, b) => a + b, 0);
    if (Math.abs(total - 1) > SHARE_TOLERANCE)
      problems.push({
        path,
        message: `${what} must sum to 1, they sum to ${+total.toFixed(7)} (within 0.000001: for thirds write 0.3333333, 0.3333333 and 0.3333334)`,
      });
  };
  const unique = (path: (string | number)[], names: string[], what: string) => {
    const seen = new Set<string>();
    names.forEach((n, i) => {
      if (seen.has(n)) problems.push({ path: [...path, i, "name"], message: `${what} '${n}' is defined twice` });
      seen.add(n);
    });
  };
  const keysIn = (path: (string | number)[], map: Record<string, unknown>, known: string[], kind: string) => {
    for (const k of Object.keys(map)) if (!known.includes(k)) problems.push({ path, key: k, message: unknownName(kind, k, known) });
  };
  const namesIn = (path: (string | number)[], list: string[], known: string[], kind: string) => {
    list.forEach((k, i) => {
      if (!known.includes(k)) problems.push({ path: [...path, i], message: unknownName(kind, k, known) });
    });
  };

  unique(["population", "groups"], groups, "group");
  unique(["population", "segments"], segments, "segment");
  sumTo1(
    ["population", "groups"],
    s.population.groups.map((g) => g.share),
    "group shares",
  );
  sumTo1(
    ["population", "segments"],
    s.population.segments.map((g) => g.share),
    "segment shares",
  );
  if (s.population.households) {
    sumTo1(["population", "households", "sizes"], Object.values(s.population.households.sizes), "household size probabilities");
  }
  const net = s.population.network;
  if (net && net.degree % 2 !== 0) {
    problems.push({
      path: ["population", "network", "degree"],
      message: `expected an even number (the ring lattice has degree/2 ties on each side), got ${net.degree}`,
    });
  }

  for (const [b, beh] of Object.entries(s.behaviours)) {
    keysIn(["behaviours", b, "groupMult"], beh.groupMult, groups, "group");
    keysIn(["behaviours", b, "segmentMult"], beh.segmentMult, segments, "segment");
  }
  for (const [k, src] of Object.entries(s.sources)) {
    keysIn(["sources", k, "detect"], src.detect, behaviours, "behaviour");
    keysIn(["sources", k, "falseRate"], src.falseRate, behaviours, "behaviour");
    keysIn(["sources", k, "groupFalseMult"], src.groupFalseMult, groups, "group");
  }
  keysIn(["review", "rate"], s.review.rate, behaviours, "behaviour");
  keysIn(["scoring", "points"], s.scoring.points, behaviours, "behaviour");
  keysIn(["listing", "direct"], s.listing.direct, behaviours, "behaviour");
  for (const [r, res] of Object.entries(s.restrictions)) namesIn(["restrictions", r, "blocks"], res.blocks, behaviours, "behaviour");
  // the engine keeps a listing's domain in 3 bits of the agent's record
  const domains = ["general"];
  const domainAt = [
    ...Object.entries(s.behaviours).map(([b, x]) => [["behaviours", b, "domain"], x.domain] as const),
    ...Object.entries(s.restrictions).map(([r, x]) => [["restrictions", r, "domain"], x.domain] as const),
  ];
  for (const [path, domain] of domainAt) {
    if (domains.includes(domain)) continue;
    domains.push(domain);
    if (domains.length === MAX_DOMAINS + 1)
      problems.push({ path: [...path], message: `domain '${domain}' is one too many: at most ${MAX_DOMAINS} domains (including 'general') are supported` });
  }
  namesIn(["exempt", "segments"], s.exempt.segments, segments, "segment");
  namesIn(["exempt", "groups"], s.exempt.groups, groups, "group");
  if (s.insiders && !behaviours.includes(s.insiders.behaviour)) {
    problems.push({ path: ["insiders", "behaviour"], message: unknownName("behaviour", s.insiders.behaviour, behaviours) });
  }

  s.population.segments.forEach((seg, i) => {
    if (seg.presentDays !== undefined && seg.presentDays > s.days) {
      problems.push({ path: ["population", "segments", i, "presentDays"], message: `expected at most the run's ${s.days} days, got ${seg.presentDays}` });
    }
  });
  if (s.population.segments.every((seg) => seg.kind === "firm") && (s.population.households || s.population.network)) {
    problems.push({ path: ["population", "segments"], message: "households and a network need at least one segment of persons (kind: person)" });
  }
  if (s.ratings && !s.population.network) {
    problems.push({ path: ["ratings"], message: "peer ratings need a contact network (population.network): raters are contacts" });
  }
  if (s.ratings) keysIn(["ratings", "groupLowMult"], s.ratings.groupLowMult, groups, "group");
  if (s.ratings?.raterWeight && s.scoring.start === s.scoring.min) {
    problems.push({
      path: ["ratings", "raterWeight"],
      message: `weighs a rating by (score − min)/(start − min), so it needs scoring.start above scoring.min (both are ${s.scoring.min})`,
    });
  }
  if (s.insiders) {
    // targets per agent, whatever the population's size
    const perAgent = (s.insiders.perMillion / 1e6) * s.insiders.targets;
    if (perAgent > 1) {
      problems.push({
        path: ["insiders", "targets"],
        message: `${s.insiders.perMillion} insiders per million with ${s.insiders.targets} targets each would pick ${perAgent.toLocaleString("en")} targets per agent; expected at most one target per agent on average`,
      });
    }
  }
  // Listed members are counted per household in one byte (engine/simulate.ts).
  for (const size of Object.keys(s.population.households?.sizes ?? {})) {
    if (Number(size) > MAX_HOUSEHOLD) {
      problems.push({ path: ["population", "households", "sizes"], key: size, message: `expected a household size of at most ${MAX_HOUSEHOLD}, got ${size}` });
    }
  }
  if (s.breach && s.breach.day >= s.days) {
    problems.push({ path: ["breach", "day"], message: `expected a day before the end of the run (0 to ${s.days - 1}), got ${s.breach.day}` });
  }
  if (s.vote) {
    keysIn(["vote", "support"], s.vote.support, behaviours, "behaviour");
    for (const [g, m] of Object.entries(s.vote.groupSupport)) {
      if (!groups.includes(g)) problems.push({ path: ["vote", "groupSupport"], key: g, message: unknownName("group", g, groups) });
      else keysIn(["vote", "groupSupport", g], m, behaviours, "behaviour");
    }
  }

  const sc = s.scoring;
  if (!(sc.min <= sc.start && sc.start <= sc.max)) {
    problems.push({ path: ["scoring", "start"], message: `expected min ≤ start ≤ max, got min ${sc.min}, start ${sc.start}, max ${sc.max}` });
  }
  sc.tiers.forEach((t, i) => {
    if (i > 0 && t.min <= sc.tiers[i - 1].min) {
      problems.push({
        path: ["scoring", "tiers", i, "min"],
        message: `tiers must be listed from the lowest min up; ${t.min} is not above ${sc.tiers[i - 1].min}`,
      });
    }
  });
  unique(
    ["scoring", "tiers"],
    sc.tiers.map((t) => t.name),
    "tier",
  );
  return problems;
}

/**
 * Settings that are valid but do nothing, or do something a person may not mean:
 * the run goes ahead, and validate and run print these as warnings.
 */
export function scenarioWarnings(s: Scenario): ReferenceProblem[] {
  const warnings: ReferenceProblem[] = [];
  const seen = new Set<string>();
  for (const src of Object.values(s.sources)) {
    for (const b of Object.keys(src.detect)) if ((src.detect[b] ?? 0) > 0) seen.add(b);
    for (const b of Object.keys(src.falseRate)) if ((src.falseRate[b] ?? 0) > 0) seen.add(b);
  }
  for (const [b, beh] of Object.entries(s.behaviours)) {
    if (beh.deter > 0 && !s.fear) {
      warnings.push({ path: ["behaviours", b, "deter"], message: "has no effect without a fear section: deterrence and chilling work through fear" });
    }
    const scored = (s.scoring.points[b] ?? 0) !== 0 || (s.listing.direct[b] ?? 0) > 0;
    if (scored && !seen.has(b)) {
      warnings.push({ path: ["scoring", "points"], key: b, message: `no source detects '${b}' or records it falsely, so its points or listing never apply` });
    }
  }
  if (s.listing.enterBelow > s.scoring.start) {
    warnings.push({ path: ["listing", "enterBelow"], message: `is above the starting score ${s.scoring.start}: everyone is listed from day 0` });
  }
  const sizes = apportion(
    s.population.agents,
    s.population.groups.map((g) => g.share),
  );
  s.population.groups.forEach((g, k) => {
    if (sizes[k] === 0)
      warnings.push({
        path: ["population", "groups", k],
        message: `group '${g.name}' gets none of the ${s.population.agents} agents (share ${g.share}): its rates and ratios are undefined (–)`,
      });
  });
  if (s.population.network === null && s.ties.cut > 0) {
    warnings.push({ path: ["ties", "cut"], message: "has no effect without a contact network (population.network)" });
  }
  return warnings;
}
