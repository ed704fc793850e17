import { parseHTML } from "linkedom";
import { parse } from "yaml";
import { type Chart, type RunData, runCharts } from "./charts.js";
import { summaryNotes } from "./summary-notes.js";
import { escapeHtml, int, regionsTableHtml, summaryTableHtml } from "./summary-table.js";

// A run report: one self-contained HTML file (inline CSS and SVG, no scripts, no
// fonts, no images, no links to fetch), so it opens anywhere with no network.

export { escapeHtml, summaryTableHtml } from "./summary-table.js";

export const CSS = `
body { font-family: "DejaVu Sans", system-ui, sans-serif; color: #222; max-width: 760px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
.meta { color: #666; font-size: 0.9em; } figure { margin: 1.5em 0; } figcaption { font-size: 0.92em; color: #444; margin-top: 0.3em; }
table { border-collapse: collapse; font-size: 0.9em; margin: 1em 0; } td, th { border-bottom: 1px solid #eee; padding: 0.25em 0.6em; text-align: right; }
td:first-child, th:first-child { text-align: left; } ul { padding-left: 1.2em; } .note { font-size: 0.85em; color: #555; }
`;

/** A fresh linkedom document for Plot to draw into. */
export function svgDocument(): Document {
  return parseHTML("<!doctype html><html><body></body></html>").document as unknown as Document;
}

interface ScenarioText {
  description?: string;
  references?: { title: string; publisher?: string; year?: number; url?: string; note?: string }[];
  assumptions?: string[];
}

/** Where a run of regions took its region set from: title, description and sources. */
export function regionSourcesHtml(regionsYaml: string | undefined): string {
  if (!regionsYaml) return "";
  let spec: ScenarioText & { title?: string; name?: string } = {};
  try {
    spec = (parse(regionsYaml) ?? {}) as typeof spec;
  } catch {
    return "";
  }
  const refs = (spec.references ?? []).map((r) => `<li>${referenceText(r)}</li>`);
  return `<p class="note">Region set: ${escapeHtml(spec.title ?? spec.name ?? "")}${spec.description ? `. ${escapeHtml(spec.description.trim())}` : ""}</p>
${refs.length ? `<p class="note">Its sources:</p><ul class="note">${refs.join("")}</ul>` : ""}`;
}

function referenceText(r: NonNullable<ScenarioText["references"]>[number]): string {
  return `${escapeHtml(r.title)}${r.publisher ? `. ${escapeHtml(r.publisher)}` : ""}${r.year ? `, ${r.year}` : ""}${r.url ? `. ${escapeHtml(r.url)}` : ""}${r.note ? ` — ${escapeHtml(r.note)}` : ""}`;
}

export function sourcesHtml(scenarioYaml: string): string {
  let sc: ScenarioText = {};
  try {
    sc = (parse(scenarioYaml) ?? {}) as ScenarioText;
  } catch {
    return "";
  }
  const refs = (sc.references ?? []).map((r) => `<li>${referenceText(r)}</li>`);
  const assumptions = (sc.assumptions ?? []).map((a) => `<li>${escapeHtml(a)}</li>`);
  return `${sc.description ? `<p>${escapeHtml(sc.description)}</p>` : ""}
${refs.length ? `<h2>Sources</h2><ul>${refs.join("")}</ul>` : ""}
${assumptions.length ? `<h2>Assumptions</h2><ul>${assumptions.join("")}</ul>` : ""}`;
}

export function figureHtml(c: Chart): string {
  return `<figure id="${c.id}"><h2>${escapeHtml(c.title)}</h2>${c.svg}<figcaption>${escapeHtml(c.caption)}</figcaption></figure>`;
}

export function storyHtml(data: RunData): string {
  const st = data.story;
  if (!st) return "";
  return `<h2 id="story">One person's story</h2>
<p class="note">A synthetic person the run followed in full (see <code>credsim follow</code> for the others).</p>
${st.header.map((h) => `<p>${escapeHtml(h)}</p>`).join("")}
<ol>${st.lines.map((l) => `<li value="${l.day}">day ${l.day}: ${escapeHtml(l.text)}</li>`).join("")}</ol>`;
}

export function reportHtml(data: RunData & { scenarioYaml: string }, charts: Chart[] = runCharts(data, svgDocument())): string {
  const s = data.summary;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(data.title)} — credsim report</title>
<style>${CSS}</style></head><body>
<h1>${escapeHtml(data.title)}</h1>
<p class="meta">Scenario <code>${escapeHtml(s.scenario)}</code> · ${int(s.agents)} synthetic agents · ${s.days} days · seed ${s.seed} · scenario hash ${escapeHtml(s.scenarioHash)} · credsim ${escapeHtml(s.credsimVersion)}</p>
<p class="note">Every person in this report is synthetic. "Wrongful" means listed although the same rules applied to the person's true behaviour, with perfect information, would not list them.</p>
${sourcesHtml(data.scenarioYaml)}
<h2>Summary</h2>
${summaryTableHtml(s)}
${regionsTableHtml(s)}
${regionSourcesHtml(data.regionsYaml)}
<h2 id="results">Further results</h2>
<ul>${summaryNotes(s)
    .map((l) => `<li>${escapeHtml(l)}</li>`)
    .join("")}</ul>
${charts.map(figureHtml).join("\n")}
${storyHtml(data)}
</body></html>
`;
}
