// npm run bench:floor — the reference's random draws alone, without the model:
// per agent its two stream keys, per wake the draws the per-agent engine makes on
// average (2.9 uniforms, and one draw turned into the gap to the next wake by the
// gap table, as the engine does since decision 13; counted on the reference at
// 10^6) and one counter increment. Compared with
// the engine on the same population in the same process, it shows how much of
// the engine's time is left to any optimisation that keeps the random streams.
import { readFileSync } from "node:fs";
import { tableGap } from "../dist/engine/gap-table.js";
import { compileModel } from "../dist/engine/model.js";
import { draw32, Purpose, streamKey1, streamKey2, uniform } from "../dist/engine/rng.js";
import { simulate } from "../dist/engine/run.js";
import { parseScenario } from "../dist/scenario/load.js";
import { alternate } from "./alternate.mjs";

const { scenario } = parseScenario(readFileSync(new URL("../presets/reference.yaml", import.meta.url), "utf8"), "reference.yaml");
scenario.population.agents = 1e6;
const m = compileModel(scenario);
const { days, G, B } = m;
const occurrences = new Float64Array(days * G * B);

function drawsOnly() {
  let wakes = 0;
  for (let i = 0; i < m.agents; i++) {
    const k1 = streamKey1(m.seed, i, Purpose.agent);
    const k2 = streamKey2(k1, m.seed);
    const g = i % G;
    let n = 1;
    let t = tableGap(m.gaps, 0, draw32(k1, k2, 0));
    while (t < days) {
      const u = uniform(k1, k2, n++);
      occurrences[(t * G + g) * B + Math.floor(u * B)]++;
      // 1.9 more uniforms on average: one always, a second nine times in ten
      const v = uniform(k1, k2, n++);
      if (v < 0.9) uniform(k1, k2, n++);
      wakes++;
      t += 1 + tableGap(m.gaps, 0, draw32(k1, k2, n++));
    }
  }
  return wakes;
}

drawsOnly();
simulate(m, { range: [0, 10000] });
const { a: d, b: e, outA: wakes } = alternate(5, drawsOnly, () => simulate(m));
process.stdout.write(
  `reference 1M × 365, one thread: draws alone ${d.toFixed(2)} s (${((d / wakes) * 1e9).toFixed(0)} ns per wake, ${wakes} wakes), whole engine ${e.toFixed(2)} s — the draws are ${((100 * d) / e).toFixed(0)} % of the engine's time (medians of 5, alternating, one process)\n`,
);
