#!/usr/bin/env node
// Entry point: the CLI is compiled to dist/ by `npm install` (the prepare script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write("credsim: not built yet; run `npm install` (or `npm run build`) in the credsim folder\n");
  process.exit(1);
}
// a run's worker threads start now, while the CLI loads its modules (src/cli/prestart.ts)
const { prestartForArgs } = await import(new URL("../dist/cli/prestart.js", import.meta.url).href);
prestartForArgs(process.argv.slice(2));
await import(main.href);
