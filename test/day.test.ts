import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crossing, decayTable, drift, NEVER, scoreDay } from "../src/engine/day.js";
import { compileModel } from "../src/engine/model.js";
import { scenarioFromYaml } from "./helpers.js";

// The closed forms the engines use between wakes, against plain day-by-day iteration.

function modelWith(rho: number, association: number, min: number, max: number, enterBelow: number) {
  return compileModel(
    scenarioFromYaml(`
days: 400
behaviours: { v: { kind: violation, base: 0.01 } }
scoring: { start: 1000, min: ${min}, max: ${max}, reversion: ${rho}, association: ${association} }
listing: { enterBelow: ${enterBelow} }
`),
  );
}

describe("score between records", () => {
  it("drift over k days equals k days of step 7 with no records", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.integer({ min: 0, max: 20 }),
        fc.double({ min: 0, max: 1100, noNaN: true }),
        fc.integer({ min: 0, max: 300 }),
        (rho, assoc, lc, s, k) => {
          const m = modelWith(rho, assoc, 0, 1100, 950);
          const decay = decayTable(m);
          let x = s;
          for (let d = 0; d < k; d++) x = scoreDay(m, x, 0, lc);
          expect(drift(m, decay, s, k, lc)).toBeCloseTo(x, 6);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("crossing finds the first day the no-record score falls below the threshold", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.integer({ min: 0, max: 10 }),
        fc.double({ min: 950, max: 1100, noNaN: true }),
        fc.integer({ min: 0, max: 100 }),
        (rho, assoc, lc, s, day) => {
          const m = modelWith(rho, assoc, 0, 1100, 950);
          const decay = decayTable(m);
          const x = crossing(m, decay, s, day, lc);
          // plain search
          let v = s;
          let first = NEVER;
          const path = new Map<number, number>();
          for (let d = day + 1; d < m.days; d++) {
            v = scoreDay(m, v, 0, lc);
            path.set(d, v);
            if (v < 950 && first === NEVER) first = d;
          }
          if (x !== first) {
            // only a floating-point tie at the threshold may differ
            const at = Math.min(x, first);
            expect(Math.abs((path.get(at) ?? 0) - 950), `crossing ${x}, plain ${first}`).toBeLessThan(1e-9);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
