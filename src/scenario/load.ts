import { type Document, isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { didYouMean, InputError, locatedAt, type Problem } from "./errors.js";
import { checkReferences, scenarioWarnings } from "./references.js";
import { Scenario } from "./schema.js";

type Path = (string | number)[];

/** Where a field sits in the YAML text, to point errors at a line. */
export class SourceMap {
  private readonly doc: Document;
  private readonly lines: LineCounter;
  constructor(doc: Document, lines: LineCounter) {
    this.doc = doc;
    this.lines = lines;
  }

  /** Line and column of the value at `path`, or of its closest existing ancestor. */
  locate(path: Path, key?: string): { line: number; column: number } | undefined {
    for (let depth = path.length; depth >= 0; depth--) {
      const prefix = path.slice(0, depth);
      const node = prefix.length ? (this.doc.getIn(prefix, true) as Node | undefined) : (this.doc.contents as Node | null);
      if (!node) continue;
      if (key !== undefined && depth === path.length && isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
        const keyNode = pair?.key as Node | undefined;
        if (keyNode?.range) return this.position(keyNode.range[0]);
      }
      // A map entry's key is where a person looks for the field.
      if (depth > 0 && depth === path.length) {
        const parent = depth > 1 ? (this.doc.getIn(path.slice(0, depth - 1), true) as Node | undefined) : (this.doc.contents as Node | null);
        if (parent && isMap(parent)) {
          const last = String(path[depth - 1]);
          const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === last);
          const keyNode = pair?.key as Node | undefined;
          if (keyNode?.range) return this.position(keyNode.range[0]);
        }
      }
      if (node.range) return this.position(node.range[0]);
    }
    return undefined;
  }

  private position(offset: number) {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}

export interface Loaded {
  scenario: Scenario;
  source: SourceMap | undefined;
  /** Valid settings that do nothing or may surprise (see scenarioWarnings). */
  warnings: Problem[];
}

/** Finds the text of a scenario named by `extends` (a preset name or a path relative to `from`). */
export type BaseResolver = (ref: string, from: string) => { text: string; file: string };

export interface LoadOptions {
  resolveBase?: BaseResolver;
}

/** Plain objects merge key by key; anything else (lists, numbers, null) in `over` replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object" && !Array.isArray(x);
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

/** Parse and validate scenario text. Throws InputError naming file, line and field. */
export function parseScenario(text: string, file = "<scenario>", options: LoadOptions = {}): Loaded {
  const { data, source } = parseYaml(text, file);
  return validateScenario(resolveExtends(data, file, source, options, 0), file, source);
}

/** A scenario with `extends: base` is the base (itself validated first) with this file's fields merged over it. */
function resolveExtends(data: Record<string, unknown>, file: string, source: SourceMap, options: LoadOptions, depth: number): Record<string, unknown> {
  if (!("extends" in data)) return data;
  const { extends: ref, ...rest } = data;
  const at = source.locate(["extends"]);
  if (typeof ref !== "string") throw new InputError(file, [{ field: "extends", message: "expected the name of a preset or a path to a scenario file", ...at }]);
  if (!options.resolveBase) throw new InputError(file, [{ field: "extends", message: "cannot load a base scenario here", ...at }]);
  if (depth > 8) throw new InputError(file, [{ field: "extends", message: "more than 8 levels of extends (a cycle?)", ...at }]);
  // a base that cannot be found is reported at the `extends:` line
  const findBase = options.resolveBase;
  const base = locatedAt(file, at, () => findBase(ref, file));
  const parsed = parseYaml(base.text, base.file);
  const baseData = resolveExtends(parsed.data, base.file, parsed.source, options, depth + 1);
  validateScenario(baseData, base.file, parsed.source); // the base must stand on its own
  const merged = deepMerge(baseData, rest) as Record<string, unknown>;
  // What a variant says of itself adds to what its base says: its assumptions
  // first, then the base's (labelled, as the variant may change some of them),
  // and the base's sources it does not repeat.
  const baseName = typeof baseData.name === "string" ? baseData.name : ref;
  if (Array.isArray(rest.assumptions) && Array.isArray(baseData.assumptions)) {
    merged.assumptions = [...rest.assumptions, ...baseData.assumptions.map((a) => `From ${baseName}, which this scenario extends (unless changed here): ${a}`)];
  }
  if (Array.isArray(rest.references) && Array.isArray(baseData.references)) {
    const titles = new Set(rest.references.map((r) => (r as { title?: unknown }).title));
    merged.references = [...rest.references, ...baseData.references.filter((r) => !titles.has((r as { title?: unknown }).title))];
  }
  return merged;
}

/** YAML text to a plain object and a map of where each field sits, or an InputError. */
export function parseYaml(text: string, file: string): { data: Record<string, unknown>; source: SourceMap } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InputError(
      file,
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        // the library's wording for a second document names one of its own functions
        const message = e.code === "MULTIPLE_DOCS" ? "a second YAML document starts here ('---'); expected one document per file" : e.message.split("\n")[0];
        return { field: "", message: `YAML syntax: ${message}`, line: pos.line, column: pos.col };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // e.g. an alias (*name) with no anchor, or an alias bomb
    throw new InputError(file, [{ field: "", message: `YAML: ${error instanceof Error ? error.message : String(error)}`, line: 1, column: 1 }]);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new InputError(file, [{ field: "", message: "expected a mapping of fields (name: value, ...)", line: 1, column: 1 }]);
  }
  return { data: data as Record<string, unknown>, source: new SourceMap(doc, lines) };
}

/** Validate an already-parsed object (from YAML, JSON, or the lab's editor). */
export function validateScenario(data: unknown, file = "<scenario>", source?: SourceMap): Loaded {
  const parsed = Scenario.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw new InputError(
      file,
      parsed.error.issues.map((issue) => issueToProblem(issue, source)),
    );
  }
  const problems = checkReferences(parsed.data).map((p) => {
    const at = source?.locate(p.path, p.key);
    return { field: fieldName(p.key !== undefined ? [...p.path, p.key] : p.path), message: p.message, ...at };
  });
  if (problems.length > 0) throw new InputError(file, problems);
  const warnings = scenarioWarnings(parsed.data).map((p) => {
    const at = source?.locate(p.path, p.key);
    return { field: fieldName(p.key !== undefined ? [...p.path, p.key] : p.path), message: p.message, ...at };
  });
  return { scenario: parsed.data, source, warnings };
}

/**
 * Problems from the issues of a small spec file's schema (sweeps, regions): each at
 * its field's line; `rewrite` may replace zod's message; with `locateUnknownKey`,
 * an unknown field is reported at its own line rather than its parent's.
 */
export function issueProblems(
  issues: z.core.$ZodIssue[],
  source: SourceMap,
  rewrite: (issue: z.core.$ZodIssue, path: (string | number)[]) => string | undefined,
  options: { locateUnknownKey?: boolean } = {},
): Problem[] {
  // several unknown keys of one mapping: a problem for each, at its own line
  const each = options.locateUnknownKey
    ? issues.flatMap((issue): z.core.$ZodIssue[] => (issue.code === "unrecognized_keys" ? issue.keys.map((k) => ({ ...issue, keys: [k] })) : [issue]))
    : issues;
  return each.map((issue) => {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)) as (string | number)[];
    const at = options.locateUnknownKey && issue.code === "unrecognized_keys" ? source.locate([...path, issue.keys[0]]) : source.locate(path);
    return { field: path.join("."), message: rewrite(issue, path) ?? plainMessage(issue) ?? issue.message, ...at };
  });
}

export function fieldName(path: Path): string {
  return path.map(String).join(".");
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the text "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

const typeWords: Record<string, string> = {
  number: "a number",
  string: "a text",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  record: "a mapping",
  int: "an integer",
};

/** The wording of a type, range or choice issue, the same for every file credsim reads; undefined for other issues. */
function plainMessage(issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type": {
      const expected = typeWords[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `required: expected ${expected}` : `expected ${expected}, got ${describeValue(issue.input)}`;
    }
    case "too_small": {
      const bound = issue.inclusive === false ? ">" : "≥";
      return issue.origin === "array"
        ? `expected at least ${issue.minimum} item(s)`
        : `expected a number ${bound} ${issue.minimum}, got ${describeValue(issue.input)}`;
    }
    case "too_big": {
      const bound = issue.inclusive === false ? "<" : "≤";
      return issue.origin === "array"
        ? `expected at most ${issue.maximum} item(s)`
        : `expected a number ${bound} ${issue.maximum}, got ${describeValue(issue.input)}`;
    }
    case "invalid_value":
      return issue.input === undefined
        ? `required: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`
        : `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(issue.input)}`;
    default:
      return undefined;
  }
}

function issueToProblem(issue: z.core.$ZodIssue, source: SourceMap | undefined): Problem {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)) as Path;
  let message = issue.message;
  let key: string | undefined;
  switch (issue.code) {
    case "invalid_type":
    case "too_small":
    case "too_big":
    case "invalid_value":
      message = plainMessage(issue) ?? message;
      break;
    case "unrecognized_keys": {
      const known = knownKeys(path);
      key = issue.keys[0];
      message = issue.keys
        .map((k) => {
          const guess = didYouMean(k, known);
          return `unknown field '${k}'${guess ? ` (did you mean '${guess}'?)` : ""}`;
        })
        .join("; ");
      if (known.length) message += `; allowed: ${known.join(", ")}`;
      break;
    }
    case "invalid_format":
      message = `invalid name: expected ${issue.message}`;
      break;
    case "invalid_key": {
      // the key's own rule (a name, a household size) is in the nested issue
      const rule = issue.issues[0]?.message ?? "a name of letters, digits, '-' or '_', starting with a letter";
      message = `invalid key ${JSON.stringify(String(path.at(-1)))}: expected ${rule}`;
      break;
    }
    case "invalid_union":
      message = "expected null or a mapping of its fields";
      break;
    default:
      break;
  }
  const at = source?.locate(path, key);
  const field = key !== undefined ? fieldName([...path, key]) : fieldName(path);
  return { field, message, ...at };
}

/** The fields an object accepts at `path`, for did-you-mean. */
function knownKeys(path: Path): string[] {
  let schema: z.core.$ZodType | undefined = Scenario;
  for (const step of [...path, undefined]) {
    // Unwrap wrappers until a container is reached.
    for (let i = 0; i < 8 && schema; i++) {
      const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
      if (def.type === "default" || def.type === "optional" || def.type === "nullable" || def.type === "prefault") schema = def.innerType;
      else if (def.type === "pipe") schema = def.in;
      else break;
    }
    if (!schema) return [];
    const def = schema._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      valueType?: z.core.$ZodType;
      element?: z.core.$ZodType;
    };
    if (step === undefined) return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
    if (def.type === "object" && def.shape) schema = def.shape[String(step)];
    else if (def.type === "record") schema = def.valueType;
    else if (def.type === "array") schema = def.element;
    else return [];
  }
  return [];
}
