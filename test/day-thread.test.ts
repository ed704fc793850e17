import { describe, expect, it } from "vitest";
import { History, trackingPool } from "../src/engine/history.js";
import { compileModel } from "../src/engine/model.js";
import { buildPopulation } from "../src/engine/population.js";
import { laneBlocks, laneOf, Simulation } from "../src/engine/simulate.js";
import type { Scenario } from "../src/scenario/schema.js";
import { busyFusedCity, countersEqual, cuttingTiesOften, eventColumns, preset, sum, withChanges } from "./helpers.js";

// The calendar engine's days on two lanes (decision 23): a worker runs the
// upper lane's agents while this thread runs the lower lane's and the day's
// one-thread phases. Its outputs must be those of one thread: every counter,
// and every followed agent's events in their order. Workers run the compiled
// engine (npm test builds dist/ first), so both runs come from dist/.

const dist = {
  simulate: () => import("../dist/engine/simulate.js") as Promise<typeof import("../src/engine/simulate.js")>,
  thread: () => import("../dist/engine/day-thread.node.js") as Promise<typeof import("../src/engine/day-thread.node.js")>,
  history: () => import("../dist/engine/history.js") as Promise<typeof import("../src/engine/history.js")>,
  parallel: () => import("../dist/engine/parallel.node.js") as Promise<typeof import("../src/engine/parallel.node.js")>,
};

/** One run on one thread and one on two lanes, both following a pool of agents. */
async function bothWays(scenario: Scenario, follow: number) {
  const { Simulation: DistSimulation } = await dist.simulate();
  const { DayThread } = await dist.thread();
  const { History: DistHistory } = await dist.history();
  const { historyByAgent } = await dist.parallel();
  const m = compileModel(scenario);
  const pool = trackingPool(m, follow, buildPopulation(m).householdStart);
  const oneHistory = new DistHistory(pool);
  const one = new DistSimulation(m, { history: oneHistory }).run();
  const helper = await DayThread.open();
  const twoHistory = new DistHistory(pool);
  let two: ReturnType<Simulation["run"]>;
  try {
    two = new DistSimulation(m, { history: twoHistory, dayHelper: helper }).run();
  } finally {
    helper.end();
  }
  return { one, two, oneEvents: historyByAgent(pool, oneHistory), twoEvents: historyByAgent(pool, twoHistory) };
}

// Each mechanism that crosses lanes: contacts' counts (a listing's start, end
// and renewal), misattributed records, ratings read from a contact's record,
// households, insiders, tie cuts from both ends, appeals and cures (run by the
// lower lane for both), perks, tiers, a breach.
const busy = cuttingTiesOften(busyFusedCity(6000));
const sized = (name: string, agents: number) => withChanges(preset(name), (x) => void (x.population.agents = agents));

describe("the calendar engine's days on two lanes", () => {
  for (const [name, scenario] of [
    ["busy fused-city: ratings, appeals, cures, ties cut often", busy],
    ["fused-city", sized("fused-city", 20_000)],
    ["peer-ratings", sized("peer-ratings", 8000)],
    ["national-outline-insiders", sized("national-outline-insiders", 20_000)],
    ["national-outline-breach", sized("national-outline-breach", 20_000)],
    ["national-outline-visitors", sized("national-outline-visitors", 20_000)],
    ["corporate-credit (firms)", sized("corporate-credit", 20_000)],
    ["rongcheng-points (tiers, perks)", sized("rongcheng-points", 20_000)],
  ] as const) {
    it(`gives the counters and the followed agents' events of one thread: ${name}`, async () => {
      const { one, two, oneEvents, twoEvents } = await bothWays(scenario, 300);
      expect(sum(one.listed)).toBeGreaterThan(0);
      expect(countersEqual(one, two)).toBe(true);
      expect(oneEvents.count).toBeGreaterThan(0);
      expect(eventColumns(twoEvents)).toEqual(eventColumns(oneEvents));
    }, 60_000);
  }

  it("splits agents into alternating blocks that never cut a household", () => {
    const m = compileModel(sized("fused-city", 50_000));
    const hs = buildPopulation(m).householdStart as Int32Array;
    const { shift, bound } = laneBlocks(hs, m.agents);
    expect(bound.length).toBeGreaterThan(64);
    expect(bound[0]).toBe(0);
    expect(bound[bound.length - 1]).toBe(m.agents);
    const starts = new Set(hs);
    for (let b = 0; b < bound.length; b++) {
      expect(starts.has(bound[b]), `block ${b}`).toBe(true);
      expect(bound[b]).toBeGreaterThanOrEqual(Math.min(m.agents, b * 2 ** shift));
      if (b > 0) expect(bound[b]).toBeGreaterThanOrEqual(bound[b - 1]);
    }
    // without households, blocks of exactly 2^shift
    const plain = laneBlocks(null, 50_000);
    expect(Array.from(plain.bound.subarray(0, 3))).toEqual([0, 2 ** plain.shift, 2 ** (plain.shift + 1)]);
  });

  it("keeps a household longer than a block in one lane", () => {
    // 2,000 agents: blocks of 16; a household of 100 covers several, then households of 3
    const starts = [0, 10, ...Array.from({ length: 630 }, (_, k) => 110 + 3 * k), 2000];
    const blocks = laneBlocks(Int32Array.from(starts), 2000);
    expect(blocks.shift).toBe(4);
    for (let h = 0; h < starts.length - 1; h++) {
      const lanes = new Set<number>();
      for (let i = starts[h]; i < starts[h + 1]; i++) lanes.add(laneOf(blocks, i));
      expect(lanes.size, `household ${h}`).toBe(1);
    }
    const both = new Set(Array.from({ length: 2000 }, (_, i) => laneOf(blocks, i)));
    expect(both).toEqual(new Set([0, 1]));
  });

  it("a lane that fails stops the run with its message instead of leaving it waiting", async () => {
    const { DayThread } = await dist.thread();
    const helper = await DayThread.open();
    try {
      const m = compileModel(sized("fused-city", 1000));
      // no population: the upper lane cannot start
      const link = helper.start(m, { population: null } as never);
      expect(() => link.receive()).toThrow(/the days' helper thread failed: /);
    } finally {
      helper.end();
    }
  });

  it("runs from TypeScript sources on one thread only (workers load dist/)", async () => {
    const { dayHelperFor } = await import("../src/engine/day-thread.node.js");
    expect(await dayHelperFor(compileModel(sized("fused-city", 1 << 20)), 2)).toBeNull();
    const { dayHelperFor: distHelperFor, LANES_FROM_AGENTS } = await dist.thread();
    expect(await distHelperFor(compileModel(sized("fused-city", LANES_FROM_AGENTS - 1)), 2)).toBeNull();
    expect(await distHelperFor(compileModel(sized("fused-city", LANES_FROM_AGENTS)), 1)).toBeNull();
    expect(await distHelperFor(compileModel(sized("reference", LANES_FROM_AGENTS)), 2)).toBeNull(); // agents do not interact
    const helper = await distHelperFor(compileModel(sized("fused-city", LANES_FROM_AGENTS)), 2);
    expect(helper).not.toBeNull();
    helper?.end();
  });
});

// keep the source classes' types in use (the runs above come from dist/)
void History;
void Simulation;
