// npm run docs:presets — runs every preset at its shipped size and writes
// docs/presets.md: the headline-metrics table, then each preset's system, sources
// and assumptions, all taken from the preset files and the runs (nothing typed by hand).
import { readFileSync, writeFileSync } from "node:fs";
import { presetNames, presetsDir, resolveBase } from "../dist/cli/scenario-arg.js";
import { fprSpread } from "../dist/engine/metrics.js";
import { lawfulChilling } from "../dist/report/compare-table.js";
import { parseScenario } from "../dist/scenario/load.js";
import { execute } from "../dist/store/execute.js";

const pct = (x) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(x < 0.001 && x > 0 ? 3 : 1)} %`);
const num = (x, d = 2) => (x === null || x === undefined ? "–" : x.toFixed(d));
const rows = [];
const sections = [];
for (const name of presetNames()) {
  const file = `${presetsDir}${name}.yaml`;
  const { scenario } = parseScenario(readFileSync(file, "utf8"), file, { resolveBase });
  const started = performance.now();
  const { summary: s } = await execute(scenario, { threads: 1 });
  const seconds = (performance.now() - started) / 1000;
  const t = s.total;
  rows.push(
    `| \`${name}\` | ${t.agents.toLocaleString("en")} × ${s.days} | ${pct(t.listedShare)} | ${pct(t.wrongfulShareOfListed)} | ${num(fprSpread(s))} | ${num(t.sanctionDays / t.agents, 1)} | ${pct(t.sanctionDays > 0 ? t.spilloverSanctionDays / t.sanctionDays : null)} | ${pct(lawfulChilling(s))} | ${seconds.toFixed(1)} s |`,
  );
  const refs = (scenario.references ?? []).map((r) => `- ${r.title}. ${[r.publisher, r.year].filter(Boolean).join(", ")}.${r.url ? ` <${r.url}>` : ""}${r.note ? ` — ${r.note}` : ""}`);
  const assumptions = (scenario.assumptions ?? []).map((a) => `- ${a}`);
  sections.push(
    [`### \`${name}\` — ${scenario.title ?? name}`, "", scenario.description ?? "", "", "Sources:", "", ...(refs.length ? refs : ["- none (see assumptions)"]), "", "Assumptions:", "", ...assumptions, ""].join("\n"),
  );
  process.stderr.write(`${name}: ${seconds.toFixed(1)} s\n`);
}

const doc = `# Presets

Each preset is a claim about a real (or famous fictional) system: it names its
sources, gives every number taken from them, and states every assumption made
where they are silent. Its test (\`test/presets.test.ts\`) checks that the pattern
the system is known for shows, with the tolerance justified there.

Run one with \`npx credsim run PRESET\`; list them with \`npx credsim presets\`.
Variants (\`*-insiders\`, \`*-exempt-elite\`, \`*-visitors\`, \`*-breach\`) extend a
base preset (\`extends:\`) and change only what their question needs.

## Headline metrics

Produced by \`npm run docs:presets\` (every preset at its shipped size, seed 1,
one thread; the last column is the wall time on the machine that ran it).
Listed and wrongful shares are at the last day; the FPR ratio is the highest
group's false-positive rate over the lowest's (– with one group, or when the
lowest is 0); sanction-days are per person over the run;
chilling is that of all lawful behaviour pooled (1 − occurrences / expected
with no system); without \`fear\` it differs from 0 by sampling noise only.

| preset | agents × days | listed | wrongful share of listed | FPR ratio, highest group to lowest | sanction-days per person | spillover share of sanction-days | chilling of lawful behaviour | time |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

## The presets

${sections.join("\n")}`;
writeFileSync(new URL("../docs/presets.md", import.meta.url), doc);
process.stderr.write("docs/presets.md written\n");
