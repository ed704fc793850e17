import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { parse as parseYaml } from "yaml";
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
  if (!statSync(dir).isDirectory()) throw new InputError(dir, [{ field: "", message: "is a file; expected the folder a `credsim run` wrote" }]);
  for (const f of ["summary.json", "credsim.duckdb"]) {
    if (!existsSync(join(dir, f))) {
      throw new InputError(dir, [{ field: "", message: `not a credsim run folder: ${f} is missing (expected the folder a \`credsim run\` wrote)` }]);
    }
  }
}

/** A run folder's summary.json, checked to be one credsim wrote (a damaged file is an input error, not a crash). */
export function readSummary(dir: string): Summary {
  const file = join(dir, "summary.json");
  let summary: Partial<Summary>;
  try {
    summary = JSON.parse(readFileSync(file, "utf8")) as Partial<Summary>;
  } catch (error) {
    throw new InputError(file, [{ field: "", message: `is not valid JSON (${(error as Error).message}); the run folder is damaged: run it again` }]);
  }
  const missing = ["credsimVersion", "scenario", "agents", "days", "total", "groups"].filter(
    (k) => summary === null || typeof summary !== "object" || !(k in summary),
  );
  if (missing.length > 0) {
    throw new InputError(file, [{ field: "", message: `is not a credsim summary (no ${missing.join(", ")}); the run folder is damaged: run it again` }]);
  }
  return summary as Summary;
}

/** Opens a run folder's credsim.duckdb read-only; a damaged or foreign file is an input error. */
export async function openRunDatabase(dir: string): Promise<{ con: DuckDBConnection; tables: string[]; close: () => void }> {
  const file = join(dir, "credsim.duckdb");
  try {
    const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
    const con = await instance.connect();
    const tables = (await con.runAndReadAll("select table_name from duckdb_tables()")).getRowObjects().map((r) => String(r.table_name));
    return {
      con,
      tables,
      close: () => {
        con.closeSync();
        instance.closeSync();
      },
    };
  } catch (error) {
    throw new InputError(file, [
      { field: "", message: `cannot be read as a DuckDB database (${(error as Error).message.split("\n")[0]}); the run folder is damaged: run it again` },
    ]);
  }
}

/** The tables a run's report needs; a database without them is not a credsim run's. */
export function requireTables(dir: string, tables: string[], needed: string[]): void {
  const missing = needed.filter((t) => !tables.includes(t));
  if (missing.length > 0) {
    throw new InputError(join(dir, "credsim.duckdb"), [{ field: "", message: `has no table ${missing.join(", ")}; the run folder is damaged: run it again` }]);
  }
}

export async function loadRun(dir: string): Promise<RunData & { scenarioYaml: string }> {
  checkRunFolder(dir);
  const summary = readSummary(dir);
  const { con, tables, close } = await openRunDatabase(dir);
  try {
    requireTables(dir, tables, ["daily", "behaviours"]);
    const daily = (await con.runAndReadAll(`select * from daily order by rowid`)).getRowObjects().map(toPlain) as unknown as DailyPoint[];
    const behaviours = (await con.runAndReadAll(`select * from behaviours order by rowid`)).getRowObjects().map(toPlain) as unknown as BehaviourPoint[];
    const scenarioYaml = existsSync(join(dir, "scenario.yaml")) ? readFileSync(join(dir, "scenario.yaml"), "utf8") : "";
    let title = /^title: (.*)$/m.exec(scenarioYaml)?.[1] ?? summary.scenario;
    // a run of regions: titled with its region set, as `credsim run --regions` titles it
    const regionsYaml = existsSync(join(dir, "regions.yaml")) ? readFileSync(join(dir, "regions.yaml"), "utf8") : undefined;
    if (regionsYaml) {
      const spec = parseYaml(regionsYaml) as { name?: string; title?: string } | null;
      if (spec?.title ?? spec?.name) title = `${title} — ${spec?.title ?? spec?.name}`;
    }
    let story: RunData["story"];
    if (tables.includes("followed") && tables.includes("history")) {
      const followed = (await con.runAndReadAll("select * from followed order by agent")).getRowObjects().map(toPlain) as unknown as FollowedRow[];
      const history = (await con.runAndReadAll("select * from history order by agent, seq")).getRowObjects().map(toPlain) as unknown as HistoryRow[];
      story = pickStory(followed, history);
    }
    return { summary, daily, behaviours, title, scenarioYaml, story, regionsYaml };
  } finally {
    close();
  }
}
