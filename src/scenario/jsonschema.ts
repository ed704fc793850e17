import { z } from "zod";
import { Scenario } from "./schema.js";

/** JSON Schema of scenario files as a person writes them (defaults optional). */
export function jsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Scenario, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  return { ...schema, $id: "https://credsim.invalid/scenario.schema.json", title: "credsim scenario" };
}
