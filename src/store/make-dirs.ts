import { existsSync, lstatSync, mkdirSync, rmdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "../scenario/errors.js";

// mkdir -p without Node's own recursive mkdir, which never returns (it spins at
// full CPU) when a parent exists but cannot hold the child: a path under /proc or
// /sys, or below a dangling symbolic link. Node retries such a path forever.

/**
 * Creates `path` and its missing parents, one level at a time. A folder that
 * cannot be made is an input error naming the flag it came from, with the
 * system's reason.
 */
export function makeDirs(path: string, field = "--out"): void {
  const missing: string[] = [];
  for (let p = resolve(path); !existsSync(p); p = dirname(p)) {
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
      made.push(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST" && statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue; // made meanwhile
      const why = code === "EEXIST" && lstatSync(dir).isSymbolicLink() ? "a symbolic link to a path that does not exist" : (code ?? String(error));
      throw new InputError(path, [{ field, message: `cannot create the folder ${dir} (${why})` }]);
    }
  }
  if (!statSync(resolve(path)).isDirectory()) throw new InputError(path, [{ field, message: "is a file; expected a folder" }]);
}

/** Folders makeDirs made in this process, in the order made. */
const made: string[] = [];

/**
 * Removes the folders makeDirs made that are still empty, deepest first: what an
 * interrupted or failed command leaves of its --out's parents. A folder that
 * holds anything (a finished run) stays.
 */
export function removeEmptyMadeDirs(): void {
  const kept: string[] = [];
  for (const dir of [...made].reverse()) {
    try {
      rmdirSync(dir);
    } catch (error) {
      // gone: forget it; not empty (a partial run folder still in it): try again on a later call
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") kept.unshift(dir);
    }
  }
  made.splice(0, made.length, ...kept);
}
