import { describe, expect, it } from "vitest";
import { geometricGap, streamKey1, streamKey2, uniform } from "../src/engine/rng.js";
import { normalQuantile } from "./helpers.js";

// The counter-based streams: uniform, independent across counters and across
// agents, and geometric gaps with the right mean. Chi-square statistics are
// compared with the upper 0.1 % quantile (Wilson–Hilferty approximation).

function chiSquareUpper(df: number, alpha: number): number {
  const z = normalQuantile(1 - alpha);
  return df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
}

describe("random streams", () => {
  it("draws are uniform (64 bins)", () => {
    const bins = new Float64Array(64);
    const n = 400_000;
    for (let agent = 0; agent < 4000; agent++) {
      const k1 = streamKey1(7, agent, 0);
      const k2 = streamKey2(k1, 7);
      for (let c = 0; c < 100; c++) bins[Math.floor(uniform(k1, k2, c) * 64)]++;
    }
    const e = n / 64;
    const chi = bins.reduce((a, o) => a + (o - e) ** 2 / e, 0);
    expect(chi).toBeLessThan(chiSquareUpper(63, 0.001));
  });

  it("successive draws of one stream are independent (16×16 pairs)", () => {
    const bins = new Float64Array(256);
    let n = 0;
    for (let agent = 0; agent < 2000; agent++) {
      const k1 = streamKey1(3, agent, 0);
      const k2 = streamKey2(k1, 3);
      for (let c = 0; c < 200; c += 2) {
        bins[Math.floor(uniform(k1, k2, c) * 16) * 16 + Math.floor(uniform(k1, k2, c + 1) * 16)]++;
        n++;
      }
    }
    const e = n / 256;
    const chi = bins.reduce((a, o) => a + (o - e) ** 2 / e, 0);
    expect(chi).toBeLessThan(chiSquareUpper(255, 0.001));
  });

  it("neighbouring agents' streams are independent (same counter, 16×16 pairs)", () => {
    const bins = new Float64Array(256);
    let n = 0;
    for (let agent = 0; agent < 100_000; agent += 2) {
      for (const c of [0, 1, 5]) {
        const a1 = streamKey1(11, agent, 0);
        const b1 = streamKey1(11, agent + 1, 0);
        const u = uniform(a1, streamKey2(a1, 11), c);
        const v = uniform(b1, streamKey2(b1, 11), c);
        bins[Math.floor(u * 16) * 16 + Math.floor(v * 16)]++;
        n++;
      }
    }
    const e = n / 256;
    const chi = bins.reduce((a, o) => a + (o - e) ** 2 / e, 0);
    expect(chi).toBeLessThan(chiSquareUpper(255, 0.001));
  });

  it("geometric gaps have mean (1 − p)/p", () => {
    const p = 0.01;
    const lq = Math.log1p(-p);
    let total = 0;
    const n = 200_000;
    const k1 = streamKey1(5, 42, 0);
    const k2 = streamKey2(k1, 5);
    for (let c = 0; c < n; c++) total += geometricGap(1 - uniform(k1, k2, c), lq);
    const mean = (1 - p) / p;
    const sd = Math.sqrt(1 - p) / p;
    expect(Math.abs(total / n - mean)).toBeLessThan(4.5 * (sd / Math.sqrt(n)));
  });
});
