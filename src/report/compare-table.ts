import { fprSpread, type Summary } from "../engine/metrics.js";
import type { DailyPoint } from "./charts.js";

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
  { name: "FPR ratio, highest group to lowest", format: "number", of: fprSpread },
  { name: "largest chilling of lawful behaviour", format: "share", of: lawfulChilling },
  { name: "appeals waiting at the end", format: "number", of: (s) => s.appeals.queueAtEnd },
  { name: "score Gini", format: "number", of: (s) => s.scoreGini },
];

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
