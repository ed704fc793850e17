import { describe, expect, it } from "vitest";
import { gapTable, tableGap } from "../src/engine/gap-table.js";
import { geometricGap, mix32 } from "../src/engine/rng.js";

// The table must give exactly the gap the logarithm gives, for every draw: the
// engines' outputs for a seed depend on it. Checked where it can go wrong (each
// step of every rate's table, on both sides, and each bucket's edges) and at
// random draws, for rates from 0 to 1 and tables that end before or after the
// gaps that occur.
const TWO_POW_32 = 4294967296;
const exact = (x: number, log: number) => geometricGap((x + 1) / TWO_POW_32, log);

describe("candidate-clock gaps by table", () => {
  const rates = [0, 1e-9, 1e-5, 0.001, 0.0253, 0.3, 0.5, 0.999, 0.999999, 1];
  const logs = Float64Array.from(rates, (p) => Math.log1p(-p));

  for (const size of [0, 1, 7, 366, 1024]) {
    it(`equals the logarithm's gap at every step of a table of ${size}, at every bucket edge, and at random draws`, () => {
      const table = gapTable(logs, size);
      let checked = 0;
      let mismatches = 0;
      const check = (r: number, x: number) => {
        if (x < 0 || x >= TWO_POW_32) return;
        checked++;
        if (tableGap(table, r, x) !== exact(x, logs[r])) mismatches++;
      };
      for (let r = 0; r < logs.length; r++) {
        for (let k = 1; k <= size; k++) {
          const x = table.last[r * (size + 1) + k];
          for (const d of [-1, 0, 1]) check(r, x + d);
        }
        for (let b = 0; b <= 1024; b++) for (const d of [-1, 0]) check(r, b * 2 ** 22 + d);
        for (let n = 0; n < 20000; n++) check(r, mix32(n * 2654435761 + r));
      }
      expect(checked).toBeGreaterThan(rates.length * 20000);
      expect(mismatches).toBe(0);
    });
  }

  it("has a step for every gap the table covers, at the rate's quantiles", () => {
    // the largest x with gap ≥ k is about 2^32 (1 − p)^k − 1 (a draw's chance of
    // a gap ≥ k is (1 − p)^k); a table that is off by a step would be far from it
    const p = 0.0253;
    const table = gapTable(Float64Array.of(Math.log1p(-p)), 366);
    for (const k of [1, 10, 100, 365]) expect(table.last[k] / TWO_POW_32).toBeCloseTo((1 - p) ** k, 6);
  });
});
