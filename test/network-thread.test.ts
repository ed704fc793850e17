import { describe, expect, it } from "vitest";
import { countersArrays } from "../src/engine/counters.js";
import { compileModel } from "../src/engine/model.js";
import { buildNetwork, drawTies, HELPER_FROM_AGENTS, type NetworkTask, ringOrder } from "../src/engine/network.js";
import { buildPopulation } from "../src/engine/population.js";
import { NETWORK_SCENARIOS, plainNetworkLists, preset, scenarioFromYaml, withChanges } from "./helpers.js";

// The network build on two threads (src/engine/network-thread.node.ts): each
// stage that splits runs half on a worker, half on the calling thread. The
// network must be the plainest construction from the drawn ties (a set of
// contacts per agent), and the one a single thread builds. Workers run the
// compiled engine (npm test builds dist/ first), so the two-thread builds come
// from dist/. At these sizes the threads overlap little; the run of 2^19 agents
// below overlaps them for seconds.

const dist = {
  network: () => import("../dist/engine/network.js") as Promise<typeof import("../src/engine/network.js")>,
  thread: () => import("../dist/engine/network-thread.node.js") as Promise<typeof import("../src/engine/network-thread.node.js")>,
  parallel: () => import("../dist/engine/parallel.node.js") as Promise<typeof import("../src/engine/parallel.node.js")>,
};

const scenarios = [
  ...NETWORK_SCENARIOS,
  [
    "three groups, the persons' middle in the last group",
    `population: { agents: 30000, groups: [{ name: a, share: 0.1 }, { name: b, share: 0.15 }, { name: c, share: 0.75 }], network: { degree: 8, homophily: 0.6, rewire: 0.2 } }
behaviours: { v: { kind: violation, base: 0.01 } }`,
  ],
  [
    "one person among firms: no tie at all",
    `population: { agents: 10, segments: [{ name: person, share: 0.1 }, { name: firm, share: 0.9, kind: firm }], network: { degree: 4, rewire: 0.3 } }
behaviours: { v: { kind: violation, base: 0.01 } }`,
  ],
] as const;

describe("the network built on two threads", () => {
  const open = async () => (await dist.thread()).NetworkThread.open();

  for (const [name, yaml] of scenarios) {
    it(`lists every drawn tie on both ends, as one thread does: ${name}`, async () => {
      const { buildNetwork: buildNetworkDist } = await dist.network();
      const m = compileModel(scenarioFromYaml(yaml));
      const pop = buildPopulation(m);
      const one = buildNetwork(m, pop);
      const plain = plainNetworkLists(m);
      // the default blocks, and blocks of 16 agents (thousands of blocks, split between the threads)
      for (const blockShift of [undefined, 4]) {
        const stages: string[] = [];
        const helper = await open();
        const two = buildNetworkDist(m, pop, { helper, blockShift, onStage: (s) => void stages.push(s) });
        expect(stages).toEqual(["ring", "ties", "sort", "lists"]);
        // a helper serves one build, then stops (its heap would hold the build's arrays)
        expect(() => helper.start({ stage: "touch", arrays: [helper.shared(1)] })).toThrow(/helper thread has ended/);
        expect(two.adj.buffer).toBeInstanceOf(SharedArrayBuffer); // built in memory the helper saw
        expect(two.start[m.agents]).toBe(two.adj.length);
        for (let i = 0; i < m.agents; i++) expect(Array.from(two.adj.subarray(two.start[i], two.start[i + 1])), `agent ${i}`).toEqual(plain[i]);
        expect(Array.from(two.start)).toEqual(Array.from(one.start));
        expect(Array.from(two.adj)).toEqual(Array.from(one.adj));
      }
      // with its temporaries in lent shared memory (the records', decision 22), room for all or for the first few:
      // the same network, none of it in that memory
      for (const bytesPerAgent of [64, 8]) {
        const scratch = new SharedArrayBuffer(bytesPerAgent * m.agents);
        const lent = buildNetworkDist(m, pop, { helper: await open(), scratch });
        expect(lent.adj.buffer).not.toBe(scratch);
        expect(lent.start.buffer).not.toBe(scratch);
        expect(Array.from(lent.start), `${bytesPerAgent} bytes per agent`).toEqual(Array.from(one.start));
        expect(Array.from(lent.adj), `${bytesPerAgent} bytes per agent`).toEqual(Array.from(one.adj));
      }
      // a helper cannot see memory that is not shared
      await expect(async () => buildNetworkDist(m, pop, { helper: await open(), scratch: new ArrayBuffer(64 * m.agents) })).rejects.toThrow(
        /SharedArrayBuffer/,
      );
    });
  }

  it("has a case whose first half drops ties to oneself, so that the second half's ties are moved down", () => {
    const m = compileModel(scenarioFromYaml(scenarios[2][1]));
    const pop = buildPopulation(m);
    const { perm, pStart } = ringOrder(m, pop);
    const half = 10;
    const E = pStart[m.G] * half;
    const pairs = new Int32Array(2 * E);
    const e = drawTies(m, pop, perm, pStart, pairs, E, new Int32Array(m.agents));
    // ties of the first 25 persons (ids = ordinals here: one group, no firms)
    let first = 0;
    for (let x = 0; x < e; x++) if (pairs[E + x] < 25) first++;
    expect(first).toBeLessThan(25 * half);
  });

  it("posts views of shared memory from 4 GiB on (the records' memory lent to the build at 10^8 agents), which V8 cannot post as views", async () => {
    // untouched memory costs no RAM: only the pages written here become resident
    const shared = new SharedArrayBuffer(2 ** 32 + 2 ** 16);
    const far = new Int32Array(shared, 2 ** 32, 2048);
    far.fill(7);
    const helper = await open();
    try {
      helper.start({ stage: "touch", arrays: [far] }); // writes 0 to every 1,024th entry
      helper.finish();
    } finally {
      helper.end();
    }
    expect([far[0], far[1], far[1024], far[2047]]).toEqual([0, 7, 0, 7]);
  });

  it("reports a task that fails on the helper, and takes the next one", async () => {
    const helper = await open();
    helper.start({ stage: "bogus" } as unknown as NetworkTask);
    expect(() => helper.finish()).toThrow(/network's helper thread failed: unknown network task bogus/);
    const array = helper.shared(4096);
    array.fill(7);
    helper.start({ stage: "touch", arrays: [array] });
    expect(helper.finish()).toBe(0);
    expect(array[0]).toBe(0);
    expect(array[1024]).toBe(0);
    expect(array[1]).toBe(7);
    expect(() => helper.finish()).toThrow(/no task to finish/);
    await helper.close();
  });

  it("ends the helper when the build stops early", async () => {
    const { buildNetwork: buildNetworkDist } = await dist.network();
    const m = compileModel(scenarioFromYaml(scenarios[0][1]));
    const helper = await open();
    expect(() => buildNetworkDist(m, buildPopulation(m), { helper, blockShift: 31 })).toThrow(/blockShift/);
    expect(() => helper.start({ stage: "touch", arrays: [helper.shared(1)] })).toThrow(/helper thread has ended/);
  });

  it("is used by a run asked for two threads from HELPER_FROM_AGENTS agents, with the same results", async () => {
    const { simulateThreads } = await dist.parallel();
    const { networkHelperFor } = await dist.thread();
    const s = withChanges(preset("fused-city"), (x) => {
      x.population.agents = HELPER_FROM_AGENTS;
      x.days = 20;
    });
    expect(await networkHelperFor(compileModel(s), 1)).toBeNull();
    const smaller = withChanges(s, (x) => void (x.population.agents = HELPER_FROM_AGENTS - 1));
    expect(await networkHelperFor(compileModel(smaller), 2)).toBeNull();
    const one = await simulateThreads(s, 1);
    const two = await simulateThreads(s, 2);
    expect(one.networkThreads).toBe(1);
    expect(two.networkThreads).toBe(2);
    expect(countersArrays(two.counters)).toEqual(countersArrays(one.counters));
  }, 60_000);
});
