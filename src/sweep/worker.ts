import { summarize } from "../engine/metrics.js";
import { compileModel } from "../engine/model.js";
import { simulate } from "../engine/run.js";
import { canonicalJson, scenarioHash } from "../scenario/hash.js";
import { validateScenario } from "../scenario/load.js";
import { runTables } from "../store/tables.js";
import { credsimVersion } from "../store/version.js";

// A sweep worker process: receives one run at a time, simulates it in this
// process (one thread), and sends back the summary and rows, or the error.

export interface Job {
  runId: string;
  scenario: unknown;
  daily: boolean;
}

export interface JobResult {
  runId: string;
  error?: string;
  summary?: unknown;
  groups?: Record<string, unknown>[];
  daily?: Record<string, unknown>[];
}

process.on("message", async (job: Job) => {
  let result: JobResult;
  try {
    const { scenario } = validateScenario(job.scenario, `run ${job.runId}`);
    const model = compileModel(scenario);
    const counters = simulate(model);
    const hash = await scenarioHash(scenario);
    const summary = summarize(model, counters, { credsimVersion, scenario: scenario.name, scenarioHash: hash });
    const tables = runTables(model, counters, summary, canonicalJson(scenario));
    result = { runId: job.runId, summary, groups: tables.groups, daily: job.daily ? tables.daily : undefined };
  } catch (error) {
    result = { runId: job.runId, error: error instanceof Error ? error.message : String(error) };
  }
  process.send?.(result);
});

// If the sweep stops (Ctrl-C, kill), stop with it.
process.on("disconnect", () => process.exit(0));
