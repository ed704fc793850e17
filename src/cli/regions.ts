import { existsSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { stringify } from "yaml";
import { countersFromArrays } from "../engine/counters.js";
import { estimateMemory, largestFitting } from "../engine/memory.js";
import { compileModel } from "../engine/model.js";
import { runDataFromTables } from "../report/rundata.js";
import { REGIONS_NOTE } from "../report/summary-table.js";
import { buildReport } from "../report/write.js";
import { didYouMean, InputError } from "../scenario/errors.js";
import type { Scenario } from "../scenario/schema.js";
import { checkOutPath } from "../store/out-path.js";
import { checkOutFolder, resolvedScenarioYaml, writeRunFolder } from "../store/runfolder.js";
import { credsimVersion } from "../store/version.js";
import {
  combineRegions,
  parseRegions,
  planRegions,
  type Region,
  type RegionResult,
  type RegionSpec,
  readShards,
  regionRunHash,
  regionScenario,
  runRegions,
  shardRegions,
  writeShard,
} from "../sweep/regions.js";
import { fmtBytes, fmtCount, fmtInt, progressBar, summaryTable, table } from "./format.js";
import { memoryBound, usableMemory } from "./memory-limit.js";
import { checkMemory, MAX_AGENTS_PER_PROCESS, type RunFlags } from "./run.js";
import { presetsDir, readText } from "./scenario-arg.js";
import { parseShard } from "./sweep.js";
import { workersFlag } from "./workers-flag.js";

// `credsim run SCENARIO --regions SPEC`: a country as regions run in separate
// processes (or as shards of a cluster job, then `credsim merge`).

const regionsDir = join(presetsDir, "regions");

function regionPresets(): string[] {
  if (!existsSync(regionsDir)) return [];
  return readdirSync(regionsDir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => basename(f, ".yaml"))
    .sort();
}

/** Whether `name` is a built-in region set (presets/regions/NAME.yaml). */
export function isRegionPreset(name: string): boolean {
  return regionPresets().includes(name.replace(/\.ya?ml$/, ""));
}

export function loadRegionSpec(arg: string): { spec: RegionSpec; file: string } {
  let file = arg;
  if (!existsSync(file)) {
    const preset = join(regionsDir, `${arg.replace(/\.ya?ml$/, "")}.yaml`);
    if (!arg.includes("/") && existsSync(preset)) file = preset;
    else {
      const known = regionPresets();
      const guess = didYouMean(arg, known);
      throw new InputError(arg, [
        {
          field: "--regions",
          message: `no such file, and no built-in region set of that name${guess ? ` (did you mean '${guess}'?)` : ""}; built in: ${known.join(", ")}`,
        },
      ]);
    }
  }
  return { spec: parseRegions(readText(file, "region set YAML file"), file), file };
}

export interface RegionFlags extends RunFlags {
  regions: string;
  workers?: string;
  shard?: string;
}

export async function regionsCommand(scenario: Scenario, file: string, flags: RegionFlags): Promise<void> {
  if (flags.threads !== undefined && flags.threads !== "1")
    throw new InputError("--threads", [{ field: "", message: "regions run as processes: use --workers with --regions" }]);
  const { spec, file: specFile } = loadRegionSpec(flags.regions);
  const regions = planRegions(spec, scenario.population.agents, scenario.seed, specFile);
  const shard = parseShard(flags.shard);
  if (shard && shard.count > regions.length)
    throw new InputError("--shard", [
      { field: "", message: `${shard.count} shards for ${regions.length} regions: each shard runs whole regions, so at most ${regions.length} shards` },
    ]);
  const workers = workersFlag(flags.workers, 2, flags.quiet);
  const mine = shard ? shardRegions(regions, shard.index, shard.count) : regions;
  // each process holds one region at a time: the largest `workers` of them must fit together
  const largest = [...mine].sort((a, b) => b.agents - a.agents).slice(0, workers);
  const share = Math.max(1, largest.length);
  if (largest.length) checkRegionMemory(scenario, file, largest[0], regions, share);
  const hash = await regionRunHash(scenario, regions);
  const name = `${scenario.name}-${spec.name}`;
  const out = flags.out ?? (shard ? `runs/${name}-shard-${shard.index}-of-${shard.count}` : `runs/${name}`);
  checkOutPath(out);
  checkOutFolder(out);
  const totalAgents = mine.reduce((s, r) => s + r.agents, 0);
  const quiet = flags.quiet || flags.json;
  const bar =
    !quiet && process.stderr.isTTY
      ? progressBar(`${name}: ${fmtCount(mine.length, "region")}, ${fmtInt(totalAgents)} agents × ${fmtCount(scenario.days, "day")}`)
      : null;
  let done = 0;
  const results: RegionResult[] = [];
  const started = performance.now();
  let stop = () => {};
  // before the handler that exits (src/cli/main.ts), so that the region processes are stopped first
  const onSignal = () => stop();
  process.prependListener("SIGINT", onSignal);
  process.prependListener("SIGTERM", onSignal);
  try {
    await runRegions(
      scenario,
      mine,
      workers,
      (region: Region, arrays: Float64Array[]) => {
        results.push({ region, counters: countersFromArrays(compileModel(regionScenario(scenario, region)), arrays) });
        done += region.agents;
        bar?.update(done / totalAgents);
      },
      (s) => (stop = s),
    );
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  bar?.end();
  const seconds = (performance.now() - started) / 1000;
  if (shard) {
    writeShard(out, { kind: "credsim-region-shard", credsimVersion, hash, shard, spec, scenario, regions: mine }, results);
    // a shard has no summary of its own (that comes from merge): --json says what it holds
    if (flags.json)
      process.stdout.write(
        `${JSON.stringify({ shard: `${shard.index}/${shard.count}`, regions: mine.map((r) => ({ name: r.name, agents: r.agents, seed: r.seed })), agents: totalAgents, seconds, out }, null, 2)}\n`,
      );
    else if (!quiet)
      process.stdout.write(
        `shard ${shard.index}/${shard.count}: ${fmtCount(mine.length, "region")} (${mine.map((r) => r.name).join(", ")}), ${fmtInt(totalAgents)} agents in ${seconds.toFixed(1)} s; results in ${out}/ — join the shards with: credsim merge <shard folders> --out DIR\n`,
      );
    return;
  }
  await writeRegionRun(out, scenario, spec, results, hash, flags);
  if (!quiet)
    process.stdout.write(
      `\nsimulated ${fmtCount(regions.length, "region")} in ${seconds.toFixed(1)} s on ${fmtCount(Math.min(workers, regions.length), "process", "processes")}; results in ${out}/\n`,
    );
}

/** The run folder of a regional run: the whole in summary.json, daily.parquet and the report; each region in the `regions` table. */
export async function writeRegionRun(
  out: string,
  scenario: Scenario,
  spec: RegionSpec,
  results: RegionResult[],
  hash: string,
  flags: { json?: boolean; quiet?: boolean; report?: boolean },
) {
  const { summary, tables } = combineRegions(scenario, results, hash);
  const whole = structuredClone(scenario);
  whole.population.agents = summary.agents;
  const scenarioYaml = resolvedScenarioYaml(whole, { version: credsimVersion, hash, seed: scenario.seed });
  const regionsYaml = `# Regions of this run: each ran the scenario with these agents and this seed.\n${stringify(
    { ...spec, regions: (summary.regions ?? []).map((r, k) => ({ ...spec.regions[k], agents: r.agents, seed: r.seed })) },
    { lineWidth: 0 },
  )}`;
  const extra: Record<string, string> = { "regions.yaml": regionsYaml };
  if (flags.report !== false)
    extra["report.html"] = buildReport(
      { ...runDataFromTables(summary, tables, `${scenario.title ?? scenario.name} — ${spec.title ?? spec.name}`), regionsYaml },
      scenarioYaml,
    ).html;
  await writeRunFolder(out, { scenarioYaml, summary, tables, extra });
  if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else if (!flags.quiet) {
    const pct = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(2)} %`);
    process.stdout.write(
      `${scenario.title ?? scenario.name} in ${fmtCount(spec.regions.length, "region")} (${spec.title ?? spec.name}) — ${fmtInt(summary.agents)} agents, ${fmtCount(summary.days, "day")}, seed ${summary.seed} (regional run ${summary.scenarioHash}, credsim ${summary.credsimVersion})\n\n${summaryTable(summary)}\n\n${table(
        [
          ["region", "agents", "listed", "wrongful share", "FPR", "sanction-days/person"],
          ...(summary.regions ?? []).map((r) => [
            r.name,
            fmtInt(r.agents),
            pct(r.listedShare),
            pct(r.wrongfulShareOfListed),
            pct(r.fpr),
            r.sanctionDaysPerPerson.toFixed(2),
          ]),
        ],
      )}\n\n${REGIONS_NOTE}\n`,
    );
  }
  return summary;
}

/** `credsim merge` of region shard folders. */
export async function mergeRegionShards(dirs: string[], out: string, flags: { quiet?: boolean }): Promise<void> {
  const { manifest, results } = readShards(dirs);
  checkOutFolder(out);
  await writeRegionRun(out, manifest.scenario, manifest.spec, results, manifest.hash, { quiet: true });
  if (!flags.quiet) process.stdout.write(`merged ${fmtCount(dirs.length, "region shard folder")}: ${fmtCount(results.length, "region")} into ${out}/\n`);
}

/**
 * The largest region must fit, `share` processes at a time: said of the region and
 * of the whole, since the person chooses the whole (--agents) and the workers.
 */
function checkRegionMemory(scenario: Scenario, file: string, region: Region, regions: Region[], share: number): void {
  const machine = usableMemory();
  const available = machine / share;
  const one = regionScenario(scenario, region);
  const total = regions.reduce((n, r) => n + r.agents, 0);
  if (region.agents > MAX_AGENTS_PER_PROCESS)
    throw new InputError(file, [
      {
        field: "population.agents",
        message: `region ${region.name}, the largest, would hold ${fmtInt(region.agents)} of the ${fmtInt(total)} agents; one process holds at most ${fmtInt(MAX_AGENTS_PER_PROCESS)} (agent numbers are 32-bit): at most about ${fmtInt(Math.floor((MAX_AGENTS_PER_PROCESS * total) / region.agents))} agents in all with these regions, or more regions`,
      },
    ]);
  const estimate = estimateMemory(compileModel(one));
  if (estimate.bytes > available) {
    const fitsAll = Math.floor((largestFitting(estimate, available) * total) / region.agents);
    throw new InputError(file, [
      {
        field: "population.agents",
        message: `region ${region.name}, the largest (${fmtInt(region.agents)} of the ${fmtInt(total)} agents), needs about ${fmtBytes(estimate.bytes)} (${estimate.bytesPerAgent.toFixed(0)} bytes per agent, ${estimate.engine} engine); ${
          share > 1
            ? `${share} processes at a time (--workers) share the ${fmtBytes(machine)} ${memoryBound()} allows, ${fmtBytes(available)} each`
            : `${memoryBound()} allows ${fmtBytes(available)}`
        }; at most about ${fmtInt(fitsAll)} agents in all would fit${share > 1 ? ", more with fewer --workers" : ""}`,
      },
    ]);
  }
  checkMemory(one, file, available); // the other limits, said of the region
}
