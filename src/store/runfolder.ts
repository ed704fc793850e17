import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { stringify } from "yaml";
import type { Summary } from "../engine/metrics.js";
import { InputError } from "../scenario/errors.js";
import type { Scenario } from "../scenario/schema.js";
import { copyToParquet, openDatabase, writeTables } from "./duckdb.js";
import { makeDirs, removeEmptyMadeDirs } from "./make-dirs.js";
import type { RunTables } from "./tables.js";

// A run folder: scenario.yaml (resolved), summary.json, daily.parquet,
// credsim.duckdb. Written in a sibling folder named *.partial-PID and renamed into
// place at the end, so an interrupted run never leaves a folder that looks complete.

export const RUN_FILES = ["scenario.yaml", "summary.json", "daily.parquet", "credsim.duckdb"] as const;

/** Everything credsim may write in a run folder (report.html unless --no-report; regions.yaml with --regions). */
const RUN_FOLDER_ENTRIES = new Set<string>([...RUN_FILES, "report.html", "regions.yaml", "credsim.duckdb.wal"]);

/** Refuses, before any work, to replace a folder that is not a credsim run. */
export function checkOutFolder(out: string): void {
  if (!existsSync(out)) {
    checkCanCreate(out);
    return;
  }
  if (!statSync(out).isDirectory()) throw new InputError(out, [{ field: "--out", message: "is a file; expected a folder for the run's results" }]);
  const entries = readdirSync(out);
  // Replacing it deletes its files: it must be writable, or the old results would stay beside the new.
  try {
    accessSync(out, constants.W_OK | constants.X_OK);
  } catch {
    throw new InputError(out, [
      { field: "--out", message: "exists and its files cannot be deleted (no write permission on the folder); choose another --out" },
    ]);
  }
  // a region shard's folder (credsim run --regions --shard): replaced like a run folder
  if (entries.includes("region-shard.json") && isRegionShardManifest(join(out, "region-shard.json"))) {
    refuseForeign(
      out,
      entries.filter((name) => name !== "region-shard.json" && !/^region-\d+\.bin$/.test(name)),
    );
    return;
  }
  if (entries.length > 0 && !(entries.includes("summary.json") && writtenByCredsim(join(out, "summary.json")))) {
    throw new InputError(out, [{ field: "--out", message: "the folder exists and is not a credsim run folder; choose another --out or empty it" }]);
  }
  // Replacing a run folder removes it whole: only if credsim wrote everything in it.
  refuseForeign(
    out,
    entries.filter((name) => !RUN_FOLDER_ENTRIES.has(name)),
  );
}

function refuseForeign(out: string, names: string[]): void {
  const foreign = [...names].sort();
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 3).join(", ") + (foreign.length > 3 ? `, and ${foreign.length - 3} more` : "");
    throw new InputError(out, [
      {
        field: "--out",
        message: `this run folder also holds files credsim did not write (${shown}); replacing it would delete them. Move them, or choose another --out`,
      },
    ]);
  }
}

/** Whether a region-shard.json is one credsim wrote. */
function isRegionShardManifest(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { kind?: string }).kind === "credsim-region-shard";
  } catch {
    return false;
  }
}

/** Whether a summary.json is one credsim wrote (a user's own file of that name is not). */
function writtenByCredsim(file: string): boolean {
  try {
    const summary = JSON.parse(readFileSync(file, "utf8")) as Partial<Summary>;
    return typeof summary.credsimVersion === "string" && typeof summary.scenarioHash === "string";
  } catch {
    return false;
  }
}

/**
 * A folder that does not exist yet is made at the end, after the work: make sure
 * now that it can be (its parents made, a probe folder beside it), so that a bad
 * --out fails before the work and not after it.
 */
export function checkCanCreate(out: string): void {
  const parent = dirname(resolve(out));
  makeDirs(parent);
  if (lstatSync(out, { throwIfNoEntry: false })) {
    throw new InputError(out, [{ field: "--out", message: "is a symbolic link to a path that does not exist; expected a folder" }]);
  }
  const probe = partialName(out);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
  } catch (error) {
    throw new InputError(out, [{ field: "--out", message: `cannot create a folder in ${parent} (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
}

export function partialName(out: string): string {
  return `${resolve(out)}.partial-${process.pid}`;
}

export function resolvedScenarioYaml(scenario: Scenario, header: { version: string; hash: string; seed: number }): string {
  return `# Resolved by credsim ${header.version}: every default filled in.\n# scenario hash ${header.hash}, seed ${header.seed}\n${stringify(scenario, { lineWidth: 0 })}`;
}

/** A run folder's write stopped by a signal (its partial folder removed); exit with `exitCode`. */
export class WriteInterrupted extends Error {
  constructor(readonly exitCode: number) {
    super("interrupted");
  }
}

let stopWriting: ((exitCode: number) => Promise<void>) | null = null;

/**
 * A signal arrived. While a run folder is being written, DuckDB's threads write
 * into it, so removing it at once can race with them: the write stops at its
 * next step instead, closes the database and removes its partial folder. Returns
 * a promise that settles then, or null when nothing is being written.
 */
export function interruptWrite(exitCode: number): Promise<void> | null {
  return stopWriting ? stopWriting(exitCode) : null;
}

export async function writeRunFolder(
  out: string,
  parts: { scenarioYaml: string; summary: Summary; tables: RunTables; extra?: Record<string, string | Uint8Array> },
): Promise<void> {
  const target = resolve(out);
  const partial = partialName(out);
  rmSync(partial, { recursive: true, force: true });
  makeDirs(partial);
  // If the process is stopped while writing (Ctrl-C), remove the partial folder.
  // Then the --out parents this run made, now empty again (main's signal handler tried before the partial folder was gone).
  // DuckDB's own threads may still be writing into it: retry a folder that fills
  // again while it is removed, and never throw from an exit handler.
  const cleanup = () => {
    try {
      rmSync(partial, { recursive: true, force: true, maxRetries: 20, retryDelay: 10 });
    } catch {
      // still being written after two seconds: its name says it is partial; a stack trace would only hide the message already printed
    }
    removeEmptyMadeDirs(); // does not throw: a folder not yet empty is kept
  };
  process.on("exit", cleanup);
  let stoppedWith = 0;
  let settled = () => {};
  const done = new Promise<void>((resolveDone) => {
    settled = resolveDone;
  });
  stopWriting = (exitCode) => {
    stoppedWith = exitCode;
    return done;
  };
  const checkStopped = () => {
    if (stoppedWith) throw new WriteInterrupted(stoppedWith);
  };
  try {
    writeFileSync(join(partial, "scenario.yaml"), parts.scenarioYaml);
    writeFileSync(join(partial, "summary.json"), `${JSON.stringify(parts.summary, null, 2)}\n`);
    const db = await openDatabase(join(partial, "credsim.duckdb"));
    try {
      checkStopped();
      await writeTables(db.connection, parts.tables);
      checkStopped();
      const meta = {
        credsim_version: parts.summary.credsimVersion,
        scenario: parts.summary.scenario,
        scenario_hash: parts.summary.scenarioHash,
        seed: String(parts.summary.seed),
      };
      await copyToParquet(db.connection, `SELECT * FROM daily ORDER BY day, "group"`, join(partial, "daily.parquet"), meta);
    } finally {
      db.close();
    }
    checkStopped();
    for (const [name, content] of Object.entries(parts.extra ?? {})) writeFileSync(join(partial, name), content);
    if (existsSync(target)) {
      const old = `${target}.old-${process.pid}`;
      renameSync(target, old);
      renameSync(partial, target);
      try {
        rmSync(old, { recursive: true, force: true });
      } catch (error) {
        // the new results are complete and in place; say what is left beside them
        process.stderr.write(
          `credsim: the earlier results, moved to ${old}, could not be removed (${(error as NodeJS.ErrnoException).code ?? error}); remove it by hand\n`,
        );
      }
    } else {
      renameSync(partial, target);
    }
  } catch (error) {
    cleanup();
    throw error;
  } finally {
    process.off("exit", cleanup);
    stopWriting = null;
    settled();
  }
}
