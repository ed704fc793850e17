import type { Scenario } from "../src/scenario/schema.js";

// The few parameters that matter most, as sliders over any scenario. Each knob
// reads its value from the scenario (so a slider starts where the preset is) and
// writes it back into a copy; a knob that does not apply to a scenario says why.

export type KnobKey = "sensorError" | "groupError" | "threshold" | "joint" | "appealCapacity" | "fear";
export type Knobs = Partial<Record<KnobKey, number>>;

export interface KnobDef {
  key: KnobKey;
  /** Short code used in the page's URL. */
  code: string;
  label: (s: Scenario) => string;
  help: string;
  kind: "range" | "toggle";
  range: (s: Scenario) => { min: number; max: number; step: number };
  /** The scenario's own value, or a sentence saying why the knob does not apply. */
  read: (s: Scenario) => number | { unavailable: string };
  apply: (s: Scenario, value: number) => void;
}

const sources = (s: Scenario) => Object.values(s.sources);
const writesFalseRecords = (s: Scenario) => sources(s).some((src) => Object.values(src.falseRate).some((r) => r > 0));
const secondGroup = (s: Scenario) => s.population.groups[1]?.name;
/** Whether anything moves a score: points for some behaviour, the association penalty, or peer ratings. */
const scoresMove = (s: Scenario) => Object.values(s.scoring.points).some((p) => p !== 0) || s.scoring.association > 0 || s.ratings !== null;
/**
 * Whether every restriction and every way to be listed (a behaviour with negative
 * points or direct listing) share one domain: then a listing restricts the same
 * whether punishment is joint or not.
 */
const oneDomain = (s: Scenario) => {
  const listing = Object.entries(s.behaviours)
    .filter(([b]) => (s.scoring.points[b] ?? 0) < 0 || (s.listing.direct[b] ?? 0) > 0)
    .map(([, beh]) => beh.domain);
  return new Set([...listing, ...Object.values(s.restrictions).map((r) => r.domain)]).size <= 1;
};
/** 1, 2 or 5 times a power of ten, at least `x`. */
const niceStep = (x: number) => {
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 5, 10].map((k) => k * p).find((v) => v >= x) ?? 10 * p;
};

export const KNOBS: KnobDef[] = [
  {
    key: "sensorError",
    code: "e",
    label: () => "Sensor error (× false-record rates)",
    help: "Multiplies every source's false-record rate. 1 is the scenario as written.",
    kind: "range",
    range: () => ({ min: 0, max: 10, step: 0.1 }),
    read: (s) => (writesFalseRecords(s) ? 1 : { unavailable: "no source in this scenario writes false records" }),
    apply: (s, v) => {
      for (const src of sources(s)) for (const b of Object.keys(src.falseRate)) src.falseRate[b] = Math.min(1, src.falseRate[b] * v);
    },
  },
  {
    key: "groupError",
    code: "g",
    label: (s) => `Extra error for group '${secondGroup(s) ?? "second"}' (× its false-record multipliers)`,
    help: "Multiplies the second group's false-record multiplier on every source that writes false records (a source without one counts as 1). 1 is the scenario as written.",
    kind: "range",
    range: () => ({ min: 0, max: 10, step: 0.1 }),
    read: (s) => {
      if (!secondGroup(s)) return { unavailable: "this scenario has one group" };
      if (!writesFalseRecords(s)) return { unavailable: "no source in this scenario writes false records" };
      return 1;
    },
    apply: (s, v) => {
      const g = secondGroup(s) as string;
      for (const src of sources(s)) if (Object.values(src.falseRate).some((r) => r > 0)) src.groupFalseMult[g] = (src.groupFalseMult[g] ?? 1) * v;
    },
  },
  {
    key: "threshold",
    code: "t",
    label: () => "Listing threshold (score below it lists)",
    help: "A score below this puts a person on the blacklist.",
    kind: "range",
    range: (s) => ({ min: s.scoring.min, max: s.scoring.max, step: niceStep((s.scoring.max - s.scoring.min) / 400) }),
    read: (s) =>
      scoresMove(s) ? s.listing.enterBelow : { unavailable: "scores never move in this scenario (no behaviour has points): it lists by direct listing alone" },
    apply: (s, v) => void (s.listing.enterBelow = v),
  },
  {
    key: "joint",
    code: "j",
    label: () => "Joint punishment (restricted everywhere)",
    help: "On: a listed person is under every restriction. Off: only the restrictions of the domain that listed them.",
    kind: "toggle",
    range: () => ({ min: 0, max: 1, step: 1 }),
    read: (s) => {
      if (!Object.keys(s.restrictions).length) return { unavailable: "this scenario has no restrictions" };
      if (oneDomain(s)) return { unavailable: "its restrictions and listings are all in one domain, so joint punishment changes nothing" };
      return s.listing.joint ? 1 : 0;
    },
    apply: (s, v) => void (s.listing.joint = v === 1),
  },
  {
    key: "appealCapacity",
    code: "a",
    label: () => "Appeal capacity (decisions per day per million people)",
    help: "How many appeals are decided each day; below the inflow, a queue builds.",
    kind: "range",
    range: (s) => ({ min: 0, max: Math.max(1000, 4 * (s.appeals?.capacityPerMillion ?? 0)), step: 1 }),
    read: (s) => (s.appeals ? s.appeals.capacityPerMillion : { unavailable: "this scenario has no appeal procedure (add `appeals:` in the YAML)" }),
    apply: (s, v) => {
      if (s.appeals) s.appeals.capacityPerMillion = v;
    },
  },
  {
    key: "fear",
    code: "f",
    label: () => "Fear (× fear added by records and listed contacts)",
    help: "Multiplies the fear a penalising record adds and the fear a newly listed contact adds; fear deters and chills behaviour.",
    kind: "range",
    range: () => ({ min: 0, max: 5, step: 0.1 }),
    read: (s) => (s.fear ? 1 : { unavailable: "people in this scenario feel no fear (add `fear:` in the YAML)" }),
    apply: (s, v) => {
      if (!s.fear) return;
      s.fear.self *= v;
      s.fear.social *= v;
    },
  },
];

/** A copy of the scenario with the knobs set (knobs left out keep the scenario's value). */
export function applyKnobs(scenario: Scenario, knobs: Knobs): Scenario {
  const s = structuredClone(scenario);
  for (const k of KNOBS) {
    const v = knobs[k.key];
    const own = k.read(scenario);
    // at the scenario's own value a knob leaves the scenario as written (and its hash)
    if (v === undefined || typeof own !== "number" || v === own) continue;
    k.apply(s, v);
  }
  return s;
}
