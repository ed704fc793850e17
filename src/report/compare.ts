import * as Plot from "@observablehq/plot";
import type { Summary } from "../engine/metrics.js";
import type { DailyPoint } from "./charts.js";
import { CSS, escapeHtml, figureHtml, svgDocument } from "./html.js";

// Side-by-side comparison of two or more policies: a table of headline metrics
// with their 95 % intervals across replicates and each policy's difference from
// the first (paired by replicate seed when both have the same replicates), and
// charts with the series overlaid.

export interface Arm {
  label: string;
  summaries: Summary[]; // one per replicate
  dailies: DailyPoint[][]; // one per replicate
}

export interface MetricDef {
  name: string;
  format: "share" | "number";
  of: (s: Summary) => number | null;
}

const lawfulChilling = (s: Summary) => {
  const v = Object.values(s.chilling).filter((x): x is number => x !== null);
  return v.length ? Math.max(...v) : null;
};

export const COMPARE_METRICS: MetricDef[] = [
  { name: "listed (last day)", format: "share", of: (s) => s.total.listedShare },
  { name: "wrongful share of listed", format: "share", of: (s) => s.total.wrongfulShareOfListed },
  { name: "false-positive rate", format: "share", of: (s) => s.total.fpr },
  { name: "precision", format: "share", of: (s) => s.total.precision },
  { name: "recall", format: "share", of: (s) => s.total.recall },
  { name: "ever listed", format: "share", of: (s) => s.total.everListedShare },
  { name: "sanction-days per person", format: "number", of: (s) => s.total.sanctionDays / s.agents },
  { name: "wrongful sanction-days per person", format: "number", of: (s) => s.total.wrongfulSanctionDays / s.agents },
  { name: "spillover sanction-days per person", format: "number", of: (s) => s.total.spilloverSanctionDays / s.agents },
  { name: "largest FPR ratio between groups", format: "number", of: (s) => maxRatio(s) },
  { name: "largest chilling of lawful behaviour", format: "share", of: lawfulChilling },
  { name: "appeals waiting at the end", format: "number", of: (s) => s.appeals.queueAtEnd },
  { name: "score Gini", format: "number", of: (s) => s.scoreGini },
];

function maxRatio(s: Summary): number | null {
  const v = Object.values(s.ratios)
    .map((r) => r.fpr)
    .filter((x): x is number => x !== null);
  return v.length > 1 ? Math.max(...v) : null;
}

// two-sided 95 % quantiles of Student's t, by degrees of freedom
const T95 = [
  Number.NaN,
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
];
export const t95 = (df: number) => (df < 1 ? Number.NaN : df < T95.length ? T95[df] : df < 30 ? 2.05 : df < 60 ? 2.01 : 1.96);

export interface Estimate {
  mean: number | null;
  half: number | null; // half-width of the 95 % interval; null with one replicate
  n: number;
}

export function estimate(xs: (number | null)[]): Estimate {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return { mean: null, half: null, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  if (v.length < 2) return { mean, half: null, n: v.length };
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  return { mean, half: (t95(v.length - 1) * sd) / Math.sqrt(v.length), n: v.length };
}

/** Difference arm − first: paired by replicate when both have the same number, else Welch. */
export function difference(first: (number | null)[], other: (number | null)[]): Estimate {
  if (first.length === other.length && first.length > 1) {
    return estimate(other.map((x, k) => (x === null || first[k] === null ? null : x - (first[k] as number))));
  }
  const a = estimate(first);
  const b = estimate(other);
  if (a.mean === null || b.mean === null) return { mean: null, half: null, n: 0 };
  const half = a.half !== null && b.half !== null ? Math.sqrt(a.half ** 2 + b.half ** 2) : null;
  return { mean: b.mean - a.mean, half, n: Math.min(a.n, b.n) };
}

export interface CompareRow {
  metric: string;
  format: "share" | "number";
  arms: Estimate[];
  differences: Estimate[]; // for arms 1.., against arm 0
}

export function compareRows(arms: Arm[]): CompareRow[] {
  return COMPARE_METRICS.map((m) => {
    const values = arms.map((a) => a.summaries.map(m.of));
    return {
      metric: m.name,
      format: m.format,
      arms: values.map(estimate),
      differences: values.slice(1).map((v) => difference(values[0], v)),
    };
  });
}

export function formatEstimate(e: Estimate, format: "share" | "number", signed = false): string {
  if (e.mean === null) return "–";
  const sign = signed && e.mean > 0 ? "+" : "";
  if (format === "share") {
    // a difference of shares is in percentage points
    const unit = signed ? " pp" : " %";
    const main = `${sign}${(e.mean * 100).toFixed(2)}${unit}`;
    return e.half === null ? main : `${main} ± ${(e.half * 100).toFixed(2)} pp`;
  }
  const size = Math.abs(e.mean);
  const digits = size >= 100 || e.mean === 0 ? 0 : size >= 1 ? 2 : 3;
  const fixed = (x: number) => {
    const t = x.toFixed(digits);
    return /^-0(\.0+)?$/.test(t) ? t.slice(1) : t;
  };
  const main = `${e.mean > 0 ? sign : ""}${fixed(e.mean)}`;
  return e.half === null ? main : `${main} ± ${fixed(e.half)}`;
}

/** Plain-text table for the terminal. */
export function compareTable(arms: Arm[], rows: CompareRow[]): string[][] {
  const header = ["", ...arms.map((a) => a.label), ...arms.slice(1).map((a) => `${a.label} − ${arms[0].label}`)];
  return [
    header,
    ...rows.map((r) => [r.metric, ...r.arms.map((e) => formatEstimate(e, r.format)), ...r.differences.map((d) => formatEstimate(d, r.format, true))]),
  ];
}

function meanSeries(arm: Arm): { day: number; listed: number; wrongful: number }[] {
  const byDay = new Map<number, { day: number; listed: number; wrongful: number; agents: number }>();
  for (const daily of arm.dailies) {
    for (const d of daily) {
      const x = byDay.get(d.day) ?? { day: d.day, listed: 0, wrongful: 0, agents: 0 };
      x.listed += d.listed;
      x.wrongful += d.listed_wrongfully;
      x.agents += d.agents;
      byDay.set(d.day, x);
    }
  }
  return [...byDay.values()].sort((a, b) => a.day - b.day).map((x) => ({ day: x.day, listed: x.listed / x.agents, wrongful: x.wrongful / x.agents }));
}

export function compareHtml(arms: Arm[], rows: CompareRow[]): string {
  const document = svgDocument();
  const series = arms.flatMap((a) =>
    meanSeries(a).flatMap((p) => [
      { arm: a.label, day: p.day, what: "listed", value: p.listed },
      { arm: a.label, day: p.day, what: "listed wrongfully", value: p.wrongful },
    ]),
  );
  const style = { fontSize: "12px", fontFamily: "DejaVu Sans, system-ui, sans-serif", background: "white", color: "#222" };
  const palette = ["#4c78a8", "#e45756", "#54a24b", "#f58518", "#b279a2", "#72b7b2"];
  const legendMarks = arms.flatMap((a, i) => [
    Plot.dot([0], { frameAnchor: "top-left", dx: 6 + i * 200, dy: -18, fill: palette[i % palette.length], r: 5 }),
    Plot.text([a.label], { frameAnchor: "top-left", dx: 16 + i * 200, dy: -18, text: (d) => d, textAnchor: "start", fontSize: 11 }),
  ]);
  const svg = (node: Element) => node.outerHTML.replace("<svg", node.outerHTML.includes("xmlns=") ? "<svg" : '<svg xmlns="http://www.w3.org/2000/svg"');
  const listed = Plot.plot({
    document,
    width: 680,
    height: 300,
    style,
    marginTop: 30,
    y: { label: "share of everyone", tickFormat: "%", grid: true },
    x: { label: "day" },
    fy: { label: null },
    color: { domain: arms.map((a) => a.label), range: palette },
    marks: [Plot.lineY(series, { x: "day", y: "value", stroke: "arm", fy: "what", strokeWidth: 2 }), ...legendMarks],
  });
  const bars = rows
    .filter((r) => r.metric.includes("per person"))
    .flatMap((r) => arms.map((a, i) => ({ metric: r.metric, arm: a.label, value: r.arms[i].mean ?? 0, half: r.arms[i].half ?? 0 })));
  const sanction = Plot.plot({
    document,
    width: 680,
    height: 260,
    style,
    marginLeft: 220,
    marginTop: 30,
    x: { label: "days per person (mean over replicates, with 95 % interval)", grid: true },
    y: { label: null },
    fy: { label: null },
    color: { domain: arms.map((a) => a.label), range: palette },
    marks: [
      Plot.barX(bars, { x: "value", y: "arm", fy: "metric", fill: "arm" }),
      Plot.ruleY(bars, { x1: (d) => d.value - d.half, x2: (d) => d.value + d.half, y: "arm", fy: "metric", stroke: "#222" }),
      ...legendMarks,
    ],
  });
  const table = `<table><tr>${compareTable(arms, rows)[0]
    .map((h) => `<th>${escapeHtml(h)}</th>`)
    .join("")}</tr>${compareTable(arms, rows)
    .slice(1)
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`)
    .join("")}</table>`;
  const reps = arms.map((a) => `${escapeHtml(a.label)}: ${a.summaries.length} replicate${a.summaries.length > 1 ? "s" : ""}`).join("; ");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>credsim comparison</title><style>${CSS}</style></head><body>
<h1>Comparison: ${arms.map((a) => escapeHtml(a.label)).join(" · ")}</h1>
<p class="meta">${reps}. Values are means across replicates with 95 % intervals (Student's t); differences are paired by replicate seed when both sides have the same replicates.</p>
<p class="note">Every person here is synthetic. A difference whose interval contains 0 is within sampling noise at this number of replicates.</p>
${table}
${figureHtml({ id: "listed-overlaid", title: "Listed over time", caption: "The share of everyone listed (top) and listed wrongfully (bottom), averaged over replicates, one line per policy.", svg: svg(listed) })}
${figureHtml({ id: "sanction-days-compared", title: "Sanction-days per person", caption: arms.some((a) => a.summaries.length > 1) ? "Days under sanction per person for each policy, with the 95 % interval across replicates where there are several." : "Days under sanction per person for each policy (one replicate each, so no interval).", svg: svg(sanction) })}
</body></html>
`;
}
