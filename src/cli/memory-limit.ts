import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { join } from "node:path";

// The memory a run may use: the machine's, or less when the process sits in a
// control group with a memory limit (a Slurm job with --mem, a Kubernetes pod's
// limit, a container), which would kill a run that counted on the whole machine.

/** Share of the memory the estimate may fill, leaving room for Node, the OS and error in the estimate. */
const USABLE_SHARE = 0.85;

/**
 * The lowest cgroup memory limit above this process, in bytes, or Infinity. Reads
 * v2 (`memory.max`) and v1 (`memory.limit_in_bytes`) along the process's cgroup
 * path and its ancestors; `root` and `selfCgroup` stand in for /sys/fs/cgroup and
 * /proc/self/cgroup in tests.
 */
export function cgroupMemoryLimit(root = "/sys/fs/cgroup", selfCgroup = "/proc/self/cgroup"): number {
  let text: string;
  try {
    text = readFileSync(selfCgroup, "utf8");
  } catch {
    return Number.POSITIVE_INFINITY;
  }
  const places: string[] = [];
  for (const line of text.split("\n")) {
    const [id, controllers, path] = line.split(":");
    if (path === undefined) continue;
    // v2 ("0::/path"), alone or beside v1 (then under unified/); v1's memory controller
    if (id === "0" && controllers === "") for (const base of [root, join(root, "unified")]) places.push(...ancestors(base, path, "memory.max"));
    else if (controllers.split(",").includes("memory")) places.push(...ancestors(join(root, "memory"), path, "memory.limit_in_bytes"));
  }
  let lowest = Number.POSITIVE_INFINITY;
  for (const file of places) {
    let value: string;
    try {
      value = readFileSync(file, "utf8").trim();
    } catch {
      continue;
    }
    const bytes = Number(value); // "max" (v2) or a huge number (v1) mean no limit
    if (Number.isFinite(bytes) && bytes > 0 && bytes < lowest) lowest = bytes;
  }
  return lowest;
}

function ancestors(base: string, path: string, file: string): string[] {
  const parts = path.split("/").filter(Boolean);
  return Array.from({ length: parts.length + 1 }, (_, k) => join(base, ...parts.slice(0, parts.length - k), file));
}

/** Bytes a run's estimate may reach on this machine, in this process's cgroup. */
export function usableMemory(): number {
  return Math.min(totalmem(), cgroupMemoryLimit()) * USABLE_SHARE;
}

/** What bounds usableMemory, for messages: the machine, or the job's memory limit. */
export function memoryBound(): string {
  return cgroupMemoryLimit() < totalmem() ? "this job's memory limit (cgroup)" : "this machine";
}
