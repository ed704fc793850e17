// The baseline the issue measures against: a day-by-day vectorised implementation
// that visits every agent every day (typed arrays, one uniform per behaviour and
// false-record channel per agent-day), as one would write it in NumPy. Only what
// the reference scenario uses: detection, false records, scoring, listing.
import { streamKey1, streamKey2, uniform } from "../dist/engine/rng.js";

export function runDailyBaseline(m) {
  const N = m.agents;
  const score = new Float64Array(N).fill(m.s0);
  const until = new Int32Array(N).fill(-1);
  const cls = new Uint8Array(N);
  let start = 0;
  m.groupShare.forEach((share, g) => {
    const n = g === m.G - 1 ? N - start : Math.round(share * N);
    cls.fill(g * m.S, start, start + n);
    start += n;
  });
  const k1 = streamKey1(m.seed, 0, 9);
  const k2 = streamKey2(k1, m.seed);
  let n = 0;
  let listed = 0;
  for (let t = 0; t < m.days; t++) {
    listed = 0;
    for (let i = 0; i < N; i++) {
      const c = cls[i];
      let points = 0;
      let direct = 0;
      for (let ch = 0; ch < m.M; ch++) {
        if (uniform(k1, k2, n++) < m.chanP[c * m.L2 * m.M + ch]) {
          const b = m.chanBehaviour[ch];
          if (m.chanType[ch] === 1 || uniform(k1, k2, n++) < m.detect[b * m.L2]) {
            points += m.points[b];
            if (m.direct[b] > direct) direct = m.direct[b];
          }
        }
      }
      let s = m.s0 + (1 - m.rho) * (score[i] + points - m.s0);
      s = s < m.sMin ? m.sMin : s > m.sMax ? m.sMax : s;
      score[i] = s;
      if (!(until[i] > t)) {
        let u = s < m.enterBelow ? t + m.listDays : -1;
        if (direct > 0) u = Math.max(u, t + direct);
        until[i] = u;
      } else if (direct > 0) until[i] = Math.max(until[i], t + direct);
      if (until[i] > t) listed++;
    }
  }
  return listed;
}
