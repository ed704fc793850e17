import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { DEFAULT_PRESET } from "../scenario/default-preset.js";
import { didYouMean, formatProblems, InputError } from "../scenario/errors.js";
import { parseScenario, type SourceMap } from "../scenario/load.js";
import type { Scenario } from "../scenario/schema.js";

export { DEFAULT_PRESET };

export const presetsDir = fileURLToPath(new URL("../../presets/", import.meta.url));

export function presetNames(): string[] {
  return readdirSync(presetsDir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => basename(f, ".yaml"))
    .sort();
}

export interface PresetInfo {
  name: string;
  title: string;
  description: string;
}

export function presetInfo(name: string): PresetInfo {
  const data = parse(readFileSync(join(presetsDir, `${name}.yaml`), "utf8")) as { title?: string; description?: string };
  return { name, title: data.title ?? name, description: (data.description ?? "").trim() };
}

/** A scenario file path, or the name of a built-in preset. */
/** A scenario named on the command line: its values, file, text and source map, and its warnings as lines. */
export interface LoadedArg {
  scenario: Scenario;
  file: string;
  text: string;
  source: SourceMap | undefined;
  warnings: string[];
}

export function loadScenarioArg(arg: string | undefined): LoadedArg {
  const name = arg ?? DEFAULT_PRESET;
  const handed = handedCopy();
  if (handed !== undefined) return parsed(handed, name);
  let file = name;
  if (!existsSync(file)) {
    const preset = join(presetsDir, `${name.replace(/\.ya?ml$/, "")}.yaml`);
    if (!name.includes("/") && existsSync(preset)) file = preset;
    else {
      const presets = presetNames();
      const guess = didYouMean(name.replace(/\.ya?ml$/, ""), presets);
      throw new InputError(name, [
        { field: "", message: `no such file, and no preset of that name${guess ? ` (did you mean '${guess}'?)` : ""}; presets: ${presets.join(", ")}` },
      ]);
    }
  }
  if (statSync(file).isDirectory()) throw new InputError(file, [{ field: "", message: "is a folder; expected a scenario YAML file" }]);
  return parsed(readText(file), file);
}

/** A scenario file's text; a file that cannot be read or is not text is an input error. */
const STDIN_PATHS = new Set(["/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"]);

function readStdin(file: string): Buffer {
  try {
    return readFileSync(0);
  } catch (error) {
    throw new InputError(file, [{ field: "", message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  }
}

/** The text of a YAML file given on the command line; `what` names the kind of file in messages. */
export function readText(file: string, what = "scenario YAML file"): string {
  if (existsSync(file) && statSync(file).isDirectory()) throw new InputError(file, [{ field: "", message: `is a folder; expected a ${what}` }]);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    // Standard input that is a socket (a program started credsim with piped stdio)
    // cannot be opened as /dev/stdin, but reads as file descriptor 0.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENXIO" && STDIN_PATHS.has(file)) bytes = readStdin(file);
    else if (code === "ENOENT") throw new InputError(file, [{ field: "", message: `no such file; expected a ${what}` }]);
    // e.g. a file without read permission
    else throw new InputError(file, [{ field: "", message: `cannot be read (${code ?? (error as Error).message})` }]);
  }
  // YAML is text: a zero byte means a binary file (say a run's daily.parquet), whose
  // bytes would otherwise come back as pages of "YAML syntax" errors
  if (bytes.includes(0)) throw new InputError(file, [{ field: "", message: `is not a text file (it holds binary data); expected a ${what}` }]);
  return bytes.toString("utf8");
}

function parsed(text: string, file: string): LoadedArg {
  const { scenario, warnings, source } = parseScenario(text, file, { resolveBase });
  return { scenario, file, text, source, warnings: warnings.length ? formatProblems(file, warnings).split("\n") : [] };
}

let handedText: string | undefined;

/**
 * In a run started again (src/cli/rerun.ts) from a scenario that cannot be read
 * twice (a pipe such as /dev/stdin), the text of the copy its parent wrote of what
 * it read. The copy is removed once read, so that none is left behind if the
 * parent is killed outright (its own clean-up then never runs).
 */
function handedCopy(): string | undefined {
  const copy = process.env.CREDSIM_RESTARTED !== undefined ? process.env.CREDSIM_SCENARIO_COPY : undefined;
  if (copy === undefined || handedText !== undefined) return handedText;
  handedText = readFileSync(copy, "utf8");
  if (basename(dirname(copy)).startsWith("credsim-scenario-")) rmSync(dirname(copy), { recursive: true, force: true });
  return handedText;
}

/** `extends:` names a preset, or a file relative to the scenario that extends it. */
export function resolveBase(ref: string, from: string, field = "extends"): { text: string; file: string } {
  const relative = resolve(dirname(from), ref);
  const preset = join(presetsDir, `${ref.replace(/\.ya?ml$/, "")}.yaml`);
  const file = existsSync(relative) && statSync(relative).isFile() ? relative : existsSync(preset) ? preset : null;
  if (!file) {
    if (existsSync(relative) && statSync(relative).isDirectory())
      throw new InputError(from, [{ field, message: `${relative} is a folder; expected a scenario YAML file or a preset's name` }]);
    const guess = didYouMean(ref.replace(/\.ya?ml$/, ""), presetNames());
    throw new InputError(from, [{ field, message: `no file ${relative} and no preset '${ref}'${guess ? ` (did you mean '${guess}'?)` : ""}` }]);
  }
  return { text: readText(file), file };
}

/** Parses an integer flag strictly, with limits. */
/** Whether an option was typed on the command line (for options with a default, which commander fills in). */
export function givenOnCommandLine(flag: string): boolean {
  return process.argv.some((a) => a === flag || a.startsWith(`${flag}=`));
}

export function intFlag(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  // digits, with _ only between groups of digits (1_000_000), or e notation (1e6)
  const n = /^\d+(_\d+)*(e\d+)?$/i.test(value) ? Number(value.replace(/_/g, "")) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InputError(flag, [{ field: "", message: `expected an integer from ${min.toLocaleString("en")} to ${max.toLocaleString("en")}, got '${value}'` }]);
  }
  return n;
}
