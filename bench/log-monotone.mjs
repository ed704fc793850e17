// node bench/log-monotone.mjs — checks, over all 2^32 inputs the candidate clock
// can draw, that Math.log((x + 1) / 2^32) never decreases as x grows: what makes
// the gap tables of src/engine/gap-table.ts give exactly the logarithm's gaps
// (decision 13 in docs/performance.md). About 100 s on one core.
let previous = Number.NEGATIVE_INFINITY;
let decreases = 0;
const started = performance.now();
for (let x = 0; x < 4294967296; x++) {
  const v = Math.log((x + 1) / 4294967296);
  if (v < previous) {
    decreases++;
    if (decreases <= 10) process.stdout.write(`decrease at x = ${x}: ${previous} then ${v}\n`);
  }
  previous = v;
}
process.stdout.write(
  `Math.log((x + 1) / 2^32) over every 32-bit x: ${decreases} decreases (Node ${process.version}, ${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
);
process.exit(decreases === 0 ? 0 : 1);
