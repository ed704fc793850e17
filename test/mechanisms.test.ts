import { describe, expect, it } from "vitest";
import { compileModel } from "../src/engine/model.js";
import { buildNetwork } from "../src/engine/network.js";
import { buildPopulation } from "../src/engine/population.js";
import { simulate } from "../src/engine/run.js";
import { Simulation } from "../src/engine/simulate.js";
import { normalQuantile, scenarioFromYaml, sum } from "./helpers.js";

// Issue-3 mechanisms, each alone, against what it must do exactly or in closed form.
const Z = normalQuantile(1 - 0.001 / (2 * 10));

function expectProportion(k: number, n: number, p: number, what: string) {
  const se = Math.sqrt((p * (1 - p)) / n);
  expect(Math.abs(k / n - p), `${what}: ${(k / n).toFixed(5)} vs ${p.toFixed(5)}`).toBeLessThanOrEqual(Z * se);
}

describe("peer ratings", () => {
  it("weigh a rating by the rater's score: raters at the score floor move nobody", () => {
    // Group low does `v` every day and sits at the floor (950); with homophily 0
    // every tie of a `high` agent goes to a `low` agent, whose ratings weigh
    // (950 − 950)/(1000 − 950) = 0. So high agents are rated often and never move.
    const m = compileModel(
      scenarioFromYaml(`
days: 60
population:
  agents: 2000
  groups: [{ name: high, share: 0.5 }, { name: low, share: 0.5 }]
  network: { degree: 6, rewire: 0, homophily: 0 }
behaviours:
  v: { kind: violation, base: 1, groupMult: { high: 0 } }
sources: { s: { detect: { v: 1 } } }
scoring: { start: 1000, min: 950, max: 1100, points: { v: -100 } }
listing: { enterBelow: 951 }
ratings: { encounterRate: 0.2, low: 0, high: 1, highPoints: 10, raterWeight: true }
`),
    );
    const sim = new Simulation(m);
    const c = sim.run();
    expect(c.ratingsHigh[0 * 2 + 0] + sum(c.ratingsHigh)).toBeGreaterThan(1000);
    // On day 0 the raters still stand at 1000 (weight 1): a day-0 rating adds 10,
    // reverted to 1000 + 0.99 · 10 that day and decaying 1 % a day after. Every
    // later rating weighs 0. So each high agent ends at exactly one of two scores.
    const dayZero = 1000 + 0.99 ** 60 * 10;
    let ratedOnDayZero = 0;
    for (let i = 0; i < 1000; i++) {
      const s = sim.scoreOf(i);
      // float32 storage: equal to within its rounding
      expect(Math.min(Math.abs(s - 1000), Math.abs(s - dayZero))).toBeLessThan(1e-3);
      if (Math.abs(s - dayZero) < 1e-3) ratedOnDayZero++;
    }
    expect(ratedOnDayZero).toBe(c.ratingsHigh[0]);
  });
});

describe("firms and presence", () => {
  it("firms have no contacts and no relatives", () => {
    const m = compileModel(
      scenarioFromYaml(`
population:
  agents: 3000
  segments: [{ name: person, share: 0.7 }, { name: firm, share: 0.3, kind: firm }]
  households: { sizes: { "3": 1 } }
  network: { degree: 6 }
behaviours: { v: { kind: violation, base: 0.01 } }
`),
    );
    const pop = buildPopulation(m);
    const net = buildNetwork(m, pop);
    const firm = m.segments.indexOf("firm");
    let firms = 0;
    for (let i = 0; i < m.agents; i++) {
      if (m.classSegment[pop.cls[i]] !== firm) continue;
      firms++;
      expect(net.start[i + 1] - net.start[i]).toBe(0);
      const h = (pop.householdOf as Int32Array)[i];
      const hs = pop.householdStart as Int32Array;
      expect(hs[h + 1] - hs[h]).toBe(1);
    }
    expect(firms).toBe(900);
  });

  it("visitors act only on the days they are present", () => {
    const p = 0.02;
    const m = compileModel(
      scenarioFromYaml(`
days: 200
population: { agents: 40000, segments: [{ name: visitor, share: 1, presentDays: 20 }] }
behaviours: { v: { kind: violation, base: ${p} } }
`),
    );
    const c = simulate(m);
    expectProportion(sum(c.occurrences), 40000 * 20, p, "occurrences per present agent-day");
    expect(sum(c.classAgentDays)).toBe(40000 * 20);
  });
});

describe("rules chosen by vote", () => {
  it("a rule without a majority scores nothing and lists no one", () => {
    const m = compileModel(
      scenarioFromYaml(`
days: 100
population: { agents: 5000, groups: [{ name: a, share: 0.6 }, { name: b, share: 0.4 }] }
behaviours:
  protest: { kind: disfavored, base: 0.05 }
  theft: { kind: violation, base: 0.01 }
sources: { s: { detect: { protest: 1, theft: 1 } } }
scoring: { points: { protest: -100, theft: -100 } }
vote: { support: { theft: 0.9 }, groupSupport: { a: { protest: 0.6 }, b: { protest: 0.2 } } }
`),
    );
    // protest: 0.6 × 0.6 + 0.4 × 0.2 = 0.44 < 0.5 → rejected; theft 0.9 → adopted
    expect(m.vote?.yes[0]).toBeCloseTo(0.44, 12);
    expect(m.vote?.adopted).toEqual([false, true]);
    expect(m.points[0]).toBe(0);
    expect(m.points[1]).toBe(-100);
  });
});

describe("inspections", () => {
  it("detection and false records rise by their multipliers while listed", () => {
    // Everyone is listed from day 0 on (threshold above the start) for the whole
    // run, so from day 1 on every agent-day is a listed one.
    const N = 50_000;
    const days = 50;
    const m = compileModel(
      scenarioFromYaml(`
days: ${days}
population: { agents: ${N} }
behaviours: { v: { kind: violation, base: 0.01 } }
sources: { s: { detect: { v: 0.2 }, falseRate: { v: 0.001 }, listedDetectMult: 3, listedFalseMult: 5 } }
listing: { enterBelow: 1050, days: 1000 }
`),
    );
    const c = simulate(m);
    const listedDays = N * (days - 1);
    // day 0 unlisted, days 1..49 listed
    const falseExpected = N * 0.001 + listedDays * 0.005;
    const trueExpected = N * 0.01 * 0.2 + listedDays * 0.01 * 0.6;
    expect(Math.abs(sum(c.recordsFalse) - falseExpected)).toBeLessThan(Z * Math.sqrt(falseExpected));
    expect(Math.abs(sum(c.recordsTrue) - trueExpected)).toBeLessThan(Z * Math.sqrt(trueExpected));
  });
});

describe("cure", () => {
  it("removes listed agents at the given daily rate", () => {
    const m = compileModel(
      scenarioFromYaml(`
days: 100
population: { agents: 20000 }
behaviours: { v: { kind: violation, base: 0.001 } }
listing: { enterBelow: 1050, days: 1000, cure: { rate: 0.03 } }
`),
    );
    const c = simulate(m);
    // listed at step 10 = listed at the end of the day + cured that day
    expectProportion(sum(c.cured), sum(c.listed) + sum(c.cured), 0.03, "cures per listed agent-day");
  });
});
