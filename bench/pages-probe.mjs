// One process of decision 9 (bench/decisions.mjs no. 5): the calendar engine's
// access pattern over records that span gigabytes, timed alone: each day's woken
// agents visited in agent order in four phases, and ten records anywhere per
// woken agent (a listing's contacts). Prints seconds.
// Usage: node bench/pages-probe.mjs <agents>
const N = Number(process.argv[2] ?? 3e7);
const F = 16; // 64-byte records, as the calendar engine's
const days = 4;
let seed = 12345;
const rand = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) | 0;
  return (seed >>> 0) / 4294967296;
};
const woken = [];
for (let t = 0; t < days; t++) {
  const day = new Int32Array(Math.round(N * 0.03));
  for (let k = 0; k < day.length; k++) day[k] = Math.floor(rand() * N);
  woken.push(day.sort());
}
// filled, so that first-touch page faults are not timed
const records = new Int32Array(N * F).fill(1);
const t0 = performance.now();
let x = 0;
for (const day of woken) {
  for (let phase = 0; phase < 4; phase++)
    for (let k = 0; k < day.length; k++) {
      const at = day[k] * F;
      for (let f = 0; f < F; f++) x += records[at + f]++;
    }
  // and, as a listing does to its contacts, one field of ten agents anywhere
  for (let k = 0; k < day.length; k++) for (let c = 0; c < 10; c++) x += records[Math.floor(rand() * N) * F + 2]++;
}
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(JSON.stringify({ seconds, check: x }));
