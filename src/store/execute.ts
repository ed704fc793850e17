import type { Counters } from "../engine/counters.js";
import { type Summary, summarize } from "../engine/metrics.js";
import { compileModel, type Model } from "../engine/model.js";
import { simulateThreads } from "../engine/parallel.node.js";
import { canonicalJson, scenarioHash } from "../scenario/hash.js";
import type { Scenario } from "../scenario/schema.js";
import { followRows } from "./follow.js";
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
  /** Threads that built the contact network (2 for a large interacting run asked to use 2 or more). */
  networkThreads: number;
  seconds: number;
}

/** Agents logged per agent followed: the pool the followed are chosen from. */
export const POOL_PER_FOLLOWED = 50;

export async function execute(scenario: Scenario, options: { threads?: number; onProgress?: (done: number) => void; track?: number } = {}): Promise<Executed> {
  const model = compileModel(scenario);
  const hash = await scenarioHash(scenario);
  const started = performance.now();
  const track = options.track ?? 0;
  const { counters, threads, history, contacts, networkThreads } = await simulateThreads(scenario, options.threads ?? 1, options.onProgress, {
    poolSize: track * POOL_PER_FOLLOWED,
  });
  const seconds = (performance.now() - started) / 1000;
  const summary = summarize(model, counters, { credsimVersion, scenario: scenario.name, scenarioHash: hash });
  const tables = runTables(model, counters, summary, canonicalJson(scenario));
  if (history && track > 0) Object.assign(tables, followRows(model, history, contacts, track, tables.runs[0].run_id as string));
  return { model, counters, summary, tables, hash, threadsUsed: threads, networkThreads, seconds };
}
