import { parse } from "yaml";
import { didYouMean, InputError } from "../src/scenario/errors.js";

// The built-in presets, bundled into the page so it works offline.

const files = import.meta.glob("../presets/*.yaml", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

export const PRESETS: Record<string, string> = Object.fromEntries(
  Object.entries(files).map(([path, text]) => [path.replace(/^.*\//, "").replace(/\.yaml$/, ""), text]),
);

export const PRESET_NAMES = Object.keys(PRESETS).sort();

export function presetTitle(name: string): { title: string; description: string } {
  const data = parse(PRESETS[name]) as { title?: string; description?: string };
  return { title: data.title ?? name, description: (data.description ?? "").trim() };
}

interface PresetText {
  extends?: string;
  references?: { title: string; publisher?: string; year?: number; url?: string; note?: string }[];
  assumptions?: string[];
}

/** A preset's sources and assumptions, each taken from the preset it extends when it names none. */
export function presetSources(name: string): { references: string[]; assumptions: string[] } {
  const own = parse(PRESETS[name]) as PresetText;
  const base = own.extends && PRESETS[own.extends.replace(/\.ya?ml$/, "")] ? (parse(PRESETS[own.extends.replace(/\.ya?ml$/, "")]) as PresetText) : {};
  // as credsim resolves `extends` (src/scenario/load.ts): the variant's own first, then the base's
  const baseName = own.extends?.replace(/\.ya?ml$/, "") ?? "";
  const titles = new Set((own.references ?? []).map((r) => r.title));
  const refs = [...(own.references ?? []), ...(base.references ?? []).filter((r) => !titles.has(r.title))];
  const assumptions =
    own.assumptions && base.assumptions
      ? [...own.assumptions, ...base.assumptions.map((a) => `From ${baseName}, which this scenario extends (unless changed here): ${a}`)]
      : (own.assumptions ?? base.assumptions ?? []);
  return {
    references: refs.map((r) => [r.title, r.publisher, r.year, r.url].filter(Boolean).join(", ") + (r.note ? ` — ${r.note}` : "")),
    assumptions,
  };
}

/** `extends:` in the lab can name a preset only (there are no files to read). */
export function resolveBase(ref: string, from: string): { text: string; file: string } {
  const name = ref.replace(/\.ya?ml$/, "");
  if (PRESETS[name] !== undefined) return { text: PRESETS[name], file: `${name}.yaml` };
  const guess = didYouMean(name, PRESET_NAMES);
  throw new InputError(from, [
    { field: "extends", message: `no preset '${ref}' (the lab can extend presets only)${guess ? `; did you mean '${guess}'?` : ""}` },
  ]);
}
