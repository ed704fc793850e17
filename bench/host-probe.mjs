// node bench/host-probe.mjs — how busy the host is: a fixed single-thread loop of
// logarithms and square roots, in milliseconds. About 1,250 ms on this 2-vCPU
// machine when the host is quiet; more when other tenants share its cores.
// Quoted next to benchmark figures in docs/performance.md.
const a = new Float64Array(4096);
let seed = 1;
for (let i = 0; i < a.length; i++) {
  seed = (seed * 16807) % 2147483647;
  a[i] = seed / 2147483647;
}
const started = performance.now();
let s = 0;
for (let r = 0; r < 60000; r++) for (let i = 0; i < 4096; i += 4) s += Math.log(a[i]) + Math.log(a[i + 1]) * a[i + 2] + Math.sqrt(a[i + 3]);
process.stdout.write(`host probe: ${(performance.now() - started).toFixed(0)} ms${s > 0 ? "" : " "}\n`);
