import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { newCounters } from "../engine/counters.js";
import { summarize } from "../engine/metrics.js";
import { compileModel } from "../engine/model.js";
import { InputError, locatedAt, type Problem, unknownName } from "../scenario/errors.js";
import { parseScenario, type SourceMap, validateScenario } from "../scenario/load.js";
import type { Scenario } from "../scenario/schema.js";
import { checkOutPath } from "../store/out-path.js";
import { getPath, setPath } from "../sweep/design.js";
import { mergeSweeps } from "../sweep/merge.js";
import { missingShards } from "../sweep/missing-shards.js";
import { isRegionShard } from "../sweep/regions.js";
import { checkVaryPaths, parseSweep } from "../sweep/spec.js";
import { planSweep, runScenario, runSweep, type Shard, SweepMismatch, shardRuns } from "../sweep/sweep.js";
import { fmtCount, fmtInt } from "./format.js";
import { usableMemory } from "./memory-limit.js";
import { checkMemory } from "./run.js";
import { readText, resolveBase } from "./scenario-arg.js";
import { workersFlag } from "./workers-flag.js";

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

/** Exit code of a sweep that ended with failed runs in its database (input errors exit 2). */
const SOME_RUNS_FAILED = 3;

/** Every varied name must exist and every kept metric must be a field of summary.json, before any run starts. */
function checkBeforeRunning(plan: ReturnType<typeof planSweep>, file: string, source: SourceMap): void {
  const problems: Problem[] = [];
  // names: apply each variant and keep only the problems about unknown names (bad values fail their own runs)
  const seen = new Set<string>();
  for (const run of plan.runs) {
    if (run.replicate !== 0) continue;
    try {
      validateScenario(runScenario(plan, run), file);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      for (const p of error.problems) {
        if (!p.message.startsWith("unknown") || seen.has(p.field)) continue;
        seen.add(p.field);
        const path = Object.keys(plan.spec.vary).find((k) => p.field.startsWith(k.split(".").slice(0, -1).join("."))) ?? p.field;
        problems.push({ field: `vary.${path}`, message: p.field === path ? p.message : `${p.field}: ${p.message}`, ...source.locate(["vary", path]) });
      }
    }
  }
  // ranges: a field that takes whole numbers needs `integer: true`, else every run would fail
  const first = plan.runs[0];
  for (const [path, value] of Object.entries(plan.spec.vary)) {
    if (Array.isArray(value) || value.integer || !first) continue;
    const inside = [0.5, 1 / Math.PI].map((u) => value.from + u * (value.to - value.from)).find((v) => !Number.isInteger(v));
    if (inside === undefined) continue;
    const probe = runScenario(plan, first);
    setPath(probe, path, inside);
    try {
      validateScenario(probe, file);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      if (error.problems.some((p) => p.field === path && /integer/.test(p.message)))
        problems.push({ field: `vary.${path}`, message: "this field takes whole numbers: add integer: true to its range", ...source.locate(["vary", path]) });
    }
  }
  // kept metrics: paths into a summary of this scenario
  const model = compileModel(validateScenario(plan.base, file).scenario);
  const sample = summarize(model, newCounters(model), { credsimVersion: "", scenario: "", scenarioHash: "" }) as unknown as Record<string, unknown>;
  (plan.spec.keep ?? []).forEach((k, i) => {
    const value = getPath(sample, k);
    if (typeof value === "number" || value === null) return;
    const parts = k.split(".");
    const parent = parts.length > 1 ? getPath(sample, parts.slice(0, -1).join(".")) : sample;
    const known = parent && typeof parent === "object" ? Object.keys(parent as object) : [];
    problems.push({
      field: `keep.${i}`,
      message:
        value === undefined
          ? unknownName(
              "summary field",
              k,
              known.map((x) => [...parts.slice(0, -1), x].join(".")),
            )
          : `'${k}' is not a number in summary.json (it has fields: ${Object.keys(value as object)
              .slice(0, 8)
              .join(", ")})`,
      ...source.locate(["keep", i]),
    });
  });
  if (problems.length) throw new InputError(file, problems);
}

export function loadSweep(file: string) {
  const text = readText(file, "sweep YAML file");
  const { spec, source } = parseSweep(text, file);
  const base = locatedAt(file, source.locate(["base"]), () => resolveBase(spec.base, file, "base"));
  const { scenario } = parseScenario(base.text, base.file, { resolveBase });
  const resolved = JSON.parse(JSON.stringify(scenario)) as Record<string, unknown>;
  checkVaryPaths(spec, resolved, file, source);
  const plan = planSweep(spec, resolved);
  checkBeforeRunning(plan, file, source);
  return plan;
}

/**
 * Every variant this shard runs must fit in memory, `workers` processes at a time,
 * before any run starts (a variant that is invalid fails its own runs instead).
 */
export function checkSweepMemory(plan: ReturnType<typeof planSweep>, file: string, shard: Shard | undefined, workers: number): void {
  const available = usableMemory() / workers;
  const share = workers > 1 ? ` (with --workers ${workers}, each of the runs at a time has 1/${workers} of the memory)` : "";
  for (const run of shardRuns(plan.runs, shard)) {
    if (run.replicate !== 0) continue;
    let scenario: Scenario;
    try {
      scenario = validateScenario(runScenario(plan, run), file).scenario;
    } catch {
      continue;
    }
    try {
      checkMemory(scenario, file, available, 1, share);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw new InputError(
        file,
        error.problems.map((p) => ({ ...p, field: `run ${run.runId}: ${p.field}` })),
      );
    }
  }
}

export async function sweepCommand(file: string, flags: SweepFlags): Promise<void> {
  const plan = loadSweep(file);
  const shard = parseShard(flags.shard);
  const workers = workersFlag(flags.workers, 1, flags.quiet);
  checkSweepMemory(plan, file, shard, workers);
  const out = flags.out ?? `sweeps/${plan.spec.name}${shard ? `-shard-${shard.index}-of-${shard.count}` : ""}`;
  checkOutPath(out);
  if (existsSync(out) && (!statSync(out).isDirectory() || (readdirSync(out).length > 0 && !existsSync(join(out, "sweep.duckdb"))))) {
    throw new InputError(out, [{ field: "--out", message: "exists and is not a sweep's output folder; choose another --out" }]);
  }
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
  // some runs failed (recorded with their errors): the results are incomplete, and scripts should see it
  if (result.failed + result.skippedFailed > 0) process.exitCode = SOME_RUNS_FAILED;
  if (!flags.quiet) {
    const before = result.skipped
      ? `, ${fmtInt(result.skipped)} already done before${result.skippedFailed ? ` (${fmtInt(result.skippedFailed)} of them failed; --retry-failed runs them again)` : ""}`
      : "";
    process.stdout.write(
      `sweep ${plan.spec.name}${shard ? ` (shard ${shard.index}/${shard.count})` : ""}: ${fmtCount(result.done, "run")} done, ${fmtInt(result.failed)} failed${before}; results in ${out}/ (sweep.duckdb, ${result.files.map((f) => basename(f)).join(", ")})\n`,
    );
    if (result.firstError) {
      process.stdout.write(
        `first failure: ${result.firstError}\nall failures: duckdb ${join(out, "sweep.duckdb")} "select run_id, error from runs where status = 'failed'"\n`,
      );
    }
  }
}

export async function mergeCommand(dirs: string[], flags: { out?: string; quiet?: boolean; partial?: boolean }): Promise<void> {
  const out = flags.out ?? "merged";
  checkOutPath(out);
  for (const d of dirs) if (!existsSync(d)) throw new InputError(d, [{ field: "", message: "no such folder" }]);
  const seen = new Map<string, string>();
  for (const d of dirs) {
    const at = resolve(d);
    if (seen.has(at)) throw new InputError(d, [{ field: "", message: `is given twice (also as ${seen.get(at)})` }]);
    seen.set(at, d);
  }
  if (seen.has(resolve(out))) throw new InputError(out, [{ field: "--out", message: "is one of the folders to merge; merge into another folder" }]);
  const regionShards = dirs.filter(isRegionShard);
  if (regionShards.length > 0) {
    if (regionShards.length !== dirs.length)
      throw new InputError(dirs.find((d) => !isRegionShard(d)) as string, [{ field: "", message: "is not a region shard folder, but the other folders are" }]);
    if (flags.partial) throw new InputError("--partial", [{ field: "", message: "region shards merge only when every shard is there" }]);
    const { mergeRegionShards } = await import("./regions.js");
    return mergeRegionShards(dirs, out, flags);
  }
  // region shards merge into a run folder, which replaces an earlier one (checkOutFolder); a sweep database is never replaced
  if (existsSync(out) && !statSync(out).isDirectory()) throw new InputError(out, [{ field: "--out", message: "is a file; merge into a new folder" }]);
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new InputError(out, [{ field: "--out", message: "exists and is not empty; merge into a new folder" }]);
  }
  const r = await mergeSweeps(dirs, out, flags.partial ?? false);
  if (!flags.quiet) {
    process.stdout.write(
      `merged ${fmtCount(dirs.length, "shard folder")}: ${fmtCount(r.runs, "run")} into ${out}/${r.missing.length ? ` — ${missingShards(r.missing)}` : ""}\n`,
    );
  }
  // as `sweep` does: the merged results hold failed runs, and scripts should see it
  if (r.failed > 0) {
    process.exitCode = SOME_RUNS_FAILED;
    if (!flags.quiet)
      process.stderr.write(
        `${fmtInt(r.failed)} of the runs failed (recorded with their errors): duckdb ${join(out, "sweep.duckdb")} "select run_id, error from runs where status = 'failed'"\n`,
      );
  }
}
