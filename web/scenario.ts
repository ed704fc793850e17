import { formatProblems, InputError } from "../src/scenario/errors.js";
import { parseScenario, validateScenario } from "../src/scenario/load.js";
import type { Scenario } from "../src/scenario/schema.js";
import { applyKnobs } from "./knobs.js";
import { PRESETS, resolveBase } from "./presets.js";
import type { LabState, Policy } from "./state.js";

// A policy of the page to a scenario the engine runs: the text (the preset's or
// the edited one) parsed and checked exactly as the CLI does, then the sliders,
// then the page's agents, days and seed.

export const fileName = (p: Policy) => `${p.preset}.yaml${p.yaml === null ? "" : " (edited)"}`;
export const textOf = (p: Policy) => p.yaml ?? PRESETS[p.preset];

export type Parsed = { ok: true; base: Scenario; warnings: string[] } | { ok: false; message: string };

export function parsePolicy(p: Policy): Parsed {
  const file = fileName(p);
  try {
    const { scenario, warnings } = parseScenario(textOf(p), file, { resolveBase });
    return { ok: true, base: scenario, warnings: warnings.length ? formatProblems(file, warnings).split("\n") : [] };
  } catch (e) {
    if (e instanceof InputError) return { ok: false, message: e.message };
    throw e;
  }
}

/** The scenario to run, and the warnings `credsim validate` would give for it (settings that do nothing or surprise). */
export function scenarioToRun(base: Scenario, p: Policy, st: LabState): { scenario: Scenario; warnings: string[] } {
  const s = applyKnobs(base, p.knobs);
  s.population.agents = st.agents;
  s.days = st.days;
  s.seed = st.seed;
  // the same checks as a file, on the values the page set
  const { scenario, warnings } = validateScenario(s, "the lab's settings");
  return { scenario, warnings: warnings.map((w) => `${w.field}: ${w.message}`) };
}
