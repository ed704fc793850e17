import type { Summary } from "../engine/metrics.js";

// The headline metrics of a run by group, as an HTML table (report and lab).

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

const pct = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(Math.abs(x) < 0.001 && x !== 0 ? 3 : 2)} %`);
export const int = (x: number) => Math.round(x).toLocaleString("en");

export function summaryTableHtml(s: Summary): string {
  const groups = Object.keys(s.groups);
  const cols = [...groups, ...(groups.length > 1 ? ["all"] : [])];
  const m = (g: string) => (g === "all" ? s.total : s.groups[g]);
  const row = (label: string, f: (g: string) => string) => `<tr><td>${escapeHtml(label)}</td>${cols.map((g) => `<td>${f(g)}</td>`).join("")}</tr>`;
  return `<table><tr><th></th>${cols.map((g) => `<th>${escapeHtml(g)}</th>`).join("")}</tr>
${row("people", (g) => int(m(g).agents))}
${row("listed on the last day", (g) => pct(m(g).listedShare))}
${row("wrongful share of the listed", (g) => pct(m(g).wrongfulShareOfListed))}
${row("false-positive rate", (g) => pct(m(g).fpr))}
${row("precision", (g) => pct(m(g).precision))}
${row("recall", (g) => pct(m(g).recall))}
${row("ever listed", (g) => pct(m(g).everListedShare))}
${row("sanction-days per person", (g) => (m(g).agents > 0 ? (m(g).sanctionDays / m(g).agents).toFixed(2) : "–"))}
${row("of which spillover", (g) => pct(m(g).sanctionDays > 0 ? m(g).spilloverSanctionDays / m(g).sanctionDays : null))}
${row("denied attempts", (g) => int(m(g).deniedAttempts))}
</table>`;
}

/** Under a per-region table: what its differences mean. */
export const REGIONS_NOTE =
  "Every region runs the same scenario on its own population, with no contacts across regions: differences between regions are sampling noise, larger in smaller regions, not differences between places.";

/** The per-region table of a run made of regions (none otherwise). */
export function regionsTableHtml(s: Summary): string {
  if (!s.regions?.length) return "";
  const rows = s.regions.map(
    (r) =>
      `<tr><td>${escapeHtml(r.name)}</td><td>${int(r.agents)}</td><td>${pct(r.listedShare)}</td><td>${pct(r.wrongfulShareOfListed)}</td><td>${pct(r.fpr)}</td><td>${r.sanctionDaysPerPerson.toFixed(2)}</td></tr>`,
  );
  return `<h2 id="regions">Regions</h2>
<table><tr><th>region</th><th>agents</th><th>listed</th><th>wrongful share</th><th>FPR</th><th>sanction-days per person</th></tr>
${rows.join("\n")}
</table>
<p class="note">${escapeHtml(REGIONS_NOTE)}</p>`;
}
