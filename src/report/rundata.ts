import type { Summary } from "../engine/metrics.js";
import type { RunTables } from "../store/tables.js";
import type { BehaviourPoint, DailyPoint, RunData } from "./charts.js";
import { type FollowedRow, type HistoryRow, storyHeader, storyLines } from "./story.js";

// A run's tables as the charts' data; no I/O, so the report and the lab share it.

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
