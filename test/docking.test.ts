import { describe, expect, it } from "vitest";
import type { Counters } from "../src/engine/counters.js";
import { compileModel } from "../src/engine/model.js";
import { simulate } from "../src/engine/run.js";
import { isSeparable } from "../src/engine/simulate.js";
import type { Scenario } from "../src/scenario/schema.js";
import { meanVar, preset, scenarioFromYaml, sum, withChanges, zBound } from "./helpers.js";
import { runOracle } from "./oracle/oracle.js";

// The fast engines docked against the day-by-day oracle: for each scenario, R
// replicates of each; every metric's mean must agree within a z bound on the
// standard error of the difference of means, Bonferroni-corrected over all
// metrics of the scenario at family-wise α = 0.001. A wrong mechanism shifts a
// metric by many standard errors; the bound is set by the sampling error alone.

const R = 24;
const ALPHA = 0.001;

const METRICS: [string, (c: Counters) => number][] = [
  ["listed agent-days", (c) => sum(c.listed)],
  ["wrongful agent-days", (c) => sum(c.wrongful)],
  ["shadow-listed agent-days", (c) => sum(c.shadowListed)],
  ["spillover agent-days", (c) => sum(c.spillover)],
  ["harm", (c) => sum(c.harm)],
  ["new listings", (c) => sum(c.newListings)],
  ["true records", (c) => sum(c.recordsTrue)],
  ["false records", (c) => sum(c.recordsFalse)],
  ["records discarded", (c) => sum(c.recordsDiscarded)],
  ["occurrences", (c) => sum(c.occurrences)],
  ["denied attempts", (c) => sum(c.denied)],
  ["appeals filed", (c) => sum(c.appealsFiled)],
  ["appeals served", (c) => sum(c.appealsServed)],
  ["appeals withdrawn", (c) => sum(c.appealsWithdrawn)],
  ["overturned", (c) => sum(c.overturnedWrongful) + sum(c.overturnedRightful)],
  ["waiting agent-days", (c) => sum(c.waiting)],
  ["ties cut", (c) => sum(c.tiesCut)],
  ["ever listed", (c) => sum(c.everListed)],
  ["ended wrongful listing days", (c) => sum(c.wrongfulSpellDays)],
  ["agents in top tier", (c) => sum(c.tierCounts)],
  ["cured", (c) => sum(c.cured)],
  ["perk holder-days", (c) => sum(c.perkHolders)],
  ["low ratings", (c) => sum(c.ratingsLow)],
  ["high ratings", (c) => sum(c.ratingsHigh)],
  ["records exposed in a breach", (c) => sum(c.exposedRecords)],
  ["false records exposed", (c) => sum(c.exposedFalseRecords)],
  ["agents in the same tier at mid-run and end", (c) => diagonal(c)],
  ["Σ score products over remaining ties", (c) => (c.tieScoreMoments[5] > 0 ? c.tieScoreMoments[4] / c.tieScoreMoments[5] : 0)],
  ["score mass above 1000", (c) => sum(c.scoreHistogram.subarray(Math.floor((4096 * 1000) / 1100)))],
];

/** Agents whose tier at the end equals their tier at mid-run. */
function diagonal(c: Counters): number {
  const T = Math.round(Math.sqrt(c.tierTransitions.length / c.G));
  let x = 0;
  for (let g = 0; g < c.G; g++) for (let k = 0; k < T; k++) x += c.tierTransitions[(g * T + k) * T + k];
  return x;
}

/** Occurrences of one behaviour, summed over days and groups. */
function occurrencesOf(b: number): (c: Counters) => number {
  return (c) => {
    let x = 0;
    for (let i = b; i < c.occurrences.length; i += c.B) x += c.occurrences[i];
    return x;
  };
}

function dock(name: string, scenario: Scenario) {
  const engine: Counters[] = [];
  const oracle: Counters[] = [];
  for (let r = 0; r < R; r++) {
    const s = withChanges(scenario, (x) => {
      x.seed = 1000 + r;
    });
    const m = compileModel(s);
    engine.push(simulate(m));
    oracle.push(runOracle(m, 77 + r, s.restrictions));
  }
  const behaviourMetrics: [string, (c: Counters) => number][] = Object.keys(scenario.behaviours).map((b, k) => [`occurrences of ${b}`, occurrencesOf(k)]);
  const live = [...METRICS, ...behaviourMetrics].filter(([, f]) => engine.some((c) => f(c) !== 0) || oracle.some((c) => f(c) !== 0));
  const z = zBound(ALPHA, live.length);
  const failures: string[] = [];
  for (const [metric, f] of live) {
    const a = meanVar(engine.map(f));
    const b = meanVar(oracle.map(f));
    const se = Math.sqrt(a.variance / R + b.variance / R);
    const diff = Math.abs(a.mean - b.mean);
    // A metric with no variance in either must match exactly.
    if (se === 0 ? diff !== 0 : diff > z * se) {
      failures.push(
        `${name}: ${metric}: engine ${a.mean.toFixed(2)} vs oracle ${b.mean.toFixed(2)} (|Δ| = ${diff.toFixed(2)} > ${z.toFixed(2)} × se ${se.toFixed(2)})`,
      );
    }
  }
  return { failures, live: live.length };
}

const RICH = `
name: rich
days: 120
transparency: opaque
population:
  agents: 1500
  groups: [{ name: a, share: 0.7 }, { name: b, share: 0.3 }]
  segments: [{ name: resident, share: 0.8 }, { name: visitor, share: 0.1, presentDays: 30 }, { name: official, share: 0.1 }]
  households: { sizes: { "1": 0.3, "2": 0.3, "3": 0.4 } }
  network: { degree: 6, rewire: 0.2, homophily: 0.7 }
behaviours:
  fraud: { kind: violation, base: 0.002, deter: 0.5, domain: finance, misattribute: 0.2 }
  red-light: { kind: violation, base: 0.02, deter: 0.4, groupMult: { b: 1.5 }, domain: traffic }
  protest: { kind: disfavored, base: 0.01, deter: 0.8, domain: speech }
  volunteer: { kind: rewarded, base: 0.02 }
  flying: { kind: access, base: 0.02, deter: 0.2 }
  school: { kind: access, base: 0.01 }
sources:
  bank: { detect: { fraud: 0.9 }, falseRate: { fraud: 0.0005 } }
  camera: { detect: { red-light: 0.5 }, falseRate: { red-light: 0.003 }, groupFalseMult: { b: 3 } }
  platform: { detect: { protest: 0.5 }, falseRate: { protest: 0.001 } }
  officer: { detect: { volunteer: 0.5 } }
review: { rate: { fraud: 0.6, red-light: 0.3 }, catch: 0.8 }
scoring:
  start: 1000
  max: 1100
  reversion: 0.03
  points: { fraud: -60, red-light: -20, protest: -30, volunteer: 10 }
  association: 0.5
  tiers: [{ name: low, min: 0 }, { name: high, min: 1000 }]
listing: { enterBelow: 960, days: 40, direct: { fraud: 60 } }
restrictions:
  travel: { blocks: [flying], harm: 1 }
  schools: { household: true, blocks: [school], harm: 2 }
fear: { decay: 0.1, self: 0.4, social: 2, perceivedSurveillance: 0.15 }
ties: { cut: 0.05 }
appeals: { fileRate: 0.05, capacityPerMillion: 4000, overturnWrongful: 0.7, overturnRightful: 0.1 }
insiders: { perMillion: 4000, targets: 3, everyDays: 10, behaviour: protest }
exempt: { segments: [official] }
`;

const DOMAINS = `
name: domains
days: 150
population:
  agents: 2000
  groups: [{ name: a, share: 0.5 }, { name: b, share: 0.5 }]
  households: { sizes: { "2": 0.5, "4": 0.5 } }
behaviours:
  debt: { kind: violation, base: 0.004, domain: finance }
  speeding: { kind: violation, base: 0.02, domain: traffic }
  loan: { kind: access, base: 0.02, domain: finance }
  driving: { kind: access, base: 0.05, domain: traffic }
  school: { kind: access, base: 0.01, domain: education }
sources:
  court: { detect: { debt: 0.8 }, falseRate: { debt: 0.001 }, groupFalseMult: { b: 2 } }
  camera: { detect: { speeding: 0.5 }, falseRate: { speeding: 0.002 } }
scoring: { reversion: 0.05, points: { debt: -70, speeding: -30 } }
listing: { enterBelow: 950, days: 30, direct: { debt: 45 }, joint: false }
restrictions:
  credit: { domain: finance, blocks: [loan], household: true, harm: 3 }
  licence: { domain: traffic, blocks: [driving], harm: 1 }
`;

const MECHANISMS = `
name: mechanisms
days: 120
population:
  agents: 1500
  groups: [{ name: a, share: 0.6 }, { name: b, share: 0.4 }]
  segments:
    - { name: resident, share: 0.8 }
    - { name: visitor, share: 0.1, presentDays: 40 }
    - { name: firm, share: 0.1, kind: firm }
  network: { degree: 8, rewire: 0.1 }
behaviours:
  fraud: { kind: violation, base: 0.003, domain: finance }
  speech: { kind: disfavored, base: 0.01 }
  help: { kind: rewarded, base: 0.02, segmentMult: { firm: 0 } }
sources:
  inspector: { detect: { fraud: 0.3 }, falseRate: { fraud: 0.001 }, listedDetectMult: 3, listedFalseMult: 10 }
  web: { detect: { speech: 0.5 } }
  town: { detect: { help: 0.5 } }
scoring:
  min: 950
  max: 1100
  reversion: 0.02
  points: { fraud: -60, speech: -20, help: 8 }
  tiers: [{ name: C, min: 0 }, { name: B, min: 960 }, { name: A, min: 1010 }]
listing: { enterBelow: 960, days: 50, cure: { rate: 0.03 } }
ratings: { encounterRate: 0.05, low: 0.2, high: 0.3, lowPoints: -15, highPoints: 6, statusBias: 15, raterWeight: true, groupLowMult: { b: 2 } }
ties: { cut: 0.03 }
perks: { above: 1010 }
breach: { day: 60, share: 0.4 }
vote: { support: { speech: 0.3, help: 0.9 } }
`;

const SEPARABLE_MECHANISMS = `
name: separable-mechanisms
days: 150
population:
  agents: 3000
  groups: [{ name: a, share: 0.5 }, { name: b, share: 0.5 }]
  segments: [{ name: resident, share: 0.7 }, { name: abroad, share: 0.2, presentDays: 60 }, { name: firm, share: 0.1, kind: firm }]
behaviours:
  fraud: { kind: violation, base: 0.004 }
  help: { kind: rewarded, base: 0.03 }
sources:
  inspector: { detect: { fraud: 0.3 }, falseRate: { fraud: 0.002 }, groupFalseMult: { b: 2 }, listedDetectMult: 3, listedFalseMult: 5 }
  town: { detect: { help: 0.6 } }
scoring: { reversion: 0.03, points: { fraud: -70, help: 10 }, tiers: [{ name: C, min: 0 }, { name: B, min: 960 }, { name: A, min: 1020 }] }
listing: { enterBelow: 960, days: 40, direct: { fraud: 20 }, cure: { rate: 0.05 } }
perks: { above: 1020 }
breach: { day: 75, share: 0.5 }
`;

describe("docking: fast engine vs day-by-day oracle", () => {
  it("issue-3 mechanisms with interactions: ratings, firms, visitors, inspections, cure, perks, breach, vote", () => {
    const s = scenarioFromYaml(MECHANISMS);
    expect(isSeparable(compileModel(s))).toBe(false);
    const { failures, live } = dock("mechanisms", s);
    expect(live).toBeGreaterThan(15);
    expect(failures).toEqual([]);
  });

  it("issue-3 mechanisms in the per-agent engine: presence, firms, inspections, cure, perks, breach", () => {
    const s = scenarioFromYaml(SEPARABLE_MECHANISMS);
    expect(isSeparable(compileModel(s))).toBe(true);
    const { failures, live } = dock("separable-mechanisms", s);
    expect(live).toBeGreaterThan(12);
    expect(failures).toEqual([]);
  });

  it("reference scenario (separable engine)", () => {
    const s = withChanges(preset("reference"), (x) => {
      x.population.agents = 3000;
      x.days = 200;
    });
    expect(isSeparable(compileModel(s))).toBe(true);
    const { failures, live } = dock("reference", s);
    expect(live).toBeGreaterThan(8);
    expect(failures).toEqual([]);
  });

  it("every mechanism at once: network, households, visitors, fear, ties, appeals, insiders, misattribution, review, exemption", () => {
    const s = scenarioFromYaml(RICH);
    expect(isSeparable(compileModel(s))).toBe(false);
    const { failures, live } = dock("rich", s);
    expect(live).toBeGreaterThan(15);
    expect(failures).toEqual([]);
  });

  it("restrictions by domain (not joint) with household spillover", () => {
    const { failures, live } = dock("domains", scenarioFromYaml(DOMAINS));
    expect(live).toBeGreaterThan(8);
    expect(failures).toEqual([]);
  });
});
