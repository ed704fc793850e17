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

/**
 * Chilling of all lawful behaviour pooled: 1 − Σ occurrences / Σ expected over the
 * behaviours with an estimate. Pooled rather than the largest per behaviour, whose
 * maximum over noisy estimates would sit above 0 even with no chilling at all.
 */
export const lawfulChilling = (s: Summary): number | null => {
  let reduced = 0;
  let expected = 0;
  for (const [b, v] of Object.entries(s.chilling)) {
    if (v === null) continue;
    const e = s.expectedOccurrences?.[b] ?? 0;
    reduced += v * e;
    expected += e;
  }
  return expected > 0 ? reduced / expected : null;
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
  { name: "chilling of lawful behaviour (pooled)", format: "share", of: lawfulChilling },
  { name: "appeals waiting at the end, per 1,000 people", format: "number", of: (s) => (s.appeals.queueAtEnd * 1000) / s.agents },
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

/**
 * A mean with its interval. With `of`, the number of replicates: a metric that is
 * undefined in some of them (a ratio to a rate of 0) says on how many it rests.
 */
export function formatEstimate(e: Estimate, format: "share" | "number", signed = false, of?: number): string {
  if (e.mean === null) return "–";
  const partial = of !== undefined && e.n < of ? ` (${e.n} of ${of})` : "";
  // no "-0.00": a mean that rounds to 0 is 0
  const fixed = (x: number, digits: number) => {
    const t = x.toFixed(digits);
    return /^-0(\.0+)?$/.test(t) ? t.slice(1) : t;
  };
  const sign = (text: string) => (signed && !text.startsWith("-") && Number(text) !== 0 ? `+${text}` : text);
  if (format === "share") {
    // a difference of shares is in percentage points
    const unit = signed ? " pp" : " %";
    const main = `${sign(fixed(e.mean * 100, 2))}${unit}`;
    return `${e.half === null ? main : `${main} ± ${fixed(e.half * 100, 2)} pp`}${partial}`;
  }
  const size = Math.abs(e.mean);
  const digits = size >= 100 || e.mean === 0 ? 0 : size >= 1 ? 2 : 3;
  const main = sign(fixed(e.mean, digits));
  return `${e.half === null ? main : `${main} ± ${fixed(e.half, digits)}`}${partial}`;
}

/** Plain-text table for the terminal. */
export function compareTable(arms: Arm[], rows: CompareRow[]): string[][] {
  const header = ["", ...arms.map((a) => a.label), ...arms.slice(1).map((a) => `${a.label} − ${arms[0].label}`)];
  return [
    header,
    ...rows.map((r) => [
      r.metric,
      ...r.arms.map((e, k) => formatEstimate(e, r.format, false, arms[k].summaries.length)),
      ...r.differences.map((d, k) => formatEstimate(d, r.format, true, Math.min(arms[0].summaries.length, arms[k + 1].summaries.length))),
    ]),
  ];
}

/** The notes under a comparison table: what ± means (when there are intervals) and what "(n of N)" means (when shown). */
export function compareNotes(table: string[][]): string[] {
  const cells = table.slice(1).flatMap((r) => r.slice(1));
  return [
    ...(cells.some((c) => c.includes("±")) ? ["± is the half-width of a 95 % interval across replicates (pp: percentage points)."] : []),
    ...(cells.some((c) => / \(\d+ of \d+\)$/.test(c))
      ? ["(n of N): the metric is defined in n of the N replicates only (a ratio to a rate of 0 is unbounded); the mean is over those n."]
      : []),
  ];
}
