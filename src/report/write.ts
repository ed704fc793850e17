import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Summary } from "../engine/metrics.js";
import type { RunTables } from "../store/tables.js";
import { type BehaviourPoint, type Chart, type DailyPoint, type RunData, runCharts } from "./charts.js";
import { reportHtml, svgDocument } from "./html.js";
import { svgToPng } from "./png.js";
import { type FollowedRow, type HistoryRow, storyHeader, storyLines } from "./story.js";

/** Chart data straight from a run's tables (no database round trip). */
export function runDataFromTables(summary: Summary, tables: RunTables, title: string): RunData {
  const story = pickStory((tables.followed ?? []) as unknown as FollowedRow[], (tables.history ?? []) as unknown as HistoryRow[]);
  return { summary, daily: tables.daily as unknown as DailyPoint[], behaviours: tables.behaviours as unknown as BehaviourPoint[], title, story };
}

/** The report's story: the first wrongfully listed person followed, else the first followed. */
export function pickStory(followed: FollowedRow[], history: HistoryRow[]): RunData["story"] {
  const person = followed.find((p) => p.reason === "wrongful") ?? followed[0];
  if (!person) return undefined;
  const household = person.household.split(" ").map(Number);
  return {
    header: storyHeader(person),
    lines: storyLines(
      person,
      history.filter((r) => household.includes(r.agent)),
    ),
  };
}

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

/** One PNG per chart, named by chart id, into `dir`. Returns the files written. */
export function writePngs(charts: Chart[], dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return charts.map((c) => {
    const file = join(dir, `${c.id}.png`);
    writeAtomic(file, svgToPng(c.svg));
    return file;
  });
}
