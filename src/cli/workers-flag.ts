import { availableParallelism } from "node:os";
import { fmtCount } from "./format.js";
import { intFlag } from "./scenario-arg.js";

/**
 * --workers (processes at a time, for --regions and sweep), at most one per
 * core: the results are the same for any number, and processes beyond the cores
 * only share them. Above the cores it warns (unless quiet) and uses the cores.
 */
export function workersFlag(value: string | undefined, fallback: number, quiet?: boolean): number {
  const asked = intFlag("--workers", value, 1, 256);
  const cores = availableParallelism();
  if (asked !== undefined && asked > cores && !quiet)
    process.stderr.write(
      `warning: --workers ${asked}: this machine has ${fmtCount(cores, "core")}; running ${fmtCount(cores, "process", "processes")} at a time (the results are the same)\n`,
    );
  return Math.min(asked ?? fallback, cores);
}
