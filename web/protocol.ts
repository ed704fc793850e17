import type { Summary } from "../src/engine/metrics.js";
import type { BehaviourPoint, DailyPoint } from "../src/report/charts.js";
import type { FollowedRow, HistoryRow } from "../src/report/story.js";
import type { Scenario } from "../src/scenario/schema.js";

// Messages between the page and the simulation worker.

export interface RunRequest {
  scenario: Scenario;
  /** People to follow, chosen by reason (wrongfully listed first). */
  track: number;
  /** Follow exactly this person instead (logged with their household). */
  person: number | null;
  /** Draw the contact network (small populations only). */
  picture: boolean;
}

export interface ContactInfo {
  agent: number;
  contact: number;
  cut: boolean;
  everListed: boolean;
}

/** The network at the end of the run, for drawing. */
export interface NetworkPicture {
  /** Persons in ring order. */
  ring: Int32Array;
  start: Int32Array;
  /** Neighbours; a cut tie is stored as ~j. */
  adj: Int32Array;
  /** 0 never listed, 1 listed (only rightfully), 2 listed wrongfully, 3 never listed but a household member was. */
  status: Uint8Array;
  groupOf: Uint8Array;
  groups: string[];
}

export interface RunData {
  summary: Summary;
  daily: DailyPoint[];
  behaviours: BehaviourPoint[];
}

export interface RunResult extends RunData {
  followed: FollowedRow[];
  history: HistoryRow[];
  contacts: ContactInfo[];
  picture: NetworkPicture | null;
  engine: "per-agent" | "calendar";
  seconds: number;
  /** For drawing a score between events: it reverts toward `start` by `reversion` a day. */
  scoring: { start: number; reversion: number; min: number; max: number };
}

export type WorkerMessage =
  | { type: "progress"; done: number; partial?: { data: RunData; note: string; timeSeriesOnly: boolean } }
  | { type: "done"; result: RunResult }
  | { type: "error"; message: string };
