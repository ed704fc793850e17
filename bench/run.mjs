// npm run bench — times the engines in fresh processes and records the medians in
// docs/performance.md (between the BENCH markers). Options: --quick (fewer
// repetitions), --no-write (print only).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

const quick = process.argv.includes("--quick");
const write = !process.argv.includes("--no-write");
const child = new URL("./child.mjs", import.meta.url).pathname;

function once(preset, agents, threads, engine) {
  const out = execFileSync(process.execPath, ["--max-old-space-size=8192", child, preset, String(agents), String(threads), engine], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A case's row from its runs: median wall time and peak memory per agent (RSS over a 1,000-agent run of the same case). */
function summarise(c, runs, base) {
  const { label, preset, agents, threads, engine } = c;
  const seconds = median(runs.map((r) => r.seconds));
  const rss = median(runs.map((r) => r.maxRssBytes));
  const row = {
    label,
    preset,
    agents,
    threads,
    engine,
    reps: runs.length,
    seconds,
    runs: runs.map((r) => r.seconds),
    agentDaysPerSecond: (agents * 365) / seconds,
    peakRssBytes: rss,
    bytesPerAgent: (rss - base.maxRssBytes) / (agents - 1000),
  };
  process.stderr.write(
    `${label}: median ${seconds.toFixed(2)} s over ${runs.length} (${row.runs.map((s) => s.toFixed(2)).join(", ")}), ${(row.agentDaysPerSecond / 1e6).toFixed(0)} M agent-days/s, ${row.bytesPerAgent.toFixed(1)} B/agent\n`,
  );
  return row;
}

/**
 * Runs the cases in turn, `reps` rounds, the order reversed every other round,
 * so that a noisy stretch of the machine hits them alike; the per-round ratios
 * of the first case's time to each other's are kept for speed-ups.
 */
function measureTogether(cases, reps) {
  const bases = cases.map((c) => once(c.preset, 1000, c.threads, c.engine));
  const runs = cases.map(() => []);
  for (let r = 0; r < reps; r++) {
    const order = cases.map((_, k) => k);
    if (r % 2) order.reverse();
    for (const k of order) runs[k].push(once(cases[k].preset, cases[k].agents, cases[k].threads, cases[k].engine));
  }
  const rows = cases.map((c, k) => summarise(c, runs[k], bases[k]));
  rows.forEach((row, k) => {
    row.pairRatios = runs[0].map((x, r) => x.seconds / runs[k][r].seconds);
  });
  return rows;
}

const measure = (label, preset, agents, threads, engine, reps) => measureTogether([{ label, preset, agents, threads, engine }], reps)[0];

const rows = [
  // one and two threads alternate, for the speed-up
  ...measureTogether(
    [
      { label: "reference 1M × 365, per-agent engine, 1 thread", preset: "reference", agents: 1e6, threads: 1, engine: "auto" },
      { label: "reference 1M × 365, per-agent engine, 2 threads", preset: "reference", agents: 1e6, threads: 2, engine: "auto" },
      {
        label: "reference 1M × 365, per-agent engine, 2 threads, worker started before the run (as `credsim run` does)",
        preset: "reference",
        agents: 1e6,
        threads: 2,
        engine: "auto-started",
      },
    ],
    quick ? 1 : 9,
  ),
  ...measureTogether(
    [
      { label: "reference 10M × 365, per-agent engine, 1 thread", preset: "reference", agents: 1e7, threads: 1, engine: "auto" },
      { label: "reference 10M × 365, per-agent engine, 2 threads", preset: "reference", agents: 1e7, threads: 2, engine: "auto" },
    ],
    quick ? 1 : 3,
  ),
  measure("reference 1M × 365, calendar engine (the general one)", "reference", 1e6, 1, "calendar", quick ? 1 : 3),
  measure("reference 1M × 365, day-by-day baseline (visits every agent daily)", "reference", 1e6, 1, "baseline", quick ? 1 : 3),
  measure("fused-city 100k × 365, calendar engine (network k=10, households, fear, appeals)", "fused-city", 1e5, 1, "auto", quick ? 1 : 3),
  measure("fused-city 1M × 365, calendar engine", "fused-city", 1e6, 1, "auto", quick ? 1 : 3),
];

const byLabel = (s) => rows.find((r) => r.label.startsWith(s));
const ref1 = byLabel("reference 1M × 365, per-agent engine, 1 thread");
const ref2 = byLabel("reference 1M × 365, per-agent engine, 2 threads");
const ref2started = byLabel("reference 1M × 365, per-agent engine, 2 threads, worker started");
const ref10m1 = byLabel("reference 10M × 365, per-agent engine, 1 thread");
const ref10m2 = byLabel("reference 10M × 365, per-agent engine, 2 threads");
const cal = byLabel("reference 1M × 365, calendar");
const base = byLabel("reference 1M × 365, day-by-day");
const fmt = (x, d = 2) => x.toFixed(d);
const table = [
  "| case | median wall time | runs | agent-days / s | peak RSS | bytes per agent |",
  "| --- | ---: | --- | ---: | ---: | ---: |",
  ...rows.map(
    (r) =>
      `| ${r.label} | ${fmt(r.seconds)} s | ${r.runs.map((s) => fmt(s)).join(", ")} | ${(r.agentDaysPerSecond / 1e6).toFixed(0)} M | ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB | ${fmt(r.bytesPerAgent, 1)} |`,
  ),
];
const ratios = [
  `- per-agent engine vs day-by-day baseline, same run: **${fmt(base.seconds / ref1.seconds, 1)}×** faster`,
  `- per-agent engine vs calendar engine on the reference: **${fmt(cal.seconds / ref1.seconds, 1)}×** faster`,
  `- two threads vs one (reference, 1M): **${fmt(median(ref2.pairRatios), 2)}×** (median of the ${ref2.reps} rounds' ratios; one and two threads alternate), ${fmt(ref1.seconds / ref2.seconds, 2)}× from the medians`,
  `- two threads vs one (reference, 1M), the worker started before the run: **${fmt(median(ref2started.pairRatios), 2)}×** (median of the ${ref2started.reps} rounds' ratios), ${fmt(ref1.seconds / ref2started.seconds, 2)}× from the medians`,
  `- two threads vs one (reference, 10M): **${fmt(median(ref10m2.pairRatios), 2)}×** (median of ${ref10m2.reps} rounds), ${fmt(ref10m1.seconds / ref10m2.seconds, 2)}× from the medians`,
];
const cpu = cpus()[0]?.model ?? "unknown CPU";
const block = [
  "<!-- BENCH:START (written by `npm run bench`; do not edit by hand) -->",
  `Command: \`npm run bench\` · ${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpu} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · Node ${process.version}`,
  "",
  ...table,
  "",
  ...ratios,
  "<!-- BENCH:END -->",
].join("\n");
process.stdout.write(`${block}\n`);
if (write && !quick) {
  const file = new URL("../docs/performance.md", import.meta.url);
  const doc = readFileSync(file, "utf8");
  const next = doc.replace(/<!-- BENCH:START[\s\S]*?<!-- BENCH:END -->/, block);
  writeFileSync(file, next);
  process.stderr.write("docs/performance.md updated\n");
}
