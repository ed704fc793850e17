import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { InputError } from "../scenario/errors.js";
import { parseScenario } from "../scenario/load.js";
import { mergeSweeps } from "../sweep/merge.js";
import { checkVaryPaths, parseSweep } from "../sweep/spec.js";
import { planSweep, runSweep, type Shard, SweepMismatch } from "../sweep/sweep.js";
import { fmtInt } from "./format.js";
import { intFlag, resolveBase } from "./scenario-arg.js";

export interface SweepFlags {
  workers?: string;
  out?: string;
  shard?: string;
  retryFailed?: boolean;
  quiet?: boolean;
}

export function parseShard(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new InputError("--shard", [{ field: "", message: `expected i/N with 1 ≤ i ≤ N (e.g. 3/8), got '${value}'` }]);
  }
  return { index, count };
}

export function loadSweep(file: string) {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new InputError(file, [{ field: "", message: "no such sweep file" }]);
  }
  const { spec, source } = parseSweep(text, file);
  const base = resolveBase(spec.base, file, "base");
  const { scenario } = parseScenario(base.text, base.file, { resolveBase });
  const resolved = JSON.parse(JSON.stringify(scenario)) as Record<string, unknown>;
  checkVaryPaths(spec, resolved, file, source);
  return planSweep(spec, resolved);
}

export async function sweepCommand(file: string, flags: SweepFlags): Promise<void> {
  const plan = loadSweep(file);
  const shard = parseShard(flags.shard);
  const workers = intFlag("--workers", flags.workers, 1, 256) ?? 1;
  const out = flags.out ?? `sweeps/${plan.spec.name}${shard ? `-shard-${shard.index}-of-${shard.count}` : ""}`;
  const tty = !flags.quiet && process.stderr.isTTY;
  const started = Date.now();
  let last = 0;
  let saved = 0;
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  let stop: (() => void) | null = null;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      stop?.();
      process.stderr.write(`\ncredsim: sweep interrupted; ${saved} finished runs are saved in ${out}; run the same command to resume\n`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
  let result: Awaited<ReturnType<typeof runSweep>>;
  try {
    result = await runSweep(plan, {
      out,
      workers,
      shard,
      retryFailed: flags.retryFailed,
      onStart: (s) => {
        stop = s;
      },
      onProgress: (p) => {
        saved = p.done + p.failed;
        if (!tty) return;
        const now = Date.now();
        if (now - last < 100 && saved < p.total) return;
        last = now;
        const frac = p.total ? saved / p.total : 1;
        const elapsed = (now - started) / 1000;
        const eta = saved > 0 ? (elapsed / saved) * (p.total - saved) : Number.NaN;
        const bar = "#".repeat(Math.round(frac * 30)).padEnd(30, "-");
        process.stderr.write(
          `\r${plan.spec.name} [${bar}] ${saved}/${p.total} runs, ${p.failed} failed${Number.isFinite(eta) ? `, ~${eta.toFixed(0)} s left` : ""}   `,
        );
      },
    });
  } catch (error) {
    if (error instanceof SweepMismatch) throw new InputError(out, [{ field: "--out", message: error.message }]);
    throw error;
  }
  if (tty) process.stderr.write("\r\x1b[2K");
  if (!flags.quiet) {
    process.stdout.write(
      `sweep ${plan.spec.name}${shard ? ` (shard ${shard.index}/${shard.count})` : ""}: ${fmtInt(result.done)} runs done, ${fmtInt(result.failed)} failed${result.skipped ? `, ${fmtInt(result.skipped)} already done before` : ""}; results in ${out}/ (sweep.duckdb, ${result.files.map((f) => basename(f)).join(", ")})\n`,
    );
  }
}

export async function mergeCommand(dirs: string[], flags: { out?: string; quiet?: boolean }): Promise<void> {
  const out = flags.out ?? "merged";
  const r = await mergeSweeps(dirs, out);
  if (!flags.quiet) {
    process.stdout.write(
      `merged ${dirs.length} shard folder(s): ${fmtInt(r.runs)} runs into ${out}/${r.missing.length ? ` — missing shards: ${r.missing.join(", ")}` : ""}\n`,
    );
  }
}
