import { availableParallelism } from "node:os";
import { prestartWorkers } from "../engine/pool.node.js";

// Before the CLI loads its modules (DuckDB, the report's chart library: some
// 0.7 s), `credsim run` starts the worker threads its run will use, so that they
// are ready when it begins (src/engine/pool.node.ts). Read from the raw
// arguments, since the flags are parsed later; a wrong guess costs only an idle
// worker's start-up, never a result.

/** Workers a `credsim run` with these arguments will ask for: threads − 1, or 1 for a run on the calendar engine's worker. */
export function workersForArgs(args: string[]): number {
  if (args[0] !== "run" || args.some((a) => a === "--regions" || a.startsWith("--regions="))) return 0;
  let threads = 1;
  for (let k = 1; k < args.length; k++) {
    const value = args[k] === "--threads" ? args[k + 1] : args[k].startsWith("--threads=") ? args[k].slice(10) : undefined;
    if (value !== undefined && /^\d+$/.test(value)) threads = Number(value);
  }
  return Math.max(1, Math.min(threads, availableParallelism()) - 1);
}

export function prestartForArgs(args: string[]): void {
  prestartWorkers(workersForArgs(args));
}
