import { join } from "node:path";
import { loadRun } from "../report/load.js";
import { buildReport, writeAtomic, writePngs } from "../report/write.js";
import { InputError } from "../scenario/errors.js";

export async function reportCommand(dir: string, flags: { png?: string; quiet?: boolean }): Promise<void> {
  if (flags.png !== undefined && flags.png.trim() === "")
    throw new InputError("--png", [{ field: "", message: "is empty; expected a folder for the PNG charts" }]);
  const data = await loadRun(dir);
  const { html, charts } = buildReport(data, data.scenarioYaml);
  const file = join(dir, "report.html");
  writeAtomic(file, html);
  const pngs = flags.png !== undefined ? writePngs(charts, flags.png) : [];
  if (!flags.quiet) {
    process.stdout.write(`${file} (${charts.length} charts)\n`);
    for (const p of pngs) process.stdout.write(`${p}\n`);
  }
}
