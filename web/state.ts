import { DEFAULT_PRESET } from "../src/scenario/default-preset.js";
import { KNOBS, type Knobs } from "./knobs.js";
import { PRESET_NAMES } from "./presets.js";

// The page's whole state, and its encoding in the URL's fragment, so a link
// reproduces a result exactly (same scenario, same seed, same numbers).

export type View = "charts" | "follow" | "network";
export const VIEWS: View[] = ["charts", "follow", "network"];

export interface Policy {
  preset: string;
  /** The edited scenario text, or null for the preset's own text. */
  yaml: string | null;
  knobs: Knobs;
}

export interface LabState {
  a: Policy;
  b: Policy;
  compare: boolean;
  editing: "a" | "b";
  agents: number;
  days: number;
  seed: number;
  view: View;
  /** The person followed, or null for the run's own choice. */
  person: number | null;
}

export const MAX_AGENTS = 5_000_000;
export const LAB_AGENTS = 100_000;

export function initialState(): LabState {
  return {
    a: { preset: DEFAULT_PRESET, yaml: null, knobs: {} },
    b: { preset: DEFAULT_PRESET, yaml: null, knobs: {} },
    compare: false,
    editing: "a",
    agents: LAB_AGENTS,
    days: 365,
    seed: 1,
    view: "charts",
    person: null,
  };
}

async function deflate(text: string): Promise<string> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function inflate(code: string): Promise<string> {
  const s = atob(code.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(s, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Response(stream).text();
}

const knobsCode = (k: Knobs) =>
  KNOBS.filter((d) => k[d.key] !== undefined)
    .map((d) => `${d.code}${k[d.key]}`)
    .join("_");

export async function encodeState(st: LabState): Promise<string> {
  const p = new URLSearchParams();
  const policy = async (prefix: string, x: Policy) => {
    p.set(`${prefix}p`, x.preset);
    if (x.yaml !== null) p.set(`${prefix}y`, await deflate(x.yaml));
    const k = knobsCode(x.knobs);
    if (k) p.set(`${prefix}k`, k);
  };
  await policy("", st.a);
  p.set("n", String(st.agents));
  p.set("d", String(st.days));
  p.set("s", String(st.seed));
  if (st.compare) {
    p.set("ab", "1");
    await policy("b", st.b);
  }
  if (st.editing === "b") p.set("edit", "b");
  if (st.view !== "charts") p.set("v", st.view);
  if (st.person !== null) p.set("who", String(st.person));
  return p.toString();
}

/** The state a fragment describes; problems are reported, and the default is kept for that part only. */
export async function decodeState(fragment: string): Promise<{ state: LabState; problems: string[] }> {
  const st = initialState();
  const problems: string[] = [];
  const p = new URLSearchParams(fragment.replace(/^#/, ""));
  const int = (key: string, what: string, min: number, max: number, set: (v: number) => void) => {
    const raw = p.get(key);
    if (raw === null) return;
    const v = Number(raw);
    if (Number.isInteger(v) && v >= min && v <= max) set(v);
    else problems.push(`link: ${key} (${what}): expected an integer from ${min.toLocaleString("en")} to ${max.toLocaleString("en")}, got '${raw}'`);
  };
  const policy = async (prefix: string, into: Policy) => {
    const preset = p.get(`${prefix}p`);
    if (preset !== null) {
      if (PRESET_NAMES.includes(preset)) into.preset = preset;
      else problems.push(`link: ${prefix}p (preset): no preset '${preset}'; presets: ${PRESET_NAMES.join(", ")}`);
    }
    const yaml = p.get(`${prefix}y`);
    if (yaml !== null) {
      try {
        into.yaml = await inflate(yaml);
      } catch {
        problems.push(`link: ${prefix}y (scenario text): not readable (the link may be cut short)`);
      }
    }
    const knobs = p.get(`${prefix}k`);
    if (knobs) {
      for (const part of knobs.split("_")) {
        const def = KNOBS.find((d) => d.code === part[0]);
        const v = Number(part.slice(1));
        if (!def || part.length < 2 || !Number.isFinite(v)) problems.push(`link: ${prefix}k (sliders): cannot read '${part}'`);
        else into.knobs[def.key] = v;
      }
    }
  };
  await policy("", st.a);
  int("n", "agents", 10, MAX_AGENTS, (v) => (st.agents = v));
  int("d", "days", 1, 3650, (v) => (st.days = v));
  int("s", "seed", 0, 2 ** 32 - 1, (v) => (st.seed = v));
  if (p.get("ab") === "1") {
    st.compare = true;
    await policy("b", st.b);
  }
  if (p.get("edit") === "b" && st.compare) st.editing = "b";
  const view = p.get("v");
  if (view !== null) {
    if ((VIEWS as string[]).includes(view)) st.view = view as View;
    else problems.push(`link: v (view): expected one of ${VIEWS.join(", ")}, got '${view}'`);
  }
  int("who", "person followed", 0, MAX_AGENTS - 1, (v) => (st.person = v));
  return { state: st, problems };
}
