import { appealQueue, type Chart, listedOverTime, type RunData, runCharts, tiesCut } from "../../src/report/charts.js";
import { type Arm, compareRows, compareTable } from "../../src/report/compare-table.js";
import { escapeHtml, summaryTableHtml } from "../../src/report/summary-table.js";
import type { RunData as LabData } from "../protocol.js";

// The charts of `credsim report`, drawn into the page, one column per policy.

export interface Column {
  label: string;
  data: LabData;
  /** Set while the run is in progress: what the partial data covers. */
  note?: string;
  timeSeriesOnly?: boolean;
}

function chartsOf(col: Column): Chart[] {
  const data: RunData = { ...col.data, title: col.label };
  return col.timeSeriesOnly ? [listedOverTime(data, document), appealQueue(data, document), tiesCut(data, document)] : runCharts(data, document);
}

export function renderCharts(into: HTMLElement, columns: Column[]): void {
  const charts = columns.map(chartsOf);
  const ids = charts[0].map((c) => c.id);
  const pair = columns.length > 1;
  // side by side, each chart keeps its own caption (captions quote the run's numbers)
  const figure = (c: Chart | undefined, col: Column) =>
    c
      ? `<figure class="chart" data-chart="${c.id}">${pair ? `<p class="col-label">${escapeHtml(col.label)}${col.note ? ` · ${escapeHtml(col.note)}` : ""}</p>` : ""}${c.svg}${pair ? `<figcaption class="caption">${escapeHtml(c.caption)}</figcaption>` : ""}</figure>`
      : `<figure class="chart pending"><p class="col-label">${escapeHtml(col.label)}: ${escapeHtml(col.note ?? "")}</p></figure>`;
  const row = (id: string) => {
    const first = charts[0].find((c) => c.id === id) as Chart;
    const figures = columns
      .map((col, k) =>
        figure(
          charts[k].find((c) => c.id === id),
          col,
        ),
      )
      .join("");
    return `<section class="chart-row" aria-label="${escapeHtml(first.title)}"><h3>${escapeHtml(first.title)}</h3>
<div class="${pair ? "pair" : "single"}">${figures}</div>${pair ? "" : `<p class="caption">${escapeHtml(first.caption)}</p>`}</section>`;
  };
  const scalesNote = pair ? `<p class="note">Each column's charts have their own scales: read the axes, or compare the numbers in the table above.</p>` : "";
  into.innerHTML = scalesNote + ids.map(row).join("");
}

export function renderMetrics(into: HTMLElement, columns: Column[]): void {
  if (columns.length === 1) {
    const col = columns[0];
    into.innerHTML = `${col.note ? `<p class="note">Partial: ${escapeHtml(col.note)}.</p>` : ""}${summaryTableHtml(col.data.summary)}`;
    return;
  }
  const arms: Arm[] = columns.map((c) => ({ label: c.label, summaries: [c.data.summary], dailies: [c.data.daily] }));
  const table = compareTable(arms, compareRows(arms));
  const notes = columns.filter((c) => c.note).map((c) => `${escapeHtml(c.label)}: ${escapeHtml(c.note as string)}`);
  into.innerHTML = `${notes.length ? `<p class="note">Partial — ${notes.join("; ")}.</p>` : ""}<table class="compare"><thead><tr>${table[0]
    .map((h) => `<th scope="col">${escapeHtml(h)}</th>`)
    .join("")}</tr></thead><tbody>${table
    .slice(1)
    .map((r) => `<tr>${r.map((c, k) => (k === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join("")}</tr>`)
    .join(
      "",
    )}</tbody></table><p class="note">One run each, same seed: differences are not averaged over replicates (use <code>credsim compare</code> with replicates for intervals).</p>`;
}
