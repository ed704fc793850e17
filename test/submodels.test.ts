import { describe, expect, it } from "vitest";
import { summarize } from "../src/engine/metrics.js";
import { compileModel } from "../src/engine/model.js";
import { simulate } from "../src/engine/run.js";
import { lastDay, normalQuantile, preset, scenarioFromYaml, sum } from "./helpers.js";

// Each submodel alone against its closed form. Tolerances are Z standard errors
// of the binomial (or sum) being compared; Z = 4.9 is the two-sided bound for a
// family-wise α of 0.001 over the ~30 comparisons in this file (Bonferroni).

const Z = normalQuantile(1 - 0.001 / (2 * 30));

/** Expect an observed proportion k/n within Z binomial standard errors of p. */
function expectProportion(k: number, n: number, p: number, what: string) {
  const se = Math.sqrt((p * (1 - p)) / n);
  const got = k / n;
  expect(Math.abs(got - p), `${what}: observed ${got.toFixed(5)}, expected ${p.toFixed(5)} (se ${se.toExponential(2)})`).toBeLessThanOrEqual(Z * se);
}

const meta = { credsimVersion: "test", scenario: "t", scenarioHash: "h" };

describe("detection and false records with direct listing", () => {
  // A record of `v` lists for D days (extended by later records); no points, no
  // threshold. On the last day T, an agent is listed iff it got a record in the
  // D days ending at T: P = 1 − [(1 − p·d)(1 − f·m_g)]^D. It is shadow-listed iff
  // it did v in that window: 1 − (1 − p)^D. Wrongly listed iff no occurrence and a
  // false record: FPR = 1 − (1 − f·m_g)^D.
  const p = 0.004;
  const d = 0.6;
  const f = 0.001;
  const D = 30;
  const N = 200_000;
  const s = scenarioFromYaml(`
days: 100
population:
  agents: ${N}
  groups: [{ name: a, share: 0.5 }, { name: b, share: 0.5 }]
behaviours:
  v: { kind: violation, base: ${p} }
sources:
  s1: { detect: { v: ${d} }, falseRate: { v: ${f} }, groupFalseMult: { b: 5 } }
scoring: { points: { v: 0 } }
listing: { enterBelow: 0, direct: { v: ${D} } }
`);
  const m = compileModel(s);
  const c = simulate(m);
  const summary = summarize(m, c, meta);

  for (const [g, mult] of [
    ["a", 1],
    ["b", 5],
  ] as const) {
    it(`group ${g}: listed share, shadow-listed share and FPR match the closed form`, () => {
      const gi = m.groups.indexOf(g);
      const n = c.agents[gi];
      const listed = 1 - ((1 - p * d) * (1 - f * mult)) ** D;
      const shadow = 1 - (1 - p) ** D;
      const fpr = 1 - (1 - f * mult) ** D;
      expectProportion(lastDay(c, c.listed, gi), n, listed, "listed share");
      expectProportion(lastDay(c, c.shadowListed, gi), n, shadow, "shadow-listed share");
      const notShadow = n - lastDay(c, c.shadowListed, gi);
      expectProportion(lastDay(c, c.wrongful, gi), notShadow, fpr, "FPR");
      expect(summary.groups[g].fpr).toBeCloseTo(lastDay(c, c.wrongful, gi) / notShadow, 12);
    });
  }

  it("the FPR ratio of b to a reflects the false-record multiplier", () => {
    const expected = (1 - (1 - f * 5) ** D) / (1 - (1 - f) ** D);
    const ratio = summary.ratios.b.fpr as number;
    // delta-method standard error of a ratio of two proportions
    const na = summary.groups.a.agents * (1 - summary.groups.a.shadowListedShare);
    const nb = summary.groups.b.agents * (1 - summary.groups.b.shadowListedShare);
    const pa = 1 - (1 - f) ** D;
    const pb = 1 - (1 - f * 5) ** D;
    const se = expected * Math.sqrt((1 - pa) / (na * pa) + (1 - pb) / (nb * pb));
    expect(Math.abs(ratio - expected)).toBeLessThanOrEqual(Z * se);
  });

  it("records per agent-day match p·d and f·m", () => {
    const agentDays = N * 100;
    expectProportion(sum(c.recordsTrue), agentDays, p * d, "true records per agent-day");
    expectProportion(sum(c.recordsFalse), agentDays, (f * 1 + f * 5) / 2, "false records per agent-day");
  });
});

describe("fear and chilling", () => {
  const p = 0.02;
  const deter = 0.5;
  const floor = 0.3;
  const N = 50_000;
  const days = 100;
  const yaml = (transparency: string, points: number) => `
days: ${days}
transparency: ${transparency}
population: { agents: ${N} }
behaviours:
  speech: { kind: disfavored, base: ${p}, deter: ${deter} }
scoring: { points: { speech: ${points} } }
fear: { decay: 0.1, self: 0, social: 0, perceivedSurveillance: ${floor} }
`;

  it("under opaque rules the surveillance floor chills by deter·floor", () => {
    const m = compileModel(scenarioFromYaml(yaml("opaque", 0)));
    const c = simulate(m);
    expectProportion(sum(c.occurrences), N * days, p * (1 - deter * floor), "occurrences per agent-day");
    const chilling = summarize(m, c, meta).chilling.speech as number;
    expect(chilling).toBeGreaterThan(0.1);
  });

  it("under open rules an unpenalised behaviour is not chilled", () => {
    const m = compileModel(scenarioFromYaml(yaml("open", 0)));
    const c = simulate(m);
    expectProportion(sum(c.occurrences), N * days, p, "occurrences per agent-day");
  });
});

describe("human review", () => {
  it("discards reviewed false records at rate review·catch and never a true one", () => {
    const N = 100_000;
    const m = compileModel(
      scenarioFromYaml(`
days: 50
population: { agents: ${N} }
behaviours:
  v: { kind: violation, base: 0.002 }
sources:
  s: { detect: { v: 1 }, falseRate: { v: 0.004 } }
review: { rate: { v: 0.5 }, catch: 0.6 }
`),
    );
    const c = simulate(m);
    const falseMade = sum(c.recordsFalse) + sum(c.recordsDiscarded);
    expectProportion(sum(c.recordsDiscarded), falseMade, 0.5 * 0.6, "share of false records discarded");
    expectProportion(sum(c.recordsTrue), N * 50, 0.002, "true records per agent-day");
  });
});

describe("misattribution", () => {
  it("moves a share m of recorded occurrences onto other agents as false records", () => {
    const N = 20_000;
    const m = compileModel(
      scenarioFromYaml(`
days: 60
population: { agents: ${N}, groups: [{ name: a, share: 0.5 }, { name: b, share: 0.5 }] }
behaviours:
  v: { kind: violation, base: 0.01, misattribute: 0.25 }
sources:
  s: { detect: { v: 0.8 } }
`),
    );
    const c = simulate(m);
    const recorded = sum(c.recordsTrue) + sum(c.recordsFalse);
    expectProportion(recorded, sum(c.occurrences), 0.8, "recorded share of occurrences");
    expectProportion(sum(c.recordsFalse), recorded, 0.25, "misattributed share of records");
  });
});

describe("appeals", () => {
  it("serve exactly the capacity each day while the queue is non-empty, and overturn at the given rate", () => {
    const N = 10_000;
    const days = 200;
    // No true occurrences (base 0): every listing comes from a false record, so every
    // appeal is of a wrongful listing and is overturned with probability 0.6.
    const m = compileModel(
      scenarioFromYaml(`
days: ${days}
population: { agents: ${N} }
behaviours:
  v: { kind: violation, base: 0 }
sources:
  s: { falseRate: { v: 0.01 } }
listing: { enterBelow: 0, direct: { v: 400 } }
appeals: { fileRate: 1, capacityPerMillion: 250, overturnWrongful: 0.6, overturnRightful: 0.05 }
`),
    );
    const c = simulate(m);
    // capacity 2.5 a day: floor of the running credit, the fraction carried over
    let credit = 0;
    for (let t = 0; t < days; t++) {
      credit += 2.5;
      const capacity = Math.floor(credit);
      credit -= capacity;
      const queueBefore = (t > 0 ? c.waiting[t - 1] : 0) + c.appealsFiled[t];
      expect(c.appealsServed[t], `day ${t}`).toBe(Math.min(capacity, queueBefore));
    }
    expect(lastDay(c, c.waiting)).toBeGreaterThan(1000); // inflow far above 2.5 a day: a backlog
    expect(sum(c.overturnedRightful)).toBe(0);
    expectProportion(sum(c.overturnedWrongful), sum(c.appealsServed), 0.6, "overturned share of decided appeals");
  });
});

describe("household spillover", () => {
  it("falls on the unlisted partner of a listed agent: share 2P(1 − P) / 2 of agents", () => {
    const N = 40_000;
    const p = 0.002;
    const D = 40;
    const m = compileModel(
      scenarioFromYaml(`
days: 80
population: { agents: ${N}, households: { sizes: { "2": 1 } } }
behaviours:
  v: { kind: violation, base: ${p} }
  school: { kind: access, base: 0.01 }
sources:
  s: { detect: { v: 1 } }
listing: { enterBelow: 0, direct: { v: ${D} } }
restrictions:
  schools: { household: true, blocks: [school] }
`),
    );
    const c = simulate(m);
    const P = 1 - (1 - p) ** D;
    const households = N / 2;
    // per household: exactly one of two listed with probability q = 2P(1 − P)
    const q = 2 * P * (1 - P);
    expectProportion(lastDay(c, c.spillover), households, q, "households with spillover");
    expectProportion(lastDay(c, c.listed), N, P, "listed share");
  });
});

describe("deterrence and chilling estimates", () => {
  it("are given only where the no-system expectation is at least 10 occurrences", () => {
    const summaryAt = (agents: number, days: number) => {
      const s = preset("reference");
      s.population.agents = agents;
      s.days = days;
      const m = compileModel(s);
      return summarize(m, simulate(m), { credsimVersion: "", scenario: "", scenarioHash: "" });
    };
    // 10 agents for a day: 0.001 to 0.1 expected per behaviour, and no estimate (it read "100 %")
    const tiny = summaryAt(10, 1);
    expect(Object.values(tiny.deterrence)).toEqual([null, null]);
    expect(Object.values(tiny.chilling)).toEqual([null, null]);
    // 2,000 agents × 365 days: loan-default expects 73, red-light 7,300: estimates
    const year = summaryAt(2000, 365);
    for (const v of [...Object.values(year.deterrence), ...Object.values(year.chilling)]) expect(typeof v).toBe("number");
    // loan-default at 100 agents × 365 days expects 3.65: none; red-light 365: an estimate
    const small = summaryAt(100, 365);
    expect(small.deterrence["loan-default"]).toBeNull();
    expect(typeof small.deterrence["red-light"]).toBe("number");
  });
});
