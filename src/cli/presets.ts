import { table } from "./format.js";
import { DEFAULT_PRESET, presetInfo, presetNames } from "./scenario-arg.js";

export function presetsCommand(): void {
  const rows = presetNames().map((name) => {
    const info = presetInfo(name);
    return [name + (name === DEFAULT_PRESET ? " (default)" : ""), info.title];
  });
  process.stdout.write(`${table([["preset", "system"], ...rows], true)}\n\nRun one with: npx credsim run <preset>\n`);
}
