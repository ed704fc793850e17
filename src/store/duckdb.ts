import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Row, RunTables } from "./tables.js";

// Results in an embedded DuckDB database: tables runs, daily, groups, behaviours.
// One thread, rows in a fixed order, so the same run writes the same Parquet bytes.

const BIGINT_COLUMNS = new Set(["seed", "agents", "days", "day", "agent", "seq", "other_agent", "contacts", "contacts_ever_listed", "ties_cut"]);

function columnTypes(rows: Row[]): [string, string][] {
  const cols = Object.keys(rows[0]);
  return cols.map((c) => {
    if (BIGINT_COLUMNS.has(c)) return [c, "BIGINT"];
    const isText = rows.some((r) => typeof r[c] === "string");
    return [c, isText ? "VARCHAR" : "DOUBLE"];
  });
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function openDatabase(path: string): Promise<{ connection: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(path, { threads: "1" });
  const connection = await instance.connect();
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Creates `table` if needed (columns from the rows) and appends the rows. */
export async function appendRows(con: DuckDBConnection, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const types = columnTypes(rows);
  await con.run(`CREATE TABLE IF NOT EXISTS ${quote(table)} (${types.map(([c, t]) => `${quote(c)} ${t}`).join(", ")})`);
  const appender = await con.createAppender(table);
  for (const row of rows) {
    for (const [c, t] of types) {
      const v = row[c];
      if (v === null || v === undefined) appender.appendNull();
      else if (t === "BIGINT") appender.appendBigInt(BigInt(v as number));
      else if (t === "DOUBLE") appender.appendDouble(v as number);
      else appender.appendVarchar(String(v));
    }
    appender.endRow();
  }
  appender.closeSync();
}

export async function writeTables(con: DuckDBConnection, tables: RunTables): Promise<void> {
  await appendRows(con, "runs", tables.runs);
  await appendRows(con, "daily", tables.daily);
  await appendRows(con, "groups", tables.groups);
  await appendRows(con, "behaviours", tables.behaviours);
  if (tables.followed?.length) await appendRows(con, "followed", tables.followed);
  if (tables.history?.length) await appendRows(con, "history", tables.history);
  if (tables.regions?.length) await appendRows(con, "regions", tables.regions);
}

/** Writes a query's result as Parquet, with optional key-value metadata in the file footer. */
export async function copyToParquet(con: DuckDBConnection, query: string, file: string, metadata: Record<string, string> = {}): Promise<void> {
  const kv = Object.entries(metadata)
    .map(([k, v]) => `${k}: '${v.replace(/'/g, "''")}'`)
    .join(", ");
  await con.run(`COPY (${query}) TO '${file.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION zstd${kv ? `, KV_METADATA {${kv}}` : ""})`);
}
