import type { Counters } from "../engine/counters.js";
import { dailyRows, expectedOccurrences, type GroupMetrics, MIN_EXPECTED_OCCURRENCES, type Summary } from "../engine/metrics.js";
import { KIND_NAMES, type Model } from "../engine/model.js";

// The rows of a run, as the DuckDB tables and Parquet files hold them.

export type Value = number | string | null;
export type Row = Record<string, Value>;

export interface RunTables {
  runs: Row[];
  daily: Row[];
  groups: Row[];
  behaviours: Row[];
  /** Agents the run followed, and their histories (empty with --track 0). */
  followed?: Row[];
  history?: Row[];
  /** Per region, for a run split into regions. */
  regions?: Row[];
}

export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function scalars(m: GroupMetrics): Row {
  const row: Row = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === "number" || v === null) row[snake(k)] = v;
  return row;
}

export function runId(summary: Summary): string {
  return `${summary.scenarioHash}-${summary.seed}`;
}

export function runTables(model: Model, counters: Counters, summary: Summary, scenarioJson: string): RunTables {
  const id = runId(summary);
  const runs: Row[] = [
    {
      run_id: id,
      scenario: summary.scenario,
      scenario_hash: summary.scenarioHash,
      seed: summary.seed,
      credsim_version: summary.credsimVersion,
      agents: summary.agents,
      days: summary.days,
      ...scalars(summary.total),
      score_gini: summary.scoreGini,
      shadow_score_gini: summary.shadowScoreGini,
      appeals_queue_at_end: summary.appeals.queueAtEnd,
      mean_wrongful_listing_days: summary.appeals.meanWrongfulListingDays,
      median_wrongful_listing_days: summary.appeals.medianWrongfulListingDays,
      scenario_json: scenarioJson,
    },
  ];
  const daily = dailyRows(model, counters).map((r) => ({ run_id: id, ...r }));
  const groups = Object.entries(summary.groups).map(([group, m]) => ({
    run_id: id,
    group,
    ...scalars(m),
    listed_share_ratio: summary.ratios[group].listedShare,
    fpr_ratio: summary.ratios[group].fpr,
  }));
  const expected = expectedOccurrences(model, counters);
  const behaviours: Row[] = [];
  model.groups.forEach((group, g) => {
    model.behaviours.forEach((behaviour, b) => {
      let occ = 0;
      let denied = 0;
      for (let t = 0; t < model.days; t++) {
        occ += counters.occurrences[(t * model.G + g) * model.B + b];
        denied += counters.deniedByBehaviour[(t * model.G + g) * model.B + b];
      }
      const exp = expected[g * model.B + b];
      behaviours.push({
        run_id: id,
        group,
        behaviour,
        kind: KIND_NAMES[model.kind[b]],
        occurrences: occ, // attempts, denied ones included (as in chilling: fear alone lowers them)
        expected_without_system: exp,
        // as in summary.json: no estimate from fewer than MIN_EXPECTED_OCCURRENCES expected
        reduction: exp >= MIN_EXPECTED_OCCURRENCES ? 1 - occ / exp : null,
        denied_attempts: denied,
      });
    });
  });
  return { runs, daily, groups, behaviours };
}
