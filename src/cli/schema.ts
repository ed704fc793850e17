import { jsonSchema } from "../scenario/jsonschema.js";

export function schemaCommand(): void {
  process.stdout.write(`${JSON.stringify(jsonSchema(), null, 2)}\n`);
}
