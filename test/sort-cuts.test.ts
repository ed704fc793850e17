import { describe, expect, it } from "vitest";
import { Calendar } from "../src/engine/calendar.js";
import { CutSorter } from "../src/engine/sort-cuts.js";

// a small deterministic generator, so that a failure repeats
function generator(seed: number): (limit: number) => number {
  let x = seed >>> 0;
  return (limit) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return Math.floor(((Math.imul(x ^ (x >>> 15), 2246822519) >>> 0) / 2 ** 32) * limit);
  };
}

/** Rows of (agent, edge, listing start) with many repeated edges and repeated (edge, start) pairs. */
function rows(n: number, edgeLimit: number, dayLimit: number, seed: number): Int32Array {
  const next = generator(seed);
  const out = new Int32Array(3 * n);
  for (let r = 0; r < n; r++) {
    // every third row reuses an earlier row's edge, with another start or the same one
    const e = r > 0 && r % 3 === 0 ? out[3 * next(r) + 1] : next(edgeLimit);
    out.set([next(1000), e, next(dayLimit)], 3 * r);
  }
  return out;
}

/** The order the engine used before: a comparison sort by edge, then listing start. */
function expected(due: Int32Array, n: number): number[][] {
  const order = Array.from({ length: n }, (_, r) => r).sort((a, b) => due[3 * a + 1] - due[3 * b + 1] || due[3 * a + 2] - due[3 * b + 2]);
  return order.map((r) => [due[3 * r + 1], due[3 * r + 2]]);
}

describe("CutSorter", () => {
  it("orders rows by edge, then listing start, as a comparison sort does, for limits of one, two and three passes", () => {
    const sorter = new CutSorter();
    let seed = 1;
    for (const edgeLimit of [2, 2048, 2049, 2 ** 22 + 1, 10 ** 9])
      for (const dayLimit of [1, 365, 2049, 5000])
        for (const n of [0, 1, 2, 100, 5000]) {
          const due = rows(n, edgeLimit, dayLimit, seed++);
          const order = sorter.sort(due, n, edgeLimit, dayLimit);
          const got = Array.from(order.subarray(0, n), (r) => [due[3 * r + 1], due[3 * r + 2]]);
          expect(got, `n ${n}, edges < ${edgeLimit}, days < ${dayLimit}`).toEqual(expected(due, n));
          // a permutation: every row once
          expect(new Set(order.subarray(0, n)).size).toBe(n);
        }
  });

  it("sorts day after day with one sorter, its buffers growing and swapping", () => {
    const sorter = new CutSorter();
    for (const [day, n] of [300, 5000, 3, 20_000, 700].entries()) {
      const due = rows(n, 10 ** 8, day + 1, 100 + day);
      const order = sorter.sort(due, n, 10 ** 8, day + 1);
      expect(Array.from(order.subarray(0, n), (r) => [due[3 * r + 1], due[3 * r + 2]])).toEqual(expected(due, n));
    }
  });
});

describe("Calendar.drainRows", () => {
  it("copies a day's rows in push order across chunks, grows the buffer, and frees the day", () => {
    const calendar = new Calendar(10, 3, 16);
    for (let k = 0; k < 700; k++) calendar.push3(4, k, 10 * k, k % 7);
    calendar.push3(5, 1, 2, 3);
    const out = { buf: new Int32Array(6) };
    expect(calendar.drainRows(4, out)).toBe(700);
    for (let k = 0; k < 700; k++) expect(Array.from(out.buf.subarray(3 * k, 3 * k + 3))).toEqual([k, 10 * k, k % 7]);
    expect(calendar.drainRows(4, out)).toBe(0);
    // the freed chunks serve the next day's pushes; day 5's row is intact
    for (let k = 0; k < 300; k++) calendar.push3(6, k, k, k);
    expect(calendar.drainRows(5, out)).toBe(1);
    expect(Array.from(out.buf.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(calendar.drainRows(6, out)).toBe(300);
    expect(out.buf[3 * 299]).toBe(299);
  });
});
