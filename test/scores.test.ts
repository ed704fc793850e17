import { describe, expect, it } from "vitest";
import { summarize } from "../src/engine/metrics.js";
import { compileModel } from "../src/engine/model.js";
import { runSeparable } from "../src/engine/separable.js";
import { Simulation } from "../src/engine/simulate.js";
import { countersEqual, scenarioFromYaml, sum } from "./helpers.js";

// Scores against the thresholds they are compared with, and the summaries built
// on tiers and perks.

const META = { credsimVersion: "test", scenario: "test", scenarioHash: "test" };

describe("a score equal to a threshold as written", () => {
  it("compares equal in both engines, also when the value is not a float32 (0.7)", () => {
    // a behaviour worth 0 points: every score stays at the start, 0.7
    const m = compileModel(
      scenarioFromYaml(`
days: 30
population: { agents: 1000 }
behaviours:
  help: { kind: rewarded, base: 0.05 }
sources:
  s: { detect: { help: 1 } }
scoring: { start: 0.7, min: 0, max: 1, reversion: 0.01, points: { help: 0 }, tiers: [{ name: low, min: 0 }, { name: high, min: 0.7 }] }
listing: { enterBelow: 0.7 }
perks: { above: 0.7 }
`),
    );
    const a = runSeparable(m);
    const b = new Simulation(m).run();
    expect(countersEqual(a, b)).toBe(true);
    expect(sum(a.listed)).toBe(0); // 0.7 is not below 0.7
    expect(sum(a.perkHolders)).toBe(1000 * 30); // 0.7 is at least 0.7
    expect(a.tierCounts[1]).toBe(1000);
  });
});

describe("mobility", () => {
  it("counts those who fall below every tier among the bottom two's starters", () => {
    const m = compileModel(
      scenarioFromYaml(`
days: 100
population: { agents: 5000 }
behaviours:
  x: { kind: violation, base: 0.004 }
  h: { kind: rewarded, base: 0.05 }
sources:
  s: { detect: { x: 1, h: 1 } }
scoring: { reversion: 0.005, points: { x: -150, h: 5 }, tiers: [{ name: D, min: 500 }, { name: C, min: 800 }, { name: B, min: 950 }, { name: A, min: 1000 }] }
listing: { enterBelow: 0 }
`),
    );
    const c = runSeparable(m);
    const mob = summarize(m, c, META).mobility;
    if (!mob) throw new Error("no mobility");
    const fell = mob.fellBelowAllTiers[0] + mob.fellBelowAllTiers[1];
    expect(fell).toBeGreaterThan(0);
    const inBottomTwo = mob.transitions[0].concat(mob.transitions[1]).reduce((x, y) => x + y, 0) + fell;
    const climbed = mob.transitions[0][2] + mob.transitions[0][3] + mob.transitions[1][2] + mob.transitions[1][3];
    expect(mob.climbedFromBottomTwo).toBe(climbed / inBottomTwo);
    expect(countersEqual(c, new Simulation(m).run())).toBe(true);
  });
});

describe("perk shares", () => {
  it("are null for a group with no agents", () => {
    const m = compileModel(
      scenarioFromYaml(`
days: 20
population: { agents: 1000, groups: [{ name: a, share: 0.9996 }, { name: b, share: 0.0004 }] }
behaviours:
  x: { kind: violation, base: 0.01 }
sources: { s: { detect: { x: 1 } } }
scoring: { points: { x: -100 } }
perks: { above: 990 }
`),
    );
    const perks = summarize(m, runSeparable(m), META).perks;
    expect(perks?.shareOfPerkDays).toEqual({ a: 1, b: null });
  });
});
