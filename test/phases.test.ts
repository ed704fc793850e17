import { describe, expect, it } from "vitest";
import { compileModel } from "../src/engine/model.js";
import { PHASES, Phase, PhaseClock } from "../src/engine/phases.js";
import { Simulation } from "../src/engine/simulate.js";
import { countersEqual, preset, withChanges } from "./helpers.js";

// bench/phases.mjs reports where the calendar engine's time goes. Its figures
// are only worth having if every phase is timed, nothing twice, the caller's
// per-day callback not at all, and the clock changes nothing in the run.

describe("phase clock", () => {
  const model = compileModel(withChanges(preset("fused-city"), (s) => void (s.population.agents = 20_000)));

  it("times every phase of a run once, leaves out the caller's callback, and changes no counter", () => {
    const plain = new Simulation(model).run();
    const clock = new PhaseClock();
    let waited = 0;
    const started = performance.now();
    const timed = new Simulation(model, { phases: clock }).run(() => {
      // the callback's time belongs to the caller, not to any phase
      const before = performance.now();
      while (performance.now() < before + 0.2);
      waited += performance.now() - before;
    });
    const wall = performance.now() - started;

    expect(countersEqual(timed, plain)).toBe(true);
    expect(clock.ms.length).toBe(PHASES.length);
    // fused-city has a network, fear, tie cuts and listings, so each of these phases has work
    for (const p of [
      Phase.network,
      Phase.records,
      Phase.wakes,
      Phase.behaviour,
      Phase.score,
      Phase.contacts,
      Phase.fear,
      Phase.cuts,
      Phase.observe,
      Phase.nextWakes,
      Phase.end,
    ])
      expect(clock.ms[p], PHASES[p]).toBeGreaterThan(0);
    const phases = clock.ms.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThanOrEqual(model.days * 0.2);
    // What no phase covers is the calls between them (microseconds a day) and the
    // callback: a phase counted twice, or the callback counted, exceeds the wall
    // time; a phase left out leaves a gap of its size.
    expect(phases).toBeLessThanOrEqual(wall - waited);
    expect(wall - waited - phases).toBeLessThan(0.05 * (wall - waited));
  });
});
