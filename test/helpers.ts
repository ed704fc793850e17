import { readFileSync } from "node:fs";
import { resolveBase } from "../src/cli/scenario-arg.js";
import { type Counters, countersArrays } from "../src/engine/counters.js";
import type { EventColumns } from "../src/engine/history.js";
import { compileModel, type Model } from "../src/engine/model.js";
import { drawTies, ringOrder } from "../src/engine/network.js";
import { buildPopulation } from "../src/engine/population.js";
import { parseScenario } from "../src/scenario/load.js";
import { Ratings, type Scenario } from "../src/scenario/schema.js";

export function scenarioFromYaml(text: string): Scenario {
  return parseScenario(text, "test.yaml").scenario;
}

export function preset(name: string): Scenario {
  const file = new URL(`../presets/${name}.yaml`, import.meta.url).pathname;
  return parseScenario(readFileSync(file, "utf8"), file, { resolveBase }).scenario;
}

export function withChanges(s: Scenario, change: (s: Scenario) => void): Scenario {
  const copy = structuredClone(s);
  change(copy);
  return copy;
}

export function model(s: Scenario): Model {
  return compileModel(s);
}

export function sum(a: Float64Array, from = 0, to = a.length): number {
  let x = 0;
  for (let i = from; i < to; i++) x += a[i];
  return x;
}

/** Value of a per-day-per-group array at the last day, summed over groups, or for one group. */
export function lastDay(c: Counters, a: Float64Array, group?: number): number {
  const t = c.days - 1;
  if (group !== undefined) return a[t * c.G + group];
  return sum(a, t * c.G, (t + 1) * c.G);
}

export function countersEqual(a: Counters, b: Counters): boolean {
  const x = countersArrays(a);
  const y = countersArrays(b);
  return x.every((arr, k) => arr.length === y[k].length && arr.every((v, i) => v === y[k][i]));
}

/** Mean and sample variance. */
export function meanVar(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

/**
 * Two-sided z bound for `k` simultaneous comparisons at family-wise level `alpha`
 * (Bonferroni), from the normal quantile (Acklam's approximation).
 */
export function zBound(alpha: number, k: number): number {
  return normalQuantile(1 - alpha / (2 * k));
}

export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771541, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const plow = 0.02425;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - plow) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** A history's events as six columns of plain numbers (day, agent, type, a, b, v), for comparisons. */
export function eventColumns(h: EventColumns | null | undefined): number[][] {
  if (!h) return [];
  return [h.day, h.agent, h.type, h.a, h.b, h.v].map((column) => Array.from(column.subarray(0, h.count)));
}

/**
 * Each agent's contacts built the plainest way from the drawn ties (a set per
 * agent, then sorted): what buildNetwork must give, on one thread or two.
 */
export function plainNetworkLists(m: Model): number[][] {
  const pop = buildPopulation(m);
  const { perm, pStart } = ringOrder(m, pop);
  const E = pStart[m.G] * ((m.network?.degree ?? 0) / 2);
  const pairs = new Int32Array(2 * E);
  const e = drawTies(m, pop, perm, pStart, pairs, E, new Int32Array(m.agents));
  const sets = Array.from({ length: m.agents }, () => new Set<number>());
  for (let x = 0; x < e; x++) {
    sets[pairs[E + x]].add(pairs[x]);
    sets[pairs[x]].add(pairs[E + x]);
  }
  return sets.map((s) => [...s].sort((a, b) => a - b));
}

/** Small networks that reach the build's edge cases (test/network.test.ts, test/network-thread.test.ts): [name, scenario YAML]. */
export const NETWORK_SCENARIOS = [
  [
    "two groups with homophily, across a block boundary",
    `population: { agents: 16901, groups: [{ name: a, share: 0.7 }, { name: b, share: 0.3 }], network: { degree: 10, homophily: 0.8, rewire: 0.1 } }
behaviours: { v: { kind: violation, base: 0.01 } }`,
  ],
  [
    "no homophily, firms without contacts, three blocks",
    `population: { agents: 40000, segments: [{ name: person, share: 0.8 }, { name: firm, share: 0.2, kind: firm }], network: { degree: 6, rewire: 0.3 } }
behaviours: { v: { kind: violation, base: 0.01 } }`,
  ],
  [
    "fewer agents than a block, dense, many ties to oneself dropped",
    `population: { agents: 50, network: { degree: 20, rewire: 0.5 } }\nbehaviours: { v: { kind: violation, base: 0.01 } }`,
  ],
] as const;

/**
 * fused-city made busy, for tests of the calendar engine's order and lanes:
 * short listings in a domain whose restriction falls on the household and
 * blocks a frequent behaviour, weighted ratings between contacts (a rater's
 * score read before or after a contact's listing ends), frequent appeals and
 * cures; 120 days.
 */
export function busyFusedCity(agents: number): Scenario {
  return withChanges(preset("fused-city"), (x) => {
    x.population.agents = agents;
    x.days = 120;
    x.listing.days = 3;
    x.behaviours["red-light"] = { ...x.behaviours["red-light"], base: 0.05, domain: "education" };
    x.behaviours["private-school-enrolment"] = { ...x.behaviours["private-school-enrolment"], base: 0.3 };
    x.scoring.points["red-light"] = -40;
    x.ratings = Ratings.parse({ encounterRate: 0.3, low: 0.2, high: 0.4, lowPoints: -7, highPoints: 3, raterWeight: true });
    x.appeals = { ...(x.appeals as NonNullable<typeof x.appeals>), fileRate: 0.5, capacityPerMillion: 3000, overturnRightful: 0.3 };
    x.listing.cure = { rate: 0.1, score: "start" };
  });
}

/** A scenario's ties cut often: both ends of a tie, listed together, draw a cut for the same day. */
export function cuttingTiesOften(s: Scenario): Scenario {
  return withChanges(s, (x) => void (x.ties = { ...(x.ties as NonNullable<typeof x.ties>), cut: 0.3 }));
}
