import { type ChildProcess, fork } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { addCounters, type Counters, countersArrays, countersFromArrays, newCounters } from "../engine/counters.js";
import { withHugePages } from "../engine/hugepages.node.js";
import { type Summary, summarize } from "../engine/metrics.js";
import { compileModel } from "../engine/model.js";
import { apportion } from "../engine/population.js";
import { Purpose, streamKey1 } from "../engine/rng.js";
import { InputError, type Problem, unknownName } from "../scenario/errors.js";
import { canonicalJson, shortHash } from "../scenario/hash.js";
import { issueProblems, parseYaml } from "../scenario/load.js";
import type { Scenario } from "../scenario/schema.js";
import { makeDirs } from "../store/make-dirs.js";
import { type Row, runTables } from "../store/tables.js";
import { credsimVersion } from "../store/version.js";
import { missingShards } from "./missing-shards.js";

// A country as regions: one scenario run once per region, each with its share of
// the agents and its own seed, as separate processes (here) or shards (a Slurm
// array, a Kubernetes Indexed Job), then added up. Counters are integer counts,
// so the sum is exact and does not depend on how regions were grouped into
// shards or in what order they finished.

export const RegionSpec = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a name of letters, digits, '-' or '_'"),
    title: z.string().optional(),
    description: z.string().optional(),
    references: z.array(z.record(z.string(), z.unknown())).default([]),
    assumptions: z.array(z.string()).default([]),
    regions: z
      .array(
        z
          .object({
            name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a name of letters, digits, '-' or '_'"),
            title: z.string().optional(),
            population: z.number().positive().optional().describe("people in the region (shares follow from these)"),
            share: z.number().positive().optional().describe("share of the agents (instead of population)"),
          })
          .strict(),
      )
      .min(1)
      .max(10_000),
  })
  .strict();
export type RegionSpec = z.output<typeof RegionSpec>;

export interface Region {
  index: number;
  name: string;
  agents: number;
  seed: number;
}

export function parseRegions(text: string, file: string): RegionSpec {
  const { data, source } = parseYaml(text, file);
  const parsed = RegionSpec.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw new InputError(
      file,
      issueProblems(
        parsed.error.issues,
        source,
        (issue, path) => {
          if (issue.code === "unrecognized_keys") {
            const known = path.length === 0 ? Object.keys(RegionSpec.shape) : ["name", "title", "population", "share"];
            return issue.keys.map((k) => unknownName("field", k, known)).join("; ");
          }
        },
        { locateUnknownKey: true },
      ),
    );
  }
  const spec = parsed.data;
  const problems: Problem[] = [];
  const seen = new Set<string>();
  spec.regions.forEach((r, k) => {
    const at = source.locate(["regions", k]);
    if ((r.population === undefined) === (r.share === undefined)) problems.push({ field: `regions.${k}`, message: "give either population or share", ...at });
    if (seen.has(r.name)) problems.push({ field: `regions.${k}.name`, message: `'${r.name}' appears twice`, ...at });
    seen.add(r.name);
  });
  if (problems.length === 0) {
    const mixed = spec.regions.some((r) => r.population !== undefined) && spec.regions.some((r) => r.share !== undefined);
    if (mixed)
      problems.push({ field: "regions", message: "give population for every region or share for every region, not a mix", ...source.locate(["regions"]) });
    const shareSum = spec.regions.reduce((s, r) => s + (r.share ?? 0), 0);
    if (!mixed && spec.regions[0].share !== undefined && Math.abs(shareSum - 1) > 1e-9)
      problems.push({ field: "regions", message: `shares must sum to 1, got ${shareSum}`, ...source.locate(["regions"]) });
  }
  if (problems.length) throw new InputError(file, problems);
  return spec;
}

/** The regions' agents (largest remainder of `agents` by share) and seeds (from the master seed and the region's index). */
export function planRegions(spec: RegionSpec, agents: number, seed: number, file: string): Region[] {
  const weights = spec.regions.map((r) => r.population ?? r.share ?? 0);
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = apportion(
    agents,
    weights.map((w) => w / total),
  );
  if (counts.some((n) => n < 10)) {
    // the smallest region decides: with this many agents its share gives it 10
    const small = weights.indexOf(Math.min(...weights));
    const need = Math.ceil((10 * total) / weights[small]);
    throw new InputError(file, [
      {
        field: "--agents",
        message: `${agents.toLocaleString("en")} agents give region '${spec.regions[small].name}' only ${counts[small]} (at least 10 each); use --agents ${need.toLocaleString("en")} or more`,
      },
    ]);
  }
  return spec.regions.map((r, index) => ({ index, name: r.name, agents: counts[index], seed: streamKey1(seed, index, Purpose.region) }));
}

/** Regions of shard i of N (1-based): largest first, each to the least-loaded shard, so shards get similar work. */
export function shardRegions(regions: Region[], index: number, count: number): Region[] {
  const load = new Array(count).fill(0);
  const owner = new Array(regions.length).fill(0);
  const order = [...regions].sort((a, b) => b.agents - a.agents || a.index - b.index);
  for (const r of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (load[s] < load[best]) best = s;
    owner[r.index] = best;
    load[best] += r.agents;
  }
  return regions.filter((r) => owner[r.index] === index - 1);
}

export function regionScenario(scenario: Scenario, r: Region): Scenario {
  const s = structuredClone(scenario);
  s.population.agents = r.agents;
  s.seed = r.seed;
  return s;
}

/** Runs the regions over `workers` processes; calls back with each region's counters as it finishes. */
export async function runRegions(
  scenario: Scenario,
  regions: Region[],
  workers: number,
  onDone: (r: Region, arrays: Float64Array[]) => void,
  onStop?: (stop: () => void) => void,
): Promise<void> {
  const workerFile = new URL(import.meta.url.endsWith(".ts") ? "./region-worker.ts" : "./region-worker.js", import.meta.url);
  const queue = [...regions].sort((a, b) => b.agents - a.agents || a.index - b.index);
  const children: ChildProcess[] = [];
  const stopAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
  };
  onStop?.(stopAll);
  // however this process ends, no region process is left running on its own
  process.on("exit", stopAll);
  const run = (child: ChildProcess, r: Region) =>
    new Promise<void>((resolveRun, reject) => {
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        reject(new Error(`region ${r.name}: worker process ${signal ? `was stopped by ${signal}` : `exited with code ${code}`} (out of memory?)`));
      child.once("exit", onExit);
      child.once("message", (msg: { error?: string; arrays?: Float64Array[] }) => {
        child.off("exit", onExit);
        if (msg.error || !msg.arrays) reject(new Error(`region ${r.name}: ${msg.error}`));
        else {
          onDone(r, msg.arrays);
          resolveRun();
        }
      });
      child.send({ scenario: regionScenario(scenario, r) });
    });
  try {
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(workers, queue.length)) }, async () => {
        const child = fork(workerFile, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced", env: withHugePages() });
        children.push(child);
        try {
          for (let r = queue.shift(); r; r = queue.shift()) await run(child, r);
        } finally {
          child.disconnect();
        }
      }),
    );
  } catch (error) {
    stopAll(); // one region failed: the others' results would not be used
    throw error;
  } finally {
    process.off("exit", stopAll);
  }
}

export interface RegionResult {
  region: Region;
  counters: Counters;
}

/** Adds the regions' counters (in region order) and summarises the whole and each region. */
export function combineRegions(scenario: Scenario, regions: RegionResult[], hash: string): { summary: Summary; tables: ReturnType<typeof runTables> } {
  const total = regions.reduce((s, r) => s + r.region.agents, 0);
  const whole = structuredClone(scenario);
  whole.population.agents = total;
  const model = compileModel(whole);
  const counters = newCounters(model);
  const sorted = [...regions].sort((a, b) => a.region.index - b.region.index);
  for (const r of sorted) addCounters(counters, r.counters);
  const meta = { credsimVersion, scenario: scenario.name, scenarioHash: hash };
  const summary = summarize(model, counters, meta);
  const rows: Row[] = sorted.map(({ region, counters: c }) => {
    const s = summarize(compileModel(regionScenario(scenario, region)), c, meta).total;
    return {
      run_id: `${hash}-${scenario.seed}`,
      region: region.name,
      agents: region.agents,
      seed: region.seed,
      listed_share: s.listedShare,
      wrongful_share_of_listed: s.wrongfulShareOfListed,
      fpr: s.fpr,
      ever_listed_share: s.everListedShare,
      sanction_days_per_person: s.sanctionDays / s.agents,
    };
  });
  summary.regions = rows.map((r) => ({
    name: r.region as string,
    agents: r.agents as number,
    seed: r.seed as number,
    listedShare: r.listed_share as number | null,
    wrongfulShareOfListed: r.wrongful_share_of_listed as number | null,
    fpr: r.fpr as number | null,
    everListedShare: r.ever_listed_share as number | null,
    sanctionDaysPerPerson: r.sanction_days_per_person as number,
  }));
  const tables = runTables(model, counters, summary, canonicalJson(whole));
  tables.regions = rows;
  return { summary, tables };
}

/** The hash of a regional run: the scenario (without seed) and the regions' names and sizes. */
export async function regionRunHash(scenario: Scenario, regions: Region[]): Promise<string> {
  const { seed: _seed, ...rest } = scenario;
  return shortHash(canonicalJson({ scenario: rest, regions: regions.map((r) => [r.name, r.agents]) }));
}

// ---- shard folders ----------------------------------------------------------

export const SHARD_FILE = "region-shard.json";

export interface ShardManifest {
  kind: "credsim-region-shard";
  credsimVersion: string;
  hash: string;
  shard: { index: number; count: number };
  spec: RegionSpec;
  scenario: Scenario;
  regions: Region[];
  /** SHA-256 of each region's counters file, so that merge notices any change to it. */
  checksums?: Record<string, string>;
  /** SHA-256 of the manifest's canonical JSON without this field. */
  manifestChecksum?: string;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Writes one shard's regions (manifest + one counters file per region), atomically. */
export function writeShard(out: string, manifest: ShardManifest, results: RegionResult[]): void {
  const target = resolve(out);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  makeDirs(partial);
  const checksums: Record<string, string> = {};
  // in region order, not the order the region processes finished in: a shard run again writes the same bytes
  for (const r of [...results].sort((a, b) => a.region.index - b.region.index)) {
    const arrays = countersArrays(r.counters);
    const bytes = Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
    const file = `region-${r.region.index}.bin`;
    writeFileSync(join(partial, file), bytes);
    checksums[file] = sha256(bytes);
  }
  const body = { ...manifest, checksums };
  // the manifest's own checksum: a changed scenario or region list would misdescribe the counts
  writeFileSync(join(partial, SHARD_FILE), `${JSON.stringify({ ...body, manifestChecksum: sha256(Buffer.from(canonicalJson(body))) }, null, 2)}\n`);
  rmSync(target, { recursive: true, force: true });
  renameSync(partial, target);
}

export function isRegionShard(dir: string): boolean {
  return existsSync(join(dir, SHARD_FILE));
}

/** Reads shard folders back; checks they belong to one run and that every shard is there. */
export function readShards(dirs: string[]): { manifest: ShardManifest; results: RegionResult[] } {
  const manifests = dirs.map((d) => {
    try {
      return JSON.parse(readFileSync(join(d, SHARD_FILE), "utf8")) as ShardManifest;
    } catch {
      throw new InputError(d, [{ field: "", message: `not a region shard folder (no readable ${SHARD_FILE})` }]);
    }
  });
  manifests.forEach((m, k) => {
    if (m?.kind !== "credsim-region-shard" || !Array.isArray(m.regions) || !m.shard || !m.scenario)
      throw new InputError(dirs[k], [{ field: "", message: `${SHARD_FILE} is damaged or not credsim's` }]);
    if (m.credsimVersion !== credsimVersion)
      throw new InputError(dirs[k], [
        { field: "", message: `was written by credsim ${m.credsimVersion}; merge it with that version (this is ${credsimVersion}), or run the shard again` },
      ]);
    const { manifestChecksum, ...body } = m;
    if (manifestChecksum !== sha256(Buffer.from(canonicalJson(body))))
      throw new InputError(dirs[k], [
        { field: "", message: `${SHARD_FILE} was changed after the shard wrote it (or is from an older shard); run this shard again` },
      ]);
  });
  const first = manifests[0];
  manifests.forEach((m, k) => {
    if (m.hash !== first.hash || m.scenario.seed !== first.scenario.seed || m.shard.count !== first.shard.count)
      throw new InputError(dirs[k], [{ field: "", message: `belongs to another run than ${dirs[0]} (scenario, regions, seed or shard count differ)` }]);
  });
  const have = new Set(manifests.map((m) => m.shard.index));
  const missing = Array.from({ length: first.shard.count }, (_, k) => k + 1).filter((k) => !have.has(k));
  if (missing.length) {
    throw new InputError("merge", [
      { field: "", message: `${missingShards(missing.map((k) => `${k}/${first.shard.count}`))}; a country is only complete with every region` },
    ]);
  }
  const results: RegionResult[] = [];
  const seen = new Set<number>();
  manifests.forEach((m, k) => {
    for (const region of m.regions) {
      if (seen.has(region.index)) throw new InputError(dirs[k], [{ field: "", message: `region ${region.name} appears in two shard folders` }]);
      seen.add(region.index);
      const model = compileModel(regionScenario(m.scenario, region));
      const shapes = countersArrays(newCounters(model)).map((a) => a.length);
      const file = `region-${region.index}.bin`;
      const expected = shapes.reduce((a, b) => a + b, 0) * 8;
      if (!existsSync(join(dirs[k], file)))
        throw new InputError(dirs[k], [{ field: "", message: `${file} (region ${region.name}) is missing; run this shard again` }]);
      const bytes = readFileSync(join(dirs[k], file));
      if (bytes.byteLength !== expected)
        throw new InputError(dirs[k], [
          { field: "", message: `${file} (region ${region.name}) is damaged: ${bytes.byteLength} bytes, expected ${expected}; run this shard again` },
        ]);
      if (!m.checksums) throw new InputError(dirs[k], [{ field: "", message: `${SHARD_FILE} has no checksums (an older shard); run this shard again` }]);
      if (m.checksums[file] !== sha256(bytes))
        throw new InputError(dirs[k], [
          { field: "", message: `${file} (region ${region.name}) is damaged: it is not the file this shard wrote; run this shard again` },
        ]);
      const all = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      const arrays: Float64Array[] = [];
      let at = 0;
      for (const n of shapes) {
        arrays.push(all.slice(at, at + n));
        at += n;
      }
      const counters = countersFromArrays(model, arrays);
      // every counter is a count: a file that does not say so, or whose groups do not add up to the region, was altered
      const people = Array.from(counters.agents).reduce((a, b) => a + b, 0);
      if (people !== region.agents || arrays.some((a) => a.some((x) => !(x >= 0))))
        throw new InputError(dirs[k], [
          { field: "", message: `${file} (region ${region.name}) is damaged: its counts do not fit a run of ${region.agents} agents; run this shard again` },
        ]);
      results.push({ region, counters });
    }
  });
  return { manifest: first, results };
}
