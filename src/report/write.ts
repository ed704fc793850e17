import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeDirs } from "../store/make-dirs.js";
import { type Chart, type RunData, runCharts } from "./charts.js";
import { reportHtml, svgDocument } from "./html.js";
import { svgToPng } from "./png.js";

/** Writes a file atomically: a temporary name, then rename. */
export function writeAtomic(file: string, content: string | Uint8Array): void {
  const tmp = `${file}.partial-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

export function buildReport(data: RunData, scenarioYaml: string): { html: string; charts: Chart[] } {
  const charts = runCharts(data, svgDocument());
  return { html: reportHtml({ ...data, scenarioYaml }, charts), charts };
}

/** One PNG per chart that has something to draw, named by chart id, into `dir`. Returns the files written. */
export function writePngs(charts: Chart[], dir: string): string[] {
  makeDirs(dir, "--png");
  return charts
    .filter((c) => c.svg !== "")
    .map((c) => {
      const file = join(dir, `${c.id}.png`);
      writeAtomic(file, svgToPng(c.svg));
      return file;
    });
}
