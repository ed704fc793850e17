// npm run bench:scaling — how cost grows: with agents (1e5 … 1e8, reference
// preset, per-agent engine, 2 threads; fused-city, calendar engine, 1 thread) and
// with events (reference at 1M agents with every rate × 0.1 … × 10). Writes the
// chart docs/performance-scaling.svg and a table between the SCALING markers of
// docs/performance.md; the measurements go to docs/performance-scaling.json.
// Options: --quick (fewer and smaller cases), --no-write, --chart (redraw only),
// --only TEXT (measure again only the series whose name contains TEXT, e.g.
// `--only fused-city` after a change to the calendar engine; the rest are kept).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

const quick = process.argv.includes("--quick");
const write = !process.argv.includes("--no-write");
const child = new URL("./child.mjs", import.meta.url).pathname;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function measure(series, preset, agents, threads, rates, reps) {
  const runs = [];
  for (let r = 0; r < reps; r++) {
    const out = execFileSync(process.execPath, ["--max-old-space-size=20000", child, preset, String(agents), String(threads), "auto", String(rates)], {
      encoding: "utf8",
    });
    runs.push(JSON.parse(out));
  }
  const seconds = median(runs.map((r) => r.seconds));
  const row = { series, preset, agents, threads, rates, reps, seconds, events: runs[0].events, rss: median(runs.map((r) => r.maxRssBytes)) };
  process.stderr.write(
    `${series}: ${agents.toExponential(0)} agents, rates ×${rates}: ${seconds.toFixed(2)} s (${reps} runs), ${(row.events / 1e6).toFixed(1)} M events, ${((seconds / agents) * 1e9).toFixed(0)} ns/agent, ${((seconds / row.events) * 1e9).toFixed(0)} ns/event\n`,
  );
  return row;
}

const agentSizes = quick ? [1e5, 1e6] : [1e5, 1e6, 1e7, 1e8];
const dataFile = new URL("../docs/performance-scaling.json", import.meta.url);
// --chart: redraw the chart and table from the last measurements, without measuring
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : null;
if (onlyAt > 0 && !only) {
  process.stderr.write("--only needs part of a series name, e.g. --only fused-city\n");
  process.exit(2);
}
const series = [
  [
    "reference, per-agent engine, 2 threads",
    () => agentSizes.map((n) => measure("reference, per-agent engine, 2 threads", "reference", n, 2, 1, n >= 1e8 ? 1 : n >= 1e7 ? 2 : 3)),
  ],
  [
    "fused-city, calendar engine, 1 thread",
    () =>
      (quick ? [1e4, 1e5] : [1e4, 1e5, 1e6, 1e7]).map((n) =>
        measure("fused-city, calendar engine, 1 thread", "fused-city", n, 1, 1, n >= 1e7 ? 1 : n >= 1e6 ? 2 : 3),
      ),
  ],
  [
    "reference 1M, rates scaled, 2 threads",
    () => [0.1, 0.3, 1, 3, 10].map((f) => measure("reference 1M, rates scaled, 2 threads", "reference", quick ? 1e5 : 1e6, 2, f, 3)),
  ],
];
if (only && !series.some(([name]) => name.includes(only))) {
  process.stderr.write(`--only ${only}: no series matches; the series are: ${series.map(([name]) => name).join("; ")}\n`);
  process.exit(2);
}
const previous = process.argv.includes("--chart") || only ? JSON.parse(readFileSync(dataFile, "utf8")) : [];
const rows = process.argv.includes("--chart")
  ? previous
  : series.flatMap(([name, run]) => (only && !name.includes(only) ? previous.filter((r) => r.series === name) : run()));
/** A dashed line of slope 1 on log-log axes through the largest point: what linear cost looks like. */
const linear = (points, x, y) => {
  const last = points.reduce((a, b) => (x(b) > x(a) ? b : a));
  return points.map((p) => ({ x: x(p), y: (y(last) * x(p)) / x(last) }));
};

const { document } = parseHTML("<!doctype html><html><body></body></html>");
const style = { fontSize: "12px", fontFamily: "DejaVu Sans, system-ui, sans-serif", background: "white", color: "#222" };
const svgOf = (n) => n.outerHTML.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"');
const byAgents = rows.filter((r) => !r.series.includes("rates scaled"));
const byEvents = rows.filter((r) => r.series.includes("rates scaled"));
const left = Plot.plot({
  document,
  style,
  width: 460,
  height: 300,
  marginLeft: 60,
  x: { type: "log", label: "agents", grid: true },
  y: { type: "log", label: "seconds (median)", grid: true, tickFormat: (d) => String(d) },
  color: { legend: false, domain: [...new Set(byAgents.map((r) => r.series))], range: ["#4c78a8", "#e45756"] },
  marks: [
    ...[...new Set(byAgents.map((r) => r.series))].map((series) =>
      Plot.line(
        linear(
          byAgents.filter((r) => r.series === series),
          (d) => d.agents,
          (d) => d.seconds,
        ),
        { x: "x", y: "y", stroke: "#999", strokeDasharray: "4,3" },
      ),
    ),
    Plot.line(byAgents, { x: "agents", y: "seconds", stroke: "series", marker: "circle" }),
    Plot.text(["dashed: cost proportional to agents"], { frameAnchor: "bottom-right", dx: -4, dy: -4, fill: "#666" }),
    Plot.text(
      [...new Set(byAgents.map((r) => r.series))].map((s) => byAgents.filter((r) => r.series === s).at(-1)),
      { x: "agents", y: "seconds", text: (d) => d.series.split(",")[0], dx: -6, dy: -10, textAnchor: "end", fill: "series" },
    ),
  ],
});
const right = Plot.plot({
  document,
  style,
  width: 460,
  height: 300,
  marginLeft: 60,
  x: { type: "log", label: "events handled (millions)", grid: true },
  y: { type: "log", label: "seconds (median)", grid: true, ticks: [0.5, 1, 2, 5, 10, 20], tickFormat: (d) => String(d) },
  marks: [
    Plot.line(
      linear(
        byEvents,
        (d) => d.events / 1e6,
        (d) => d.seconds,
      ),
      { x: "x", y: "y", stroke: "#999", strokeDasharray: "4,3" },
    ),
    Plot.text(["dashed: cost proportional to events"], { frameAnchor: "bottom-right", dx: -4, dy: -4, fill: "#666" }),
    Plot.line(byEvents, { x: (d) => d.events / 1e6, y: "seconds", stroke: "#54a24b", marker: "circle" }),
    Plot.text(byEvents, { x: (d) => d.events / 1e6, y: "seconds", text: (d) => `×${d.rates}`, dy: -10, fill: "#54a24b" }),
  ],
});
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="940" height="320" viewBox="0 0 940 320"><rect width="940" height="320" fill="white"/>
<g transform="translate(0,10)">${svgOf(left)}</g><g transform="translate(480,10)">${svgOf(right)}</g></svg>
`;
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
const table = [
  "| series | agents | rates | median s | runs | events | ns per agent | ns per event | peak RSS |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map(
    (r) =>
      `| ${r.series} | ${r.agents.toLocaleString("en")} | ×${r.rates} | ${fmt(r.seconds)} | ${r.reps} | ${(r.events / 1e6).toFixed(1)} M | ${((r.seconds / r.agents) * 1e9).toFixed(0)} | ${((r.seconds / r.events) * 1e9).toFixed(0)} | ${(r.rss / 2 ** 30).toFixed(2)} GiB |`,
  ),
];
const block = [
  "<!-- SCALING:START (written by `npm run bench:scaling`; do not edit by hand) -->",
  `Command: \`npm run bench:scaling${only ? ` -- --only ${only}\` (that series measured again; the others kept from the previous full run)` : "`"} · ${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpus()[0]?.model ?? "CPU"} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · Node ${process.version}`,
  "",
  "![Cost against agents (left) and against events (right), log-log](performance-scaling.svg)",
  "",
  ...table,
  "<!-- SCALING:END -->",
].join("\n");
process.stdout.write(`${block}\n`);
if (write && !quick) {
  if (!process.argv.includes("--chart")) writeFileSync(dataFile, `${JSON.stringify(rows, null, 1)}\n`);
  writeFileSync(new URL("../docs/performance-scaling.svg", import.meta.url), svg);
  const file = new URL("../docs/performance.md", import.meta.url);
  const doc = readFileSync(file, "utf8");
  writeFileSync(
    file,
    doc.includes("<!-- SCALING:START") ? doc.replace(/<!-- SCALING:START[\s\S]*?<!-- SCALING:END -->/, block) : `${doc.trimEnd()}\n\n## Scaling\n\n${block}\n`,
  );
  process.stderr.write("docs/performance.md and docs/performance-scaling.svg updated\n");
}
