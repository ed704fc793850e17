import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { HUGE_PAGES_FROM, hugePageTunable, withHugePages } from "../engine/hugepages.node.js";
import type { MemoryEstimate } from "../engine/memory.js";
import { removeEmptyMadeDirs } from "../store/make-dirs.js";

/** Set in the environment of a restarted run, so that it never restarts again (glibc drops GLIBC_TUNABLES for setuid or setcap binaries). */
const RESTARTED = "CREDSIM_RESTARTED";

/**
 * Whether a run should start again with huge pages: Linux with glibc 2.35 or
 * later, transparent huge pages not "never", a calendar-engine run whose
 * estimate reaches 1 GiB (the per-agent engine holds about a byte per agent),
 * and neither the user nor an earlier start has decided already.
 */
export function shouldRestartWithHugePages(estimate: MemoryEstimate): boolean {
  if (process.platform !== "linux" || estimate.engine !== "calendar" || estimate.bytes < HUGE_PAGES_FROM) return false;
  if (process.env[RESTARTED] !== undefined || hugePageTunable() !== undefined) return false;
  const thp = "/sys/kernel/mm/transparent_hugepage/enabled";
  if (!existsSync(thp) || readFileSync(thp, "utf8").includes("[never]")) return false;
  const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
  const [major, minor] = (glibc ?? "0.0").split(".").map(Number);
  return major * 1000 + minor >= 2035;
}

/** Set to a copy of the scenario text when the scenario came from a file that cannot be read twice (read in src/cli/scenario-arg.ts). */
const SCENARIO_COPY = "CREDSIM_SCENARIO_COPY";

/**
 * Runs this same command again in a child process started with huge pages
 * (src/engine/hugepages.node.ts) and returns its exit code. The child writes
 * everything; this process only waits. Ctrl-C reaches the child from the
 * terminal; a signal sent to this process alone is passed on. A scenario read
 * from a pipe (/dev/stdin, a process substitution) is empty the second time, so
 * the child gets a copy of the text this process read; the child removes it once
 * read (src/cli/scenario-arg.ts), this process if the child never got that far.
 */
export function rerunWithHugePages(scenario: { file: string; text: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...withHugePages(), [RESTARTED]: "1" };
    const copyDir = isRegularFile(scenario.file) ? null : mkdtempSync(join(tmpdir(), "credsim-scenario-"));
    if (copyDir) {
      env[SCENARIO_COPY] = join(copyDir, "scenario.yaml");
      writeFileSync(env[SCENARIO_COPY], scenario.text);
    }
    const removeCopy = () => copyDir && rmSync(copyDir, { recursive: true, force: true });
    // the IPC channel closes when this process ends in any way (even SIGKILL); the child then stops too
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: ["inherit", "inherit", "inherit", "ipc"], env });
    // the child reports an interruption and cleans up after itself; this process must not exit first
    const passed = new Set<string>();
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.removeAllListeners(signal);
      process.on(signal, () => {
        passed.add(signal);
        child.kill(signal);
      });
    }
    child.on("error", (error) => {
      removeCopy();
      reject(error);
    });
    child.on("exit", (code, signal) => {
      removeCopy();
      if (code !== 0) removeEmptyMadeDirs(); // the --out parents this process made, if the run left them empty
      if (signal && !passed.has(signal))
        process.stderr.write(
          `credsim: the run's process was stopped by ${signal}${signal === "SIGKILL" ? " (out of memory?)" : ""}; no results were written\n`,
        );
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 1));
    });
  });
}

function isRegularFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** In a restarted run: stop as if interrupted when the process that started it has gone (its IPC channel closed). */
export function stopWithParent(): void {
  if (process.env[RESTARTED] === undefined || !process.channel) return;
  process.channel.unref(); // the channel alone must not keep this process alive
  process.on("disconnect", () => process.kill(process.pid, "SIGTERM"));
}
