// Side-by-side timing for the benchmarks: run two cases in turn, `reps` times
// each, so that a noisy stretch of the machine hits both alike.

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Times a() and b() alternately; returns each one's median seconds and its last
 * result, plus whether every pair agreed by `same`. A case may instead be
 * { setup, run }: setup() is not timed, run(setup()) is.
 */
export function alternate(reps, a, b, same = () => true) {
  const timed = (f) => {
    const state = typeof f === "function" ? undefined : f.setup();
    const t0 = performance.now();
    const out = typeof f === "function" ? f() : f.run(state);
    return { seconds: (performance.now() - t0) / 1000, out };
  };
  const secondsA = [];
  const secondsB = [];
  let agree = true;
  let last = null;
  for (let r = 0; r < reps; r++) {
    const x = timed(a);
    const y = timed(b);
    secondsA.push(x.seconds);
    secondsB.push(y.seconds);
    agree &&= same(x.out, y.out);
    last = [x.out, y.out];
  }
  return { a: median(secondsA), b: median(secondsB), agree, outA: last[0], outB: last[1] };
}
