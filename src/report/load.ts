import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Summary } from "../engine/metrics.js";
import { InputError } from "../scenario/errors.js";
import type { BehaviourPoint, DailyPoint, RunData } from "./charts.js";
import { pickStory } from "./rundata.js";
import type { FollowedRow, HistoryRow } from "./story.js";

// Reads a run folder (summary.json, credsim.duckdb) into the data the charts need.

function toPlain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === "bigint" ? Number(v) : v;
  return out;
}

export function checkRunFolder(dir: string): void {
  if (!existsSync(dir)) throw new InputError(dir, [{ field: "", message: "no such folder (expected the folder a `credsim run` wrote)" }]);
  for (const f of ["summary.json", "credsim.duckdb"]) {
    if (!existsSync(join(dir, f))) {
      throw new InputError(dir, [{ field: "", message: `not a credsim run folder: ${f} is missing (expected the folder a \`credsim run\` wrote)` }]);
    }
  }
}

export async function loadRun(dir: string): Promise<RunData & { scenarioYaml: string }> {
  checkRunFolder(dir);
  const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as Summary;
  const instance = await DuckDBInstance.create(join(dir, "credsim.duckdb"), { access_mode: "READ_ONLY" });
  const con = await instance.connect();
  try {
    const daily = (await con.runAndReadAll(`select * from daily order by rowid`)).getRowObjects().map(toPlain) as unknown as DailyPoint[];
    const behaviours = (await con.runAndReadAll(`select * from behaviours order by rowid`)).getRowObjects().map(toPlain) as unknown as BehaviourPoint[];
    const scenarioYaml = existsSync(join(dir, "scenario.yaml")) ? readFileSync(join(dir, "scenario.yaml"), "utf8") : "";
    const title = /^title: (.*)$/m.exec(scenarioYaml)?.[1] ?? summary.scenario;
    const tables = (await con.runAndReadAll("select table_name from duckdb_tables()")).getRowObjects().map((r) => String(r.table_name));
    let story: RunData["story"];
    if (tables.includes("followed") && tables.includes("history")) {
      const followed = (await con.runAndReadAll("select * from followed order by agent")).getRowObjects().map(toPlain) as unknown as FollowedRow[];
      const history = (await con.runAndReadAll("select * from history order by agent, seq")).getRowObjects().map(toPlain) as unknown as HistoryRow[];
      story = pickStory(followed, history);
    }
    return { summary, daily, behaviours, title, scenarioYaml, story };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
