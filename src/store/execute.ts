import type { Counters } from "../engine/counters.js";
import { type Summary, summarize } from "../engine/metrics.js";
import { compileModel, type Model } from "../engine/model.js";
import { simulateThreads } from "../engine/parallel.node.js";
import { canonicalJson, scenarioHash } from "../scenario/hash.js";
import type { Scenario } from "../scenario/schema.js";
import { type RunTables, runTables } from "./tables.js";
import { credsimVersion } from "./version.js";

// The run API: a resolved scenario in, counters, summary and tables out.

export interface Executed {
  model: Model;
  counters: Counters;
  summary: Summary;
  tables: RunTables;
  hash: string;
  threadsUsed: number;
  seconds: number;
}

export async function execute(scenario: Scenario, options: { threads?: number; onProgress?: (done: number) => void } = {}): Promise<Executed> {
  const model = compileModel(scenario);
  const hash = await scenarioHash(scenario);
  const started = performance.now();
  const { counters, threads } = await simulateThreads(scenario, options.threads ?? 1, options.onProgress);
  const seconds = (performance.now() - started) / 1000;
  const summary = summarize(model, counters, { credsimVersion, scenario: scenario.name, scenarioHash: hash });
  const tables = runTables(model, counters, summary, canonicalJson(scenario));
  return { model, counters, summary, tables, hash, threadsUsed: threads, seconds };
}
