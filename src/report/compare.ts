import * as Plot from "@observablehq/plot";
import { type Arm, type CompareRow, compareNotes, compareTable } from "./compare-table.js";
import { CSS, escapeHtml, figureHtml, svgDocument } from "./html.js";

// The comparison report (HTML with charts); the table itself is compare-table.ts.

export * from "./compare-table.js";

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
  const cells = compareTable(arms, rows);
  const table = `<table><tr>${cells[0].map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>${cells
    .slice(1)
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`)
    .join("")}</table>${compareNotes(cells)
    .map((n) => `<p class="meta">${escapeHtml(n)}</p>`)
    .join("")}`;
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
