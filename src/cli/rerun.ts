import { spawn } from "node:child_process";
import { constants } from "node:os";
import { withHugePages } from "../engine/hugepages.node.js";

/**
 * Runs this same command again in a child process started with huge pages
 * (src/engine/hugepages.node.ts) and returns its exit code. The child writes
 * everything; this process only waits. Ctrl-C reaches the child from the
 * terminal; a signal sent to this process alone is passed on.
 */
export function rerunWithHugePages(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env: withHugePages() });
    // the child reports an interruption and cleans up after itself; this process must not exit first
    process.removeAllListeners("SIGINT");
    process.removeAllListeners("SIGTERM");
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 1)));
  });
}
