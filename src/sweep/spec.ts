import { z } from "zod";
import { InputError, type Problem, unknownName } from "../scenario/errors.js";
import { issueProblems, parseYaml, type SourceMap } from "../scenario/load.js";

// The sweep file: a base scenario, the fields to vary (grid, random or Latin
// hypercube), replicates, and the metrics to keep. Sweeps are data, not code.

const range = z
  .object({
    from: z.number(),
    to: z.number(),
    log: z.boolean().default(false).describe("sample uniformly on a log scale (from and to > 0)"),
    integer: z.boolean().default(false),
  })
  .strict();

export const SweepSpec = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a name of letters, digits, '-' or '_'")
      .default("sweep"),
    base: z.string().describe("a preset name or a scenario file (relative to the sweep file)"),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1)
      .describe("master seed: each run's seed derives from it, the run's parameters and its replicate"),
    replicates: z.number().int().min(1).max(10_000).default(1),
    agents: z.number().int().min(10).max(1e9).optional().describe("population size for every run (overrides the base)"),
    days: z.number().int().min(1).max(100_000).optional(),
    design: z
      .object({
        type: z.enum(["grid", "random", "lhs"]).default("grid"),
        samples: z.number().int().min(1).max(1_000_000).optional().describe("number of variants for random and lhs designs"),
      })
      .strict()
      .default({ type: "grid" }),
    vary: z
      .record(z.string(), z.union([z.array(z.union([z.number(), z.string(), z.boolean()])).min(1), range]))
      .refine((v) => Object.keys(v).length > 0, "at least one field to vary")
      .describe("scenario field (dotted path) → list of values (grid) or {from, to} (random, lhs)"),
    keep: z.array(z.string()).optional().describe("summary.json fields (dotted paths) to keep per run; default: the headline metrics"),
    daily: z.boolean().default(false).describe("also keep every run's daily series"),
  })
  .strict();

export type SweepSpec = z.output<typeof SweepSpec>;

export const DEFAULT_KEEP = [
  "total.listedShare",
  "total.wrongfulShareOfListed",
  "total.fpr",
  "total.precision",
  "total.recall",
  "total.everListedShare",
  "total.sanctionDays",
  "total.wrongfulSanctionDays",
  "total.spilloverSanctionDays",
  "total.deniedAttempts",
  "total.recordsPerPerson",
  "scoreGini",
  "appeals.filed",
  "appeals.overturnedWrongful",
  "appeals.queueAtEnd",
];

/** A YAML value as the person wrote it, for messages about values that are not what a field takes. */
function shown(x: unknown): string {
  if (typeof x === "number") return Number.isNaN(x) ? ".nan" : Number.isFinite(x) ? String(x) : x > 0 ? ".inf" : "-.inf";
  if (typeof x === "string") return `the text ${JSON.stringify(x)}`;
  return x === null || x === undefined ? "an empty value" : Array.isArray(x) ? "a list" : typeof x === "object" ? "a mapping" : String(x);
}

/** What is wrong with a list of values to vary, when it is a list: the first value that is not a finite number, a text or true/false. */
function listProblem(input: unknown): string | undefined {
  if (!Array.isArray(input)) return undefined;
  const k = input.findIndex((x) => !(typeof x === "string" || typeof x === "boolean" || (typeof x === "number" && Number.isFinite(x))));
  if (k < 0) return undefined;
  return `value ${k + 1} of the list is ${shown(input[k])}: expected finite numbers, texts or true/false`;
}

/** What is wrong with a { from, to } range, when it is a mapping: an unknown key, a bound missing or not a finite number, a flag not true/false. */
function rangeProblem(input: unknown): string | undefined {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return undefined;
  const r = input as Record<string, unknown>;
  const known = Object.keys(range.shape);
  const unknown = Object.keys(r).filter((k) => !known.includes(k));
  if (unknown.length) return unknown.map((k) => unknownName("field in a range", k, known)).join("; ");
  for (const bound of ["from", "to"]) {
    if (r[bound] === undefined) return `a range needs from and to; ${bound} is missing`;
    if (typeof r[bound] !== "number" || !Number.isFinite(r[bound])) return `${bound} is ${shown(r[bound])}: expected a finite number`;
  }
  for (const flag of ["log", "integer"])
    if (r[flag] !== undefined && typeof r[flag] !== "boolean") return `${flag} is ${shown(r[flag])}: expected true or false`;
  return undefined;
}

export function parseSweep(text: string, file: string): { spec: SweepSpec; source: SourceMap } {
  const { data, source } = parseYaml(text, file);
  const parsed = SweepSpec.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw new InputError(
      file,
      issueProblems(
        parsed.error.issues,
        source,
        (issue, path) => {
          if (issue.code === "unrecognized_keys") {
            const known = path.length === 0 ? Object.keys(SweepSpec.shape) : path[0] === "design" ? ["type", "samples"] : Object.keys(range.shape);
            return issue.keys.map((k) => unknownName("field", k, known)).join("; ");
          }
          if (issue.code === "invalid_union") {
            const input = (issue as { input?: unknown }).input;
            return listProblem(input) ?? rangeProblem(input) ?? `expected a list of values or { from, to }, got ${shown(input)}`;
          }
        },
        { locateUnknownKey: true },
      ),
    );
  }
  const spec = parsed.data;
  const problems: Problem[] = [];
  const ranges = Object.entries(spec.vary).filter(([, v]) => !Array.isArray(v));
  if (spec.design.type === "grid" && ranges.length > 0) {
    problems.push({
      field: `vary.${ranges[0][0]}`,
      message: "a grid needs a list of values; {from, to} ranges need design type random or lhs",
      ...source.locate(["vary", ranges[0][0]]),
    });
  }
  if (spec.design.type !== "grid" && !spec.design.samples) {
    problems.push({ field: "design.samples", message: `required for a ${spec.design.type} design: how many variants to draw`, ...source.locate(["design"]) });
  }
  for (const [k, v] of Object.entries(spec.vary)) {
    if (!Array.isArray(v)) continue;
    const twice = v.find((x, i) => v.indexOf(x) !== i);
    if (twice !== undefined)
      problems.push({ field: `vary.${k}`, message: `the value ${JSON.stringify(twice)} is listed twice; list each value once`, ...source.locate(["vary", k]) });
  }
  for (const [k, v] of ranges) {
    const r = v as z.output<typeof range>;
    if (r.from > r.to) problems.push({ field: `vary.${k}`, message: `expected from ≤ to, got from ${r.from} and to ${r.to}`, ...source.locate(["vary", k]) });
    if (r.log && (r.from <= 0 || r.to <= 0))
      problems.push({ field: `vary.${k}`, message: "a log-scale range needs from and to above 0", ...source.locate(["vary", k]) });
  }
  if (problems.length) throw new InputError(file, problems);
  return { spec, source };
}

/** Checks that every varied path exists in the resolved base scenario. */
export function checkVaryPaths(spec: SweepSpec, base: Record<string, unknown>, file: string, source: SourceMap): void {
  const problems: Problem[] = [];
  for (const path of Object.keys(spec.vary)) {
    let node: unknown = base;
    const parts = path.split(".");
    for (let k = 0; k < parts.length; k++) {
      const part = parts[k];
      const isLast = k === parts.length - 1;
      if (node === null || typeof node !== "object") {
        problems.push({
          field: `vary.${path}`,
          message: `'${parts.slice(0, k).join(".")}' is not a mapping in the base scenario`,
          ...source.locate(["vary", path]),
        });
        break;
      }
      const obj = node as Record<string, unknown>;
      // New keys are allowed in maps of names (e.g. groupMult.b), not in fixed sections.
      if (!(part in obj) && !(isLast && isNameMap(parts[k - 1]))) {
        problems.push({
          field: `vary.${path}`,
          message: unknownName(`field in '${parts.slice(0, k).join(".") || "the scenario"}'`, part, Object.keys(obj)),
          ...source.locate(["vary", path]),
        });
        break;
      }
      node = obj[part];
    }
  }
  if (problems.length) throw new InputError(file, problems);
}

const NAME_MAPS = new Set(["groupMult", "segmentMult", "detect", "falseRate", "groupFalseMult", "rate", "points", "direct", "support", "groupLowMult"]);
function isNameMap(key: string | undefined): boolean {
  return key !== undefined && NAME_MAPS.has(key);
}
