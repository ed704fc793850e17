import { describe, expect, it } from "vitest";
import { History } from "../src/engine/history.js";
import { summarize } from "../src/engine/metrics.js";
import { compileModel } from "../src/engine/model.js";
import { runSeparable } from "../src/engine/separable.js";
import { Simulation } from "../src/engine/simulate.js";
import { lawfulChilling } from "../src/report/compare-table.js";
import { summaryNotes } from "../src/report/summary-notes.js";
import { preset, scenarioFromYaml, withChanges } from "./helpers.js";

const META = { credsimVersion: "test", scenario: "test", scenarioHash: "test" };

function summaryOf(name: string, agents: number) {
  const m = compileModel(withChanges(preset(name), (s) => void (s.population.agents = agents)));
  return summarize(m, runSeparable(m), META);
}

describe("deterrence and chilling in a run's notes", () => {
  it("are named only beyond sampling noise: none without fear, some with it", () => {
    // reference has no fear: every estimate is noise around 0
    const plain = summaryOf("reference", 20_000);
    const notes = summaryNotes(plain);
    expect(notes[0]).toBe("no behaviour departs from its no-system level by more than sampling noise (3 standard errors)");
    for (const [b, v] of Object.entries(plain.deterrence))
      if (v !== null) expect(plain.effectNoise[b]).toBeCloseTo(1 / Math.sqrt(plain.expectedOccurrences[b]), 12);
    // citizen-rules deters violations through fear
    const m = compileModel(withChanges(preset("citizen-rules"), (s) => void (s.population.agents = 20_000)));
    const feared = summarize(m, new Simulation(m).run(), META);
    expect(summaryNotes(feared)[0]).toMatch(/^behaviour against its no-system level, beyond sampling noise \(3 standard errors\): .*% fewer \(deterrence\)/);
  });

  it("compare pools lawful behaviour: within sampling noise of 0 without fear", () => {
    const s = summaryOf("reference", 100_000);
    let reduced = 0;
    let expected = 0;
    for (const [b, v] of Object.entries(s.chilling)) {
      if (v === null) continue;
      reduced += v * s.expectedOccurrences[b];
      expected += s.expectedOccurrences[b];
    }
    const pooled = lawfulChilling(s);
    expect(pooled).toBeCloseTo(reduced / expected, 12);
    // 1 − Σ occurrences / Σ expected has standard error 1/√Σ expected when nothing chills
    expect(Math.abs(pooled ?? 1)).toBeLessThan(4 / Math.sqrt(expected));
  });
});

describe("the share of people below the mean score", () => {
  it("is counted from the fine histogram: exact when scores are whole multiples of 5", () => {
    const m = compileModel(
      scenarioFromYaml(`
days: 200
population: { agents: 4000 }
behaviours:
  x: { kind: violation, base: 0.003 }
  h: { kind: rewarded, base: 0.003 }
sources:
  s: { detect: { x: 1, h: 1 } }
scoring: { reversion: 0, points: { x: -25, h: 5 } }
listing: { enterBelow: 0 }
`),
    );
    const history = new History(new Uint8Array(m.agents).fill(1));
    const c = new Simulation(m, { history }).run();
    const final = new Float64Array(m.agents).fill(m.s0);
    for (let k = 0; k < history.count; k++) if (history.type[k] === 10) final[history.agent[k]] = history.v[k];
    const mean = final.reduce((a, b) => a + b, 0) / m.agents;
    const below = final.filter((x) => x < mean).length;
    const s = summarize(m, c, META);
    expect(below).toBeGreaterThan(500);
    expect(s.scoreHistogram.belowMean).toBe(below);
  });
});
