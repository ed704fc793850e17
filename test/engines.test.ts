import { describe, expect, it } from "vitest";
import { blockSize } from "../src/engine/blocks.js";
import { addCounters } from "../src/engine/counters.js";
import { History, trackingPool } from "../src/engine/history.js";
import { compileModel } from "../src/engine/model.js";
import { finishSeparable, runAgents, runSeparable, startSeparable } from "../src/engine/separable.js";
import { Simulation } from "../src/engine/simulate.js";
import { busyFusedCity, countersEqual, cuttingTiesOften, eventColumns, preset, scenarioFromYaml, sum, withChanges } from "./helpers.js";

// The per-agent engine and the calendar engine draw the same random numbers in
// the same order for each agent, so on a separable scenario their counters must
// be identical, not just close. Threads take blocks of agents; each agent's
// stream is its own, so any thread count gives the same counters.

const SEPARABLE_WITH_EVERYTHING = `
days: 200
transparency: opaque
population:
  agents: 6000
  groups: [{ name: a, share: 0.6 }, { name: b, share: 0.4 }]
  segments: [{ name: resident, share: 0.95 }, { name: elite, share: 0.05 }]
behaviours:
  fraud: { kind: violation, base: 0.002, deter: 0.6, domain: finance }
  speech: { kind: disfavored, base: 0.01, deter: 0.9, groupMult: { b: 2 } }
  flying: { kind: access, base: 0.01, deter: 0.3 }
  help: { kind: rewarded, base: 0.01, segmentMult: { elite: 3 } }
sources:
  bank: { detect: { fraud: 0.8 }, falseRate: { fraud: 0.0005 } }
  web: { detect: { speech: 0.5 }, falseRate: { speech: 0.001 }, groupFalseMult: { b: 4 } }
  town: { detect: { help: 0.5 } }
review: { rate: { fraud: 0.5 }, catch: 0.7 }
scoring:
  reversion: 0.02
  points: { fraud: -80, speech: -25, help: 10 }
  tiers: [{ name: C, min: 0 }, { name: B, min: 950 }, { name: A, min: 1010 }]
listing: { enterBelow: 960, days: 60, direct: { fraud: 90 }, joint: false }
restrictions:
  travel: { domain: speech, blocks: [flying], harm: 2 }
  credit: { domain: finance, harm: 3 }
fear: { decay: 0.05, self: 0.5, social: 0, perceivedSurveillance: 0.2 }
exempt: { segments: [elite] }
`;

describe("engines agree exactly", () => {
  for (const [name, scenario] of [
    ["reference", withChanges(preset("reference"), (s) => void (s.population.agents = 20_000))],
    ["separable scenario with fear, review, domains, exemption, tiers", scenarioFromYaml(SEPARABLE_WITH_EVERYTHING)],
  ] as const) {
    it(`per-agent and calendar engines give identical counters: ${name}`, () => {
      const m = compileModel(scenario);
      const a = runSeparable(m);
      const b = new Simulation(m).run();
      expect(sum(a.listed)).toBeGreaterThan(0);
      expect(countersEqual(a, b)).toBe(true);
    });
  }
});

describe("determinism", () => {
  it("one seed gives identical counters and followed histories for 1, 2 and 3 threads", async () => {
    // Worker threads run the compiled engine (npm test builds dist/ first). The
    // calling thread waits for the workers here, so that every thread takes blocks.
    const { simulateThreads } = (await import("../dist/engine/parallel.node.js")) as typeof import("../src/engine/parallel.node.js");
    // fractional harm weights: harm must come from the domain counts of all threads added up, not be added as floats
    const s = scenarioFromYaml(
      // enough agents that a block takes a thread about a millisecond: with fewer, the
      // first thread to start could take every block before the others begin
      SEPARABLE_WITH_EVERYTHING.replace("agents: 6000", "agents: 300000").replace("harm: 2", "harm: 0.1").replace("harm: 3", "harm: 0.7"),
    );
    const options = { poolSize: 200, startTogether: true };
    const one = await simulateThreads(s, 1, undefined, options);
    const two = await simulateThreads(s, 2, undefined, options);
    const three = await simulateThreads(s, 3, undefined, options);
    const blocks = (threads: number) => Math.ceil(300_000 / blockSize(300_000, threads, 200));
    expect(one.blocks).toEqual([blocks(1)]);
    expect(two.blocks).toHaveLength(2);
    expect(three.blocks).toHaveLength(3);
    for (const [threads, r] of [
      [2, two],
      [3, three],
    ] as const) {
      expect(sum(r.blocks)).toBe(blocks(threads));
      expect(Math.min(...r.blocks)).toBeGreaterThan(0);
    }
    expect(countersEqual(one.counters, two.counters)).toBe(true);
    expect(countersEqual(one.counters, three.counters)).toBe(true);
    const events = (r: typeof one) => eventColumns(r.history);
    expect(one.history?.count).toBeGreaterThan(100);
    expect(events(two)).toEqual(events(one));
    expect(events(three)).toEqual(events(one));
    // The calling thread runs the followed pool first and every thread then skips
    // it: the same counters and events as one pass over all agents that logs the
    // pool's as it meets them, with the kernel and with the TypeScript engine
    const m = compileModel(s);
    const inOnePass = new History(trackingPool(m, 200, null));
    expect(countersEqual(runSeparable(m, [0, m.agents], undefined, inOnePass), two.counters)).toBe(true);
    expect(eventColumns(inOnePass)).toEqual(events(two));
    const typescript = await simulateThreads(s, 2, undefined, { ...options, useKernel: false });
    expect(countersEqual(typescript.counters, two.counters)).toBe(true);
    expect(events(typescript)).toEqual(events(two));
  });

  it("a block is at most the work of 16,384 agents over a year, so Ctrl-C and progress get through in long runs", () => {
    for (const days of [1, 365, 3650, 36_500, 100_000]) {
      for (const agents of [10, 5_000, 1_000_000, 100_000_000]) {
        const size = blockSize(agents, 2, days);
        expect(size).toBeGreaterThanOrEqual(1);
        expect(size * days).toBeLessThanOrEqual(Math.max(days, 16384 * 365));
        if (agents >= 1_000_000 && days <= 365) expect(Math.ceil(agents / size)).toBeGreaterThanOrEqual(2 * 61); // some 64 per thread
      }
    }
  });

  it("blocks of agents run by separate runs in any order add up to the whole run exactly", () => {
    const m = compileModel(scenarioFromYaml(SEPARABLE_WITH_EVERYTHING));
    const whole = runSeparable(m);
    const runs = [startSeparable(m), startSeparable(m), startSeparable(m)];
    const size = 700; // not a divisor of 6000: the last block is short
    const blocks = Math.ceil(m.agents / size);
    for (let b = blocks - 1; b >= 0; b--) runAgents(runs[(b * 5) % 3], [b * size, Math.min(m.agents, (b + 1) * size)]);
    const total = finishSeparable(runs[0]);
    for (const r of runs.slice(1)) addCounters(total, finishSeparable(r));
    expect(countersEqual(whole, total)).toBe(true);
  });

  it("systematic slices (every 7th agent, 7 offsets) add up to the whole run exactly", () => {
    const m = compileModel(scenarioFromYaml(SEPARABLE_WITH_EVERYTHING));
    const whole = runSeparable(m);
    const slices = Array.from({ length: 7 }, (_, k) => runSeparable(m, [k, m.agents], undefined, undefined, 7));
    expect(sum(slices[0].agents)).toBe(Math.ceil(m.agents / 7));
    for (let k = 1; k < 7; k++) addCounters(slices[0], slices[k]);
    expect(countersEqual(whole, slices[0])).toBe(true);
  });

  it("a different seed gives different results", () => {
    const s = scenarioFromYaml(SEPARABLE_WITH_EVERYTHING);
    const a = runSeparable(compileModel(s));
    const b = runSeparable(compileModel(withChanges(s, (x) => void (x.seed = 2))));
    expect(countersEqual(a, b)).toBe(false);
  });

  // The calendar engine expires and behaves one household at a time and schedules
  // an agent's next wake right after scoring it unless something touches it later
  // that day (each record fetched once for several steps); all expiries first,
  // all wakes scheduled at the end, wakes out of agent order, or records not
  // read ahead (warm reads only read, so they must change nothing) must give the
  // same day. fused-city made busy: short listings in a domain whose restriction
  // falls on the household and blocks a frequent behaviour, weighted ratings
  // between contacts (a rater's score read before or after a contact's listing
  // ends), frequent appeals and cures; and a preset with insiders.
  const busy = busyFusedCity(3000);
  const cutting = cuttingTiesOften(busy);
  for (const [name, scenario] of [
    ["busy fused-city", busy],
    ["busy fused-city cutting ties often", cutting],
    ["national-outline-insiders", withChanges(preset("national-outline-insiders"), (x) => void (x.population.agents = 4000))],
  ] as const) {
    it(`the calendar engine's day does not depend on how its steps are grouped or ordered: ${name}`, () => {
      const m = compileModel(scenario);
      const fused = new Simulation(m).run();
      expect(sum(fused.listed)).toBeGreaterThan(0);
      expect(countersEqual(fused, new Simulation(m, { fuseWakeSteps: false }).run())).toBe(true);
      expect(countersEqual(fused, new Simulation(m, { scheduleEarly: false }).run())).toBe(true);
      expect(countersEqual(fused, new Simulation(m, { sortWakes: false }).run())).toBe(true);
      expect(countersEqual(fused, new Simulation(m, { warmReads: false }).run())).toBe(true);
    });
  }

  it("an interacting scenario is repeatable run to run", () => {
    const s = withChanges(preset("fused-city"), (x) => void (x.population.agents = 5000));
    const m = compileModel(s);
    expect(countersEqual(new Simulation(m).run(), new Simulation(m).run())).toBe(true);
  });
});
