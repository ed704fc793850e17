import { describe, expect, it } from "vitest";
import { compileModel } from "../src/engine/model.js";
import { blockShift, buildNetwork } from "../src/engine/network.js";
import { buildPopulation } from "../src/engine/population.js";
import { NETWORK_SCENARIOS, plainNetworkLists, scenarioFromYaml } from "./helpers.js";

// buildNetwork lists each tie on both ends by sorting the drawn ties in blocks of
// at least 2^14 agents (larger beyond 2^24 agents, so that there are at most 2^10
// blocks), and writes the lists over its own buffer. Checked against the
// plainest construction from the same drawn ties: a set of contacts per agent.

describe("contact network", () => {
  for (const [name, yaml] of NETWORK_SCENARIOS) {
    it(`lists every drawn tie on both ends, sorted, once: ${name}`, () => {
      const m = compileModel(scenarioFromYaml(yaml));
      const net = buildNetwork(m, buildPopulation(m));
      const lists = plainNetworkLists(m);
      expect(net.start[lists.length]).toBe(net.adj.length);
      let ties = 0;
      for (let i = 0; i < lists.length; i++) {
        expect(Array.from(net.adj.subarray(net.start[i], net.start[i + 1]))).toEqual(lists[i]);
        ties += lists[i].length;
      }
      expect(ties).toBeGreaterThan(lists.length);
    });

    it(`gives the same network as writing each tie to both ends (bench:decisions no. 8): ${name}`, () => {
      const m = compileModel(scenarioFromYaml(yaml));
      const pop = buildPopulation(m);
      const sorted = buildNetwork(m, pop);
      const scattered = buildNetwork(m, pop, { listsBy: "scatter" });
      expect(Array.from(scattered.start)).toEqual(Array.from(sorted.start));
      expect(Array.from(scattered.adj)).toEqual(Array.from(sorted.adj));
    });

    it(`gives the same network with its temporaries in lent memory, whole or in part, and returns no array in it (decision 22): ${name}`, () => {
      const m = compileModel(scenarioFromYaml(yaml));
      const pop = buildPopulation(m);
      const usual = buildNetwork(m, pop);
      // a record's 64 bytes per agent (room for all), 8 (the first few), none
      for (const bytesPerAgent of [64, 8, 0]) {
        const scratch = new ArrayBuffer(bytesPerAgent * m.agents);
        const lent = buildNetwork(m, pop, { scratch });
        expect(lent.start.buffer).not.toBe(scratch);
        expect(lent.adj.buffer).not.toBe(scratch);
        expect(Array.from(lent.start), `${bytesPerAgent} bytes per agent`).toEqual(Array.from(usual.start));
        expect(Array.from(lent.adj), `${bytesPerAgent} bytes per agent`).toEqual(Array.from(usual.adj));
        // the build did use it
        if (bytesPerAgent > 0 && m.agents > 100) expect(new Int32Array(scratch).some((x) => x !== 0)).toBe(true);
      }
    });

    it(`gives the same network whatever the size of the sort's blocks: ${name}`, () => {
      const m = compileModel(scenarioFromYaml(yaml));
      const pop = buildPopulation(m);
      const usual = buildNetwork(m, pop);
      // blocks of 2, 16 and 2^20 agents: thousands of blocks, hundreds, one
      for (const shift of [1, 4, 20]) {
        const other = buildNetwork(m, pop, { blockShift: shift });
        expect(Array.from(other.start)).toEqual(Array.from(usual.start));
        expect(Array.from(other.adj)).toEqual(Array.from(usual.adj));
      }
      // the option reaches the sort: a block size the sort cannot use is refused
      expect(() => buildNetwork(m, pop, { blockShift: 31 })).toThrow(/blockShift/);
    });
  }

  it("sorts in at most 2^10 blocks of at least 2^14 agents", () => {
    for (const N of [2, 50, 2 ** 14, 2 ** 14 + 1, 16_901, 2 ** 24, 2 ** 24 + 1, 3e7, 1e8, 1.4e9, 2 ** 31 - 1]) {
      const shift = blockShift(N);
      expect(shift, `N = ${N}`).toBeGreaterThanOrEqual(14);
      expect(Math.ceil(N / 2 ** shift), `N = ${N}`).toBeLessThanOrEqual(1024);
      // no larger than needed: half the block would need more than 2^10 blocks, or go below 2^14
      if (shift > 14) expect(Math.ceil(N / 2 ** (shift - 1)), `N = ${N}`).toBeGreaterThan(1024);
    }
  });
});
