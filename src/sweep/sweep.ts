import { type ChildProcess, fork } from "node:child_process";
import { createHash } from "node:crypto";
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { withHugePages } from "../engine/hugepages.node.js";
import { DAILY_COLUMNS } from "../engine/metrics.js";
import { InputError } from "../scenario/errors.js";
import { canonicalJson } from "../scenario/hash.js";
import { openDatabase } from "../store/duckdb.js";
import { makeDirs } from "../store/make-dirs.js";
import { credsimVersion } from "../store/version.js";
import { column, getPath, type PlannedRun, plannedRuns, setPath } from "./design.js";
import { DEFAULT_KEEP, type SweepSpec } from "./spec.js";
import type { Job, JobResult } from "./worker.js";

// Runs a sweep: every planned run not yet in the database goes to a pool of
// worker processes; each finished run is written in one transaction (its runs
// row, its group rows, its daily rows), so an interrupted sweep resumes with
// nothing lost and nothing counted twice. A failed run is recorded with its
// error. At the end the tables are exported to Parquet in a fixed order, so a
// sharded sweep merged together gives the same files as an unsharded one.

export const GROUP_COLUMNS = [
  "agents",
  "listed",
  "listed_share",
  "wrongfully_listed",
  "wrongful_share_of_listed",
  "fpr",
  "precision",
  "recall",
  "shadow_listed_share",
  "ever_listed_share",
  "sanction_days",
  "wrongful_sanction_days",
  "spillover_sanction_days",
  "denied_attempts",
  "records_per_person",
  "listed_share_ratio",
  "fpr_ratio",
];

export interface Shard {
  index: number; // 1-based
  count: number;
}

export interface SweepPlan {
  spec: SweepSpec;
  base: Record<string, unknown>;
  runs: PlannedRun[];
  keep: string[];
  specHash: string;
}

export function planSweep(spec: SweepSpec, base: Record<string, unknown>): SweepPlan {
  const runs = plannedRuns(spec);
  const keep = spec.keep ?? DEFAULT_KEEP;
  const specHash = createHash("sha256").update(canonicalJson({ spec, base })).digest("hex").slice(0, 16);
  return { spec, base, runs, keep, specHash };
}

export function shardRuns(runs: PlannedRun[], shard: Shard | undefined): PlannedRun[] {
  return shard ? runs.filter((r) => r.index % shard.count === shard.index - 1) : runs;
}

/** The scenario of one run: base, overrides, the run's parameters and seed. */
export function runScenario(plan: SweepPlan, run: PlannedRun): Record<string, unknown> {
  const s = structuredClone(plan.base);
  if (plan.spec.agents !== undefined) setPath(s, "population.agents", plan.spec.agents);
  if (plan.spec.days !== undefined) setPath(s, "days", plan.spec.days);
  for (const [path, value] of Object.entries(run.params)) setPath(s, path, value);
  s.seed = run.seed;
  return s;
}

const sql = (v: unknown): string => {
  if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) return "NULL";
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  return `'${String(v).replace(/'/g, "''")}'`;
};
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

function paramType(plan: SweepPlan, path: string): string {
  const values = plan.runs.map((r) => r.params[path]);
  return values.every((v) => typeof v === "number") ? "DOUBLE" : values.every((v) => typeof v === "boolean") ? "BOOLEAN" : "VARCHAR";
}

export async function createTables(con: DuckDBConnection, plan: SweepPlan, shard: Shard | undefined): Promise<void> {
  // Check what the folder holds before creating anything: a refused sweep writes nothing.
  const found = (await con.runAndReadAll("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'sweep'")).getRowObjects();
  const existing = Number(found[0].n) > 0 ? (await con.runAndReadAll("SELECT spec_hash, shard, credsim_version FROM sweep")).getRowObjects() : [];
  const shardText = shard ? `${shard.index}/${shard.count}` : "all";
  if (existing.length > 0 && (existing[0].spec_hash !== plan.specHash || existing[0].shard !== shardText)) {
    throw new SweepMismatch(
      `this output folder holds a different sweep (spec ${existing[0].spec_hash}, shard ${existing[0].shard}); the sweep file, its base scenario or --shard changed. Use another --out to start afresh`,
    );
  }
  if (existing.length > 0 && existing[0].credsim_version !== credsimVersion) {
    // runs of two versions in one table could differ for the same seed
    throw new SweepMismatch(
      `this output folder holds a sweep begun by credsim ${existing[0].credsim_version}, not ${credsimVersion}; finish it with that version, or use another --out to start afresh`,
    );
  }
  const params = Object.keys(plan.spec.vary).map((p) => `${q(column("p", p))} ${paramType(plan, p)}`);
  const kept = plan.keep.map((k) => `${q(column("k", k))} DOUBLE`);
  await con.run(`CREATE TABLE IF NOT EXISTS sweep (name VARCHAR, spec_hash VARCHAR, credsim_version VARCHAR, shard VARCHAR, runs_planned BIGINT)`);
  await con.run(
    `CREATE TABLE IF NOT EXISTS runs (run_id VARCHAR PRIMARY KEY, variant_id VARCHAR, replicate BIGINT, seed BIGINT, status VARCHAR, error VARCHAR${params.length ? `, ${params.join(", ")}` : ""}${kept.length ? `, ${kept.join(", ")}` : ""})`,
  );
  await con.run(`CREATE TABLE IF NOT EXISTS groups (run_id VARCHAR, "group" VARCHAR, ${GROUP_COLUMNS.map((c) => `${q(c)} DOUBLE`).join(", ")})`);
  if (plan.spec.daily) {
    await con.run(
      `CREATE TABLE IF NOT EXISTS daily (run_id VARCHAR, ${DAILY_COLUMNS.map((c) => `${q(c)} ${c === "group" ? "VARCHAR" : "DOUBLE"}`).join(", ")})`,
    );
  }
  if (existing.length === 0) {
    await con.run(`INSERT INTO sweep VALUES (${sql(plan.spec.name)}, ${sql(plan.specHash)}, ${sql(credsimVersion)}, ${sql(shardText)}, ${plan.runs.length})`);
  }
}

/** An output folder that holds another sweep, or one begun by another version: the CLI reports it as an input error. */
export class SweepMismatch extends Error {}

/** Inserts one finished (or failed) run, all its rows in one transaction. */
export async function insertRun(con: DuckDBConnection, plan: SweepPlan, run: PlannedRun, result: JobResult): Promise<void> {
  const params = Object.keys(plan.spec.vary).map((p) => sql(run.params[p]));
  const kept = plan.keep.map((k) => {
    const v = result.summary ? getPath(result.summary, k) : null;
    return sql(typeof v === "number" ? v : null);
  });
  const statements = [
    `INSERT INTO runs VALUES (${[sql(run.runId), sql(run.variantId), run.replicate, run.seed, sql(result.error ? "failed" : "ok"), sql(result.error ?? null), ...params, ...kept].join(", ")})`,
  ];
  const groups = result.groups ?? [];
  if (groups.length) {
    statements.push(
      `INSERT INTO groups VALUES ${groups.map((g) => `(${[sql(run.runId), sql(g.group), ...GROUP_COLUMNS.map((c) => sql(g[c]))].join(", ")})`).join(", ")}`,
    );
  }
  const daily = result.daily ?? [];
  if (plan.spec.daily && daily.length) {
    statements.push(`INSERT INTO daily VALUES ${daily.map((d) => `(${[sql(run.runId), ...DAILY_COLUMNS.map((c) => sql(d[c]))].join(", ")})`).join(", ")}`);
  }
  await con.run("BEGIN TRANSACTION");
  try {
    for (const s of statements) await con.run(s);
    await con.run("COMMIT");
  } catch (error) {
    await con.run("ROLLBACK");
    throw error;
  }
}

/**
 * Writes runs.parquet, groups.parquet (and daily.parquet) sorted, so equal sweeps
 * give equal files. Each is written under a name ending in .partial and all are
 * renamed once every one is complete, after the previous export's files are
 * removed: an export cut short (Ctrl-C, a full disk) leaves only .partial files,
 * never a mix of new and old files that looks complete. The sweep's database
 * holds every run, so running the sweep again exports again.
 */
export async function exportParquet(con: DuckDBConnection, dir: string, daily: boolean): Promise<string[]> {
  const queries: [string, string][] = [
    ["runs.parquet", "SELECT * FROM runs ORDER BY run_id"],
    ["groups.parquet", 'SELECT * FROM groups ORDER BY run_id, "group"'],
  ];
  if (daily) queries.push(["daily.parquet", 'SELECT * FROM daily ORDER BY run_id, day, "group"']);
  for (const [name] of queries) rmSync(join(dir, name), { force: true });
  for (const [name, query] of queries) {
    const partial = join(dir, `${name}.partial`).replace(/'/g, "''");
    await con.run(`COPY (${query}) TO '${partial}' (FORMAT parquet, COMPRESSION zstd)`);
  }
  for (const [name] of queries) renameSync(join(dir, `${name}.partial`), join(dir, name));
  return queries.map(([name]) => join(dir, name));
}

export interface SweepProgress {
  done: number;
  failed: number;
  total: number;
  skipped: number;
  /** Of the skipped (already in the database), how many had failed. */
  skippedFailed: number;
  firstError?: string;
}

export interface SweepOptions {
  out: string;
  workers: number;
  shard?: Shard;
  retryFailed?: boolean;
  onProgress?: (p: SweepProgress) => void;
  /** Called once the database is open, with a function that stops the workers (Ctrl-C). */
  onStart?: (stop: () => void) => void;
}

export async function runSweep(plan: SweepPlan, options: SweepOptions): Promise<SweepProgress & { files: string[] }> {
  makeDirs(options.out);
  const db = await openDatabase(join(options.out, "sweep.duckdb")).catch((error: Error) => {
    throw new InputError(options.out, [
      { field: "--out", message: `its sweep.duckdb cannot be opened (${firstLine(error)}): is it damaged? Use another --out to start afresh` },
    ]);
  });
  const con = db.connection;
  const children: ChildProcess[] = [];
  try {
    await createTables(con, plan, options.shard);
    if (options.retryFailed) await con.run("DELETE FROM runs WHERE status = 'failed'");
    const existing = (await con.runAndReadAll("SELECT run_id, status, error FROM runs")).getRowObjects();
    const done = new Set(existing.map((r) => String(r.run_id)));
    const mine = shardRuns(plan.runs, options.shard);
    const pending = mine.filter((r) => !done.has(r.runId));
    const failedBefore = existing.filter((r) => r.status === "failed");
    const progress: SweepProgress = {
      done: 0,
      failed: 0,
      total: pending.length,
      skipped: mine.length - pending.length,
      skippedFailed: failedBefore.length,
      firstError: failedBefore.length ? failure(String(failedBefore[0].run_id), String(failedBefore[0].error)) : undefined,
    };
    options.onProgress?.(progress);

    const workerFile = new URL(import.meta.url.endsWith(".ts") ? "./worker.ts" : "./worker.js", import.meta.url);
    const workers = Math.max(1, Math.min(options.workers, pending.length));
    let next = 0;
    let writes = Promise.resolve();
    let stopped = false;
    options.onStart?.(() => {
      stopped = true;
      for (const c of children) c.kill("SIGKILL");
    });
    await Promise.all(
      Array.from({ length: workers }, async () => {
        if (next >= pending.length) return;
        const spawn = () => {
          const c = fork(workerFile, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], env: withHugePages() });
          children.push(c);
          return c;
        };
        let child = spawn();
        try {
          while (next < pending.length && !stopped) {
            if (!child.connected) child = spawn(); // the previous one died on a run
            const run = pending[next++];
            const job: Job = { runId: run.runId, scenario: runScenario(plan, run), daily: plan.spec.daily };
            const result = await new Promise<JobResult>((resolve, reject) => {
              const onMessage = (m: JobResult) => {
                child.off("exit", onExit);
                resolve(m);
              };
              const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
                child.off("message", onMessage);
                if (stopped) reject(new Error("stopped"));
                else
                  resolve({ runId: run.runId, error: `worker process ${signal ? `was stopped by ${signal}` : `exited with code ${code}`} (out of memory?)` });
              };
              child.once("message", onMessage);
              child.once("exit", onExit);
              child.send(job);
            });
            // one writer: runs are inserted one at a time, in the order they finish
            writes = writes.then(() => insertRun(con, plan, run, result));
            await writes;
            if (result.error) {
              progress.failed++;
              progress.firstError ??= failure(run.runId, result.error);
            } else progress.done++;
            options.onProgress?.(progress);
          }
        } finally {
          child.kill();
        }
      }),
    );
    await writes;
    const files = await exportParquet(con, options.out, plan.spec.daily);
    return { ...progress, files };
  } finally {
    for (const c of children) c.kill();
    db.close();
  }
}

/** An error's first line, for messages that quote it. */
export function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0];
}

/** A failed run's error, named by its run once (scenario errors already begin "run <id>: "). */
function failure(runId: string, error: string): string {
  const prefix = `run ${runId}: `;
  return `${runId}: ${error.startsWith(prefix) ? error.slice(prefix.length) : error}`;
}
