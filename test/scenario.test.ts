import { readdirSync, readFileSync } from "node:fs";
import { Validator } from "@cfworker/json-schema";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { InputError } from "../src/scenario/errors.js";
import { jsonSchema } from "../src/scenario/jsonschema.js";
import { parseScenario } from "../src/scenario/load.js";
import { preset } from "./helpers.js";

// Property tests of the scenario loader: what a person can write either loads or
// fails with an InputError that names a line and a field, never anything else.

const nameArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);

/** A random valid scenario (as a person would write it, with many fields left to defaults). */
const scenarioArb = fc
  .record({
    groups: fc.uniqueArray(nameArb, { minLength: 1, maxLength: 4 }),
    weights: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 4, maxLength: 4 }),
    behaviours: fc.uniqueArray(nameArb, { minLength: 1, maxLength: 5 }),
    kinds: fc.array(fc.constantFrom("violation", "disfavored", "rewarded", "access"), { minLength: 5, maxLength: 5 }),
    bases: fc.array(fc.double({ min: 0, max: 0.05, noNaN: true }), { minLength: 5, maxLength: 5 }),
    detect: fc.double({ min: 0, max: 1, noNaN: true }),
    points: fc.integer({ min: -100, max: 20 }),
    agents: fc.integer({ min: 10, max: 5000 }),
    days: fc.integer({ min: 1, max: 400 }),
  })
  .map((r) => {
    const total = r.groups.reduce((a, _, i) => a + r.weights[i], 0);
    // shares that sum to exactly 1 in binary: last one takes the remainder
    let acc = 0;
    const groups = r.groups.map((name, i) => {
      const share = i === r.groups.length - 1 ? 1 - acc : r.weights[i] / total;
      acc += share;
      return { name, share };
    });
    const behaviours = Object.fromEntries(r.behaviours.map((b, i) => [b, { kind: r.kinds[i], base: r.bases[i] }]));
    return {
      days: r.days,
      population: { agents: r.agents, groups },
      behaviours,
      sources: { s: { detect: { [r.behaviours[0]]: r.detect } } },
      scoring: { points: { [r.behaviours[0]]: r.points } },
    };
  });

describe("scenario loader", () => {
  it("loads every valid scenario, fills defaults, and round-trips its resolved form", () => {
    fc.assert(
      fc.property(scenarioArb, (raw) => {
        const { scenario } = parseScenario(stringify(raw), "gen.yaml");
        expect(scenario.population.agents).toBe(raw.population.agents);
        expect(scenario.listing.days).toBe(180);
        const again = parseScenario(stringify(scenario), "resolved.yaml").scenario;
        expect(again).toEqual(scenario);
      }),
      { numRuns: 150 },
    );
  });

  it("rejects an unknown field anywhere with its line and a suggestion when one is close", () => {
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom("population", "scoring", "listing", "top"), (raw, where) => {
        const bad = structuredClone(raw) as Record<string, unknown>;
        if (where !== "top") bad[where] ??= {};
        const target = where === "top" ? bad : (bad[where] as Record<string, unknown>);
        target.zzunknown = 1;
        const text = stringify(bad);
        const line = text.split("\n").findIndex((l) => l.includes("zzunknown")) + 1;
        try {
          parseScenario(text, "bad.yaml");
          expect.unreachable("should have failed");
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          const p = (e as InputError).problems[0];
          expect(p.line).toBe(line);
          expect(p.message).toContain("unknown field 'zzunknown'");
        }
      }),
      { numRuns: 60 },
    );
  });

  it("rejects a probability outside [0, 1] naming the field and its line", () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.oneof(fc.double({ min: 1.0001, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -0.0001, noNaN: true })),
        (raw, value) => {
          const bad = structuredClone(raw);
          const b = Object.keys(bad.behaviours)[0];
          (bad.behaviours[b] as { base: number }).base = value;
          const text = stringify(bad);
          try {
            parseScenario(text, "bad.yaml");
            expect.unreachable("should have failed");
          } catch (e) {
            expect(e).toBeInstanceOf(InputError);
            const p = (e as InputError).problems.find((x) => x.field === `behaviours.${b}.base`);
            expect(p, JSON.stringify((e as InputError).problems)).toBeDefined();
            expect(p?.message).toMatch(/expected a number [≥≤]/);
            expect(text.split("\n")[(p?.line ?? 0) - 1]).toContain("base");
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("never throws anything but an InputError on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseScenario(text, "junk.yaml");
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("says what a key must be, and that a missing choice is required", () => {
    const text = `population:
  agents: 100
  households: { sizes: { "0": 0.5, "2": 0.5 } }
behaviours:
  x: { base: 0.01 }
scoring:
  points: { 9x: 1 }
`;
    try {
      parseScenario(text, "keys.yaml");
      expect.unreachable();
    } catch (e) {
      const msg = (e as InputError).message;
      expect(msg).toContain('keys.yaml:3:26: population.households.sizes.0: invalid key "0": expected a household size (1, 2, 3, ...)');
      expect(msg).toContain('keys.yaml:5:6: behaviours.x.kind: required: expected one of "violation", "disfavored", "rewarded", "access"');
      expect(msg).toContain(`keys.yaml:7:13: scoring.points.9x: invalid key "9x": expected a name of letters, digits, '-' or '_', starting with a letter`);
      expect(msg).not.toContain("undefined");
    }
  });

  it("checks names that refer to each other, and sums", () => {
    const text = `
population:
  groups:
    - { name: a, share: 0.5 }
    - { name: b, share: 0.4 }
behaviours:
  dissent: { kind: disfavored, base: 0.01, groupMult: { c: 2 } }
scoring:
  points: { disent: -5 }
restrictions:
  travel: { blocks: [flying] }
`;
    try {
      parseScenario(text, "refs.yaml");
      expect.unreachable();
    } catch (e) {
      const problems = (e as InputError).problems;
      const msg = (e as InputError).message;
      expect(msg).toContain("refs.yaml:3:3: population.groups: group shares must sum to 1, they sum to 0.9 (within 0.000001: for thirds write 0.3333333");
      expect(msg).toMatch(/refs\.yaml:7:\d+: behaviours\.dissent\.groupMult\.c: unknown group 'c'/);
      expect(msg).toMatch(/refs\.yaml:9:\d+: scoring\.points\.disent: unknown behaviour 'disent' \(did you mean 'dissent'\?\)/);
      expect(msg).toMatch(/refs\.yaml:11:\d+: restrictions\.travel\.blocks\.0: unknown behaviour 'flying'/);
      expect(problems).toHaveLength(4);
    }
  });

  it("refuses rater weights when scores start at their minimum (0/0), and households too large to count", () => {
    const text = `
population:
  agents: 100
  network: { degree: 4 }
  households: { sizes: { "2": 0.5, "300": 0.5 } }
behaviours:
  x: { kind: violation, base: 0.01 }
scoring: { start: 0, min: 0, max: 100 }
ratings: { encounterRate: 0.2, raterWeight: true }
`;
    try {
      parseScenario(text, "weights.yaml");
      expect.unreachable();
    } catch (e) {
      const msg = (e as InputError).message;
      expect(msg).toMatch(/weights\.yaml:9:\d+: ratings\.raterWeight: .*needs scoring\.start above scoring\.min \(both are 0\)/);
      expect(msg).toMatch(/weights\.yaml:5:\d+: population\.households\.sizes\.300: expected a household size of at most 255, got 300/);
      expect((e as InputError).problems).toHaveLength(2);
    }
    expect(() => parseScenario(text.replace("start: 0,", "start: 1,").replace('"300"', '"255"'), "ok.yaml")).not.toThrow();
  });

  it("refuses numbers the engine cannot hold: scores beyond a billion, capacities and insiders beyond one per agent", () => {
    const text = `
population: { agents: 2000 }
behaviours:
  a: { kind: disfavored, base: 0.01 }
scoring: { start: 1e50, max: 2e50, points: { a: -2e50 } }
listing: { enterBelow: 9.99e49, days: 3000000000, direct: { a: 2147483647 } }
appeals: { capacityPerMillion: 1e306 }
insiders: { perMillion: 1e12, behaviour: a }
`;
    try {
      parseScenario(text, "big.yaml");
      expect.unreachable();
    } catch (e) {
      const msg = (e as InputError).message;
      expect(msg).toContain("big.yaml:5:12: scoring.start: expected a number ≤ 1000000000, got number 1e+50");
      expect(msg).toContain("big.yaml:5:46: scoring.points.a: expected a number ≥ -1000000000");
      expect(msg).toContain("big.yaml:6:12: listing.enterBelow: expected a number ≤ 1000000000");
      expect(msg).toMatch(/big\.yaml:6:\d+: listing\.days: expected a number ≤ 1000000, got number 3000000000/);
      expect(msg).toMatch(/big\.yaml:6:\d+: listing\.direct\.a: expected a number ≤ 1000000/);
      expect(msg).toContain("big.yaml:7:12: appeals.capacityPerMillion: expected a number ≤ 1000000");
      expect(msg).toContain("big.yaml:8:13: insiders.perMillion: expected a number ≤ 1000000");
    }
    const many =
      "population: { agents: 2000 }\nbehaviours:\n  a: { kind: disfavored, base: 0.01 }\ninsiders: { perMillion: 1000, targets: 1000000, behaviour: a }\n";
    expect(() => parseScenario(many, "many.yaml")).toThrow(
      /insiders\.targets: 1000 insiders per million with 1000000 targets each would pick 1,000 targets per agent; expected at most one/,
    );
    expect(() => parseScenario(many.replace("targets: 1000000", "targets: 1000"), "ok.yaml")).not.toThrow();
  });

  it("a variant adds its assumptions and sources to its base's, labelling the base's", () => {
    const variant = preset("national-outline-insiders");
    const base = preset("national-outline");
    expect(variant.assumptions?.[0]).toMatch(/^Insider numbers, targets and frequency are assumptions/);
    expect(variant.assumptions?.slice(1)).toEqual(
      base.assumptions?.map((a) => `From national-outline, which this scenario extends (unless changed here): ${a}`),
    );
    expect(variant.references).toEqual(base.references); // it names none of its own
    // citizen-rules lists no source of its own: it keeps the base's (the same society and sensors)
    expect(preset("citizen-rules").references?.length).toBe(base.references?.length);
  });

  it("exports a JSON Schema that knows every top-level field", () => {
    const schema = jsonSchema() as { properties: Record<string, unknown>; required?: string[] };
    for (const k of ["population", "behaviours", "sources", "scoring", "listing", "restrictions", "fear", "appeals", "insiders"]) {
      expect(schema.properties).toHaveProperty(k);
    }
    expect(schema.required).toBeUndefined(); // a variant (`extends:`) requires nothing
    expect((schema as { else: { required: string[] } }).else.required).toEqual(["behaviours"]);
  });

  it("its JSON Schema accepts every preset, variants (extends) included, and flags typos and incomplete scenarios", () => {
    const validator = new Validator(jsonSchema() as object, "2020-12", false);
    const dir = new URL("../presets/", import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
    const variants = files.filter((f) => "extends" in parse(readFileSync(new URL(f, dir), "utf8")));
    expect(variants.length).toBeGreaterThan(0);
    for (const f of files) {
      const r = validator.validate(parse(readFileSync(new URL(f, dir), "utf8")));
      expect(r.valid, `${f}: ${JSON.stringify(r.errors.slice(0, 3))}`).toBe(true);
    }
    const invalid = (doc: unknown) => !validator.validate(doc).valid;
    expect(invalid({ extends: "reference", listing: { dayz: 10 } })).toBe(true); // unknown field in a variant
    expect(invalid({ extends: "reference", listing: { days: "ten" } })).toBe(true); // wrong type in a variant
    expect(invalid({ extends: "reference", extra: 1 })).toBe(true);
    expect(invalid({ name: "x" })).toBe(true); // a whole scenario needs behaviours
    expect(invalid({ behaviours: { x: { base: 0.01 } } })).toBe(true); // … each with its kind
    expect(invalid({ extends: "reference", behaviours: { x: { base: 0.01 } } })).toBe(false); // a variant may give part of one
  });
});
