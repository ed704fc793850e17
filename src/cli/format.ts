import type { Summary } from "../engine/metrics.js";

import { fmtInt, fmtShare, summaryNotes } from "../report/summary-notes.js";

export { fmtInt, fmtShare } from "../report/summary-notes.js";
/** "1 day", "365 days", "1,000 agents": a count with its noun in the right number. */
export const fmtCount = (n: number, noun: string, plural = `${noun}s`) => `${fmtInt(n)} ${n === 1 ? noun : plural}`;
export const fmtRatio = (x: number | null) => (x === null ? "–" : x.toFixed(2));
export const fmtBytes = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : `${(b / 2 ** 20).toFixed(0)} MiB`);

/** A plain text table: first column left-aligned, the others right-aligned (or all left). */
export function table(rows: string[][], allLeft = false): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 || allLeft ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function summaryTable(s: Summary): string {
  const groups = Object.keys(s.groups);
  const cols = [...groups, ...(groups.length > 1 ? ["all"] : [])];
  const metric = (name: string) =>
    (cols.map((g) => (g === "all" ? s.total : s.groups[g])) as (typeof s.total)[]).map((m) => (m as unknown as Record<string, number | null>)[name]);
  const rows: string[][] = [["", ...cols]];
  const add = (label: string, values: (number | null)[], f: (x: number | null) => string) => rows.push([label, ...values.map(f)]);
  add("agents", metric("agents"), (x) => fmtInt(x ?? 0));
  add("listed (last day)", metric("listedShare"), fmtShare);
  add("  wrongful share of listed", metric("wrongfulShareOfListed"), fmtShare);
  add("  precision", metric("precision"), fmtShare);
  add("  recall", metric("recall"), fmtShare);
  add("false-positive rate", metric("fpr"), fmtShare);
  add("shadow-listed (perfect info)", metric("shadowListedShare"), fmtShare);
  add("ever listed", metric("everListedShare"), fmtShare);
  add("sanction-days", metric("sanctionDays"), (x) => fmtInt(x ?? 0));
  add("  wrongful", metric("wrongfulSanctionDays"), (x) => fmtInt(x ?? 0));
  add("  spillover (household)", metric("spilloverSanctionDays"), (x) => fmtInt(x ?? 0));
  add("denied attempts", metric("deniedAttempts"), (x) => fmtInt(x ?? 0));
  add("records per person", metric("recordsPerPerson"), (x) => (x === null ? "–" : x.toFixed(2)));
  if (groups.length > 1) {
    rows.push([`listed-share ratio to ${groups[0]}`, ...cols.map((g) => (g === "all" ? "" : fmtRatio(s.ratios[g].listedShare)))]);
    rows.push([`FPR ratio to ${groups[0]}`, ...cols.map((g) => (g === "all" ? "" : fmtRatio(s.ratios[g].fpr)))]);
  }
  const lines = [table(rows)];
  lines.push("", ...summaryNotes(s));
  return lines.join("\n");
}

/** A one-line progress bar on stderr, redrawn in place. */
export function progressBar(label: string): { update: (done: number) => void; end: () => void } {
  const started = Date.now();
  let lastDraw = 0;
  const draw = (done: number) => {
    const width = 30;
    const filled = Math.round(done * width);
    const elapsed = (Date.now() - started) / 1000;
    const eta = done > 0.02 ? (elapsed / done) * (1 - done) : Number.NaN;
    process.stderr.write(
      `\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(done * 100).toFixed(0).padStart(3)} %  ${elapsed.toFixed(1)} s${Number.isFinite(eta) ? `, ~${eta.toFixed(0)} s left` : ""}   `,
    );
  };
  return {
    update: (done) => {
      const now = Date.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      draw(done);
    },
    end: () => process.stderr.write("\r\x1b[2K"),
  };
}
