import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { countersArrays } from "../src/engine/counters.js";
import { History, trackingPool } from "../src/engine/history.js";
import { kernelAvailable } from "../src/engine/kernel.js";
import { compileModel } from "../src/engine/model.js";
import { buildPopulation } from "../src/engine/population.js";
import { runSeparable } from "../src/engine/separable.js";
import { isSeparable } from "../src/engine/simulate.js";
import type { Scenario } from "../src/scenario/schema.js";
import { countersEqual, eventColumns, preset, scenarioFromYaml, sum, withChanges } from "./helpers.js";

// The per-agent engine compiled to WebAssembly (kernel/agents.ts) must give the
// counters of the TypeScript per-agent engine bit for bit, on every submodel a
// separable scenario can have; followed agents run in TypeScript beside it.

const EVERY_SEPARABLE_SUBMODEL = `
days: 240
transparency: opaque
population:
  agents: 12000
  groups: [{ name: a, share: 0.7 }, { name: b, share: 0.3 }]
  segments:
    - { name: resident, share: 0.85 }
    - { name: elite, share: 0.05 }
    - { name: visitor, share: 0.1, presentDays: 30 }
behaviours:
  fraud: { kind: violation, base: 0.003, deter: 0.6, domain: finance }
  speech: { kind: disfavored, base: 0.01, deter: 0.9, groupMult: { b: 2 } }
  flying: { kind: access, base: 0.01, deter: 0.3 }
  help: { kind: rewarded, base: 0.02, segmentMult: { elite: 3 } }
sources:
  bank: { detect: { fraud: 0.8 }, falseRate: { fraud: 0.0005 }, listedDetectMult: 2 }
  web: { detect: { speech: 0.5 }, falseRate: { speech: 0.001 }, groupFalseMult: { b: 4 } }
  town: { detect: { help: 0.5 } }
review: { rate: { fraud: 0.5 }, catch: 0.7 }
scoring:
  start: 1000
  reversion: 0.02
  points: { fraud: -60, speech: -25, help: 10 }
  tiers: [{ name: C, min: 930 }, { name: B, min: 960 }, { name: A, min: 1010 }]
listing: { enterBelow: 975, days: 40, direct: { fraud: 50 }, joint: false, cure: { rate: 0.02 } }
restrictions:
  travel: { domain: speech, blocks: [flying], harm: 2 }
  credit: { domain: finance, blocks: [flying], harm: 3 }
fear: { decay: 0.05, self: 0.5, social: 0, perceivedSurveillance: 0.2 }
exempt: { segments: [elite] }
perks: { above: 1020, name: fast lane }
breach: { day: 120, share: 0.4 }
`;

function run(s: Scenario, useKernel: boolean, poolSize = 0, step = 1) {
  const m = compileModel(s);
  const history = poolSize > 0 ? new History(trackingPool(m, poolSize, buildPopulation(m).householdStart)) : undefined;
  let counters = runSeparable(m, [0, m.agents], undefined, history, step, useKernel);
  for (let k = 1; k < step; k++) counters = addInto(counters, runSeparable(m, [k, m.agents], undefined, history, step, useKernel));
  return { counters, history };
}

function addInto(a: ReturnType<typeof runSeparable>, b: ReturnType<typeof runSeparable>) {
  const x = countersArrays(a);
  countersArrays(b).forEach((arr, k) => {
    for (let i = 0; i < arr.length; i++) x[k][i] += arr[i];
  });
  return a;
}

const everything = scenarioFromYaml(EVERY_SEPARABLE_SUBMODEL);
const cases: [string, Scenario][] = [
  ["reference", withChanges(preset("reference"), (s) => void (s.population.agents = 20_000))],
  ["every separable submodel (cure resets the score)", everything],
  ["every separable submodel, cure keeps the score", withChanges(everything, (s) => void (s.listing.cure = { rate: 0.02, score: "keep" }))],
  // an association penalty lets an unlisted score drift under the threshold (the crossing path)
  ["scores that cross the threshold between records", withChanges(everything, (s) => void Object.assign(s.scoring, { start: 970, association: 1 }))],
  ["no reversion", withChanges(everything, (s) => void (s.scoring.reversion = 0))],
];

describe("the WebAssembly kernel", () => {
  it("is available here, so the tests below compare it and not TypeScript with itself", () => {
    expect(kernelAvailable()).toBe(true);
  });

  for (const [name, s] of cases) {
    it(`gives the TypeScript engine's counters bit for bit: ${name}`, () => {
      expect(isSeparable(compileModel(s))).toBe(true);
      const a = run(s, false).counters;
      const b = run(s, true).counters;
      expect(sum(a.newListings)).toBeGreaterThan(0);
      expect(countersEqual(a, b)).toBe(true);
    });
  }

  it("exercises every submodel of the comparison", () => {
    const c = run(everything, true).counters;
    expect(sum(c.cured)).toBeGreaterThan(0);
    expect(sum(c.denied)).toBeGreaterThan(0);
    expect(sum(c.recordsDiscarded)).toBeGreaterThan(0);
    expect(sum(c.exposedPeople)).toBeGreaterThan(0);
    expect(sum(c.perkHolders)).toBeGreaterThan(0);
    expect(sum(c.tierTransitions)).toBeGreaterThan(0);
    expect(sum(c.tierFellBelow)).toBeGreaterThan(0);
    expect(sum(c.wrongfulSpells)).toBeGreaterThan(0);
    expect(sum(c.openWrongfulSpells)).toBeGreaterThan(0);
    // visitors are present 30 of 240 days
    expect(sum(c.classAgentDays)).toBeLessThan(240 * 12_000);
  });

  const events = (h: History | undefined) => eventColumns(h);

  it("logs followed agents' events as the TypeScript engine does, with the same counters", () => {
    const a = run(everything, false, 300);
    const b = run(everything, true, 300);
    expect(countersEqual(a.counters, b.counters)).toBe(true);
    expect(events(b.history)[0].length).toBeGreaterThan(1000);
    expect(events(b.history)).toEqual(events(a.history));
  });

  it("leaves followed agents to TypeScript when a run is too long for its event buffer", () => {
    // 40,000 days × (channels + 8) events of 48 bytes is more than the buffer's 16 MiB
    const long = withChanges(everything, (s) => {
      s.days = 40_000;
      s.population.agents = 400;
      s.breach = { day: 20_000, share: 0.4 };
    });
    const a = run(long, false, 60);
    const b = run(long, true, 60);
    expect(countersEqual(a.counters, b.counters)).toBe(true);
    expect(events(b.history)[0].length).toBeGreaterThan(1000);
    expect(events(b.history)).toEqual(events(a.history));
  });

  it("runs systematic slices (the lab's step) that add up to the same counters", () => {
    const whole = run(everything, false).counters;
    const slices = run(everything, true, 200, 7).counters;
    expect(countersEqual(whole, slices)).toBe(true);
  });

  it("gives agents the classes the population gives them, also where shares sum to a little over 1", () => {
    // shares are accepted within 10^-6 of 1: at 2·10^7 agents the floors of the
    // segment counts once overshot a group, so class ranges overlapped (found by review)
    const s = withChanges(preset("reference"), (x) => {
      x.population.agents = 20_000_000;
      x.population.groups = [
        { name: "a", share: 0.5 },
        { name: "b", share: 0.5 },
      ];
      x.population.segments = [
        { name: "p", share: 0.5000009 },
        { name: "q", share: 0.5 },
      ];
    });
    const m = compileModel(s);
    const pop = buildPopulation(m);
    for (let c = 0; c + 1 < m.C; c++) expect(pop.classEnd[c]).toBeLessThanOrEqual(pop.classStart[c + 1]);
    expect(pop.classEnd[m.C - 1]).toBe(m.agents);
    const around: [number, number] = [9_999_990, 10_000_010];
    const a = runSeparable(m, around, undefined, undefined, 1, false);
    const b = runSeparable(m, around, undefined, undefined, 1, true);
    expect(Array.from(b.agents)).toEqual([10, 10]);
    expect(countersEqual(a, b)).toBe(true);
  });

  it("is compiled from its source: src/engine/kernel-wasm.ts is up to date", () => {
    // exits 1 and names the file when kernel/agents.ts changed without `npm run build:kernel`
    expect(() => execFileSync(process.execPath, ["scripts/build-kernel.mjs", "--check"], { stdio: "pipe" })).not.toThrow();
  });
});
