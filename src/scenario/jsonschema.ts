import { z } from "zod";
import { Scenario } from "./schema.js";

/**
 * JSON Schema of scenario files as a person writes them (defaults optional), for
 * editors. A file with `extends:` gives only what it changes, so its fields are
 * checked for names and types but none is required; a file without it must be a
 * whole scenario (the `else` branch). The CLI's own checks stay the reference.
 */
export function jsonSchema(): Record<string, unknown> {
  const { $schema, ...whole } = z.toJSONSchema(Scenario, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  const partial = withoutRequired(whole) as { properties: Record<string, unknown> };
  return {
    $schema,
    $id: "https://credsim.invalid/scenario.schema.json",
    title: "credsim scenario",
    ...partial,
    properties: {
      extends: { type: "string", description: "a preset's name or a path to a scenario file; this file's fields are merged over it" },
      ...partial.properties,
    },
    if: { required: ["extends"] },
    else: whole,
  };
}

/** A deep copy in which no object schema requires any property. */
function withoutRequired(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRequired);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    // `required` as a keyword holds an array of names; a field called "required" holds a schema
    if (k === "required" && Array.isArray(v)) continue;
    out[k] = withoutRequired(v);
  }
  return out;
}
