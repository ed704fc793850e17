import { describe, expect, it } from "vitest";
import { compileModel } from "../src/engine/model.js";
import { PHASES, Phase, PhaseClock } from "../src/engine/phases.js";
import { Simulation } from "../src/engine/simulate.js";
import { countersEqual, preset, withChanges } from "./helpers.js";

// bench/phases.mjs reports where the calendar engine's time goes. Its figures
// are only worth having if every phase is timed, in order, nothing twice, the
// caller's per-day callback not at all, and the clock changes nothing in the run.

/** A clock that also logs its calls: "start", or the phase a lap closed. */
class LoggedClock extends PhaseClock {
  readonly calls: (number | "start")[] = [];
  override start(): void {
    this.calls.push("start");
    super.start();
  }
  override lap(phase: number): void {
    this.calls.push(phase);
    super.lap(phase);
  }
}

describe("phase clock", () => {
  const model = compileModel(withChanges(preset("fused-city"), (s) => void (s.population.agents = 20_000)));

  it("times every phase of a run once, in order, leaves out the caller's callback, and changes no counter", () => {
    const plain = new Simulation(model).run();
    const clock = new LoggedClock();
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

    // set-up, then each day's phases in the order they run, the clock restarted after the callback, then the end
    const day = [
      Phase.wakes,
      Phase.behaviour,
      Phase.messages,
      Phase.score,
      Phase.contacts,
      Phase.fear,
      Phase.cuts,
      Phase.appeals,
      Phase.observe,
      Phase.nextWakes,
    ];
    const expected: (number | "start")[] = ["start", Phase.network, Phase.records, "start"];
    for (let t = 0; t < model.days; t++) expected.push(...day, "start");
    expected.push(Phase.end);
    expect(clock.calls).toEqual(expected);

    // fused-city has a network, misattribution, fear, tie cuts and appeals, so every phase has work
    for (let p = 0; p < PHASES.length; p++) expect(clock.ms[p], PHASES[p]).toBeGreaterThan(0);
    const phases = clock.ms.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThanOrEqual(model.days * 0.2);
    // A phase counted twice, or the callback counted, exceeds the wall time less
    // the callback's. What no phase covers is the calls between phases
    // (microseconds a day), plus whatever the host preempts there: a loose bound
    // (a quarter) that still catches the day's largest phases going uncounted.
    expect(phases).toBeLessThanOrEqual(wall - waited);
    expect(wall - waited - phases).toBeLessThan(0.25 * (wall - waited));
  });
});
