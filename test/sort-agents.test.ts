import { describe, expect, it } from "vitest";
import { AgentSorter } from "../src/engine/sort-agents.js";

// a small deterministic generator, so that a failure repeats
function values(n: number, limit: number, seed: number): Int32Array {
  const out = new Int32Array(n);
  let x = seed >>> 0;
  for (let k = 0; k < n; k++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const y = (Math.imul(x ^ (x >>> 15), 2246822519) >>> 0) ^ k;
    out[k] = Math.floor(((y >>> 0) / 2 ** 32) * limit);
  }
  return out;
}

describe("AgentSorter", () => {
  it("sorts like a comparison sort, for every size and id range, with repeats", () => {
    const sorter = new AgentSorter();
    // limits that need one, two and three passes of 11 bits, and their edges
    const limits = [2, 2047, 2048, 2049, 1_000_000, 2 ** 22, 2 ** 22 + 1, 100_000_000, 2 ** 31 - 1];
    const sizes = [0, 1, 2, 255, 256, 257, 5000, 40_000];
    let seed = 1;
    for (const limit of limits)
      for (const n of sizes) {
        const input = values(n, limit, seed++);
        // a buffer longer than n, as the engine's day buffer is
        const out = { buf: new Int32Array(n + 7).fill(-5) };
        out.buf.set(input);
        sorter.sort(out, n, limit);
        const expected = input.slice().sort();
        expect(Array.from(out.buf.subarray(0, n)), `n ${n}, limit ${limit}`).toEqual(Array.from(expected));
      }
  });

  it("sorts day after day with one sorter and one buffer, as the engine does (the buffers are swapped after an odd number of passes)", () => {
    // limits of one pass (≤ 2048), two and three passes: after an odd number the
    // sorted values end in the sorter's spare buffer, which becomes out.buf, and
    // the old out.buf must become the spare
    for (const limit of [2000, 1_000_000, 100_000_000]) {
      const sorter = new AgentSorter();
      const out = { buf: new Int32Array(6000) };
      for (let day = 0; day < 6; day++) {
        const n = 300 + 1000 * day;
        const input = values(n, limit, 100 + day);
        out.buf.set(input);
        sorter.sort(out, n, limit);
        const expected = input.slice().sort();
        expect(Array.from(out.buf.subarray(0, n)), `limit ${limit}, day ${day}`).toEqual(Array.from(expected));
      }
    }
  });

  it("keeps every value when the ids repeat a lot", () => {
    const sorter = new AgentSorter();
    const input = values(10_000, 3, 9);
    const out = { buf: input.slice() };
    sorter.sort(out, input.length, 3);
    for (let v = 0; v < 3; v++) expect(out.buf.filter((x) => x === v).length).toBe(input.filter((x) => x === v).length);
  });
});
