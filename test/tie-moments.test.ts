import { describe, expect, it } from "vitest";
import { compileModel } from "../src/engine/model.js";
import { buildNetwork } from "../src/engine/network.js";
import { buildPopulation } from "../src/engine/population.js";
import { tieMoments } from "../src/engine/simulate.js";
import { scenarioFromYaml } from "./helpers.js";

// tieMoments counts each remaining tie once, from its lower end, in batches
// (see its comment). Checked against the plainest loop, bit for bit: the sums
// must be added in the same order.

function plainMoments(start: Int32Array, adj: Int32Array, scores: Float32Array): number[] {
  const out = [0, 0, 0, 0, 0, 0];
  for (let i = 0; i + 1 < start.length; i++)
    for (let e = start[i]; e < start[i + 1]; e++) {
      const j = adj[e];
      if (j <= i) continue;
      out[0] += scores[i];
      out[1] += scores[j];
      out[2] += scores[i] * scores[i];
      out[3] += scores[j] * scores[j];
      out[4] += scores[i] * scores[j];
      out[5]++;
    }
  return out;
}

describe("tieMoments", () => {
  // batches of 8 ties: some rows are longer, and grow the buffers
  for (const [name, agents, degree, batch] of [
    ["many batches of short rows", 20_000, 10, undefined],
    ["rows longer than a batch", 20_000, 10, 8],
    ["degree 1000", 3000, 1000, undefined],
  ] as const) {
    it(`equals one plain loop over the ties, bit for bit, with cut ties: ${name}`, () => {
      const m = compileModel(
        scenarioFromYaml(`population: { agents: ${agents}, network: { degree: ${degree}, rewire: 0.2 } }
behaviours: { v: { kind: violation, base: 0.01 } }`),
      );
      const net = buildNetwork(m, buildPopulation(m));
      // cut about a tenth of the ties, on both ends, as the engine does
      let x = 12345;
      const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
      for (let i = 0; i < agents; i++)
        for (let e = net.start[i]; e < net.start[i + 1]; e++) {
          const j = net.adj[e];
          if (j <= i || next() >= 0.1) continue;
          net.adj[e] = ~j;
          for (let r = net.start[j]; r < net.start[j + 1]; r++) if (net.adj[r] === i) net.adj[r] = ~i;
        }
      const scores = new Float32Array(agents);
      for (let i = 0; i < agents; i++) scores[i] = 300 + 700 * next();
      const out = new Float64Array(6);
      tieMoments(net, scores, out, batch);
      const expected = plainMoments(net.start, net.adj, scores);
      expect(out[5]).toBeGreaterThan(0);
      expect(Array.from(out)).toEqual(expected);
      if (batch) expect(Math.max(...Array.from({ length: agents }, (_, i) => net.start[i + 1] - net.start[i]))).toBeGreaterThan(batch);
    });
  }
});
