import { escapeHtml } from "../src/report/summary-table.js";
import type { Scenario } from "../src/scenario/schema.js";
import { KNOBS } from "./knobs.js";
import { PRESET_NAMES, PRESETS, presetSources, presetTitle } from "./presets.js";
import type { RunResult } from "./protocol.js";
import { type RunHandle, startRun } from "./run-client.js";
import { parsePolicy, scenarioToRun, textOf } from "./scenario.js";
import { decodeState, encodeState, LAB_AGENTS, type LabState, MAX_AGENTS, type Policy, VIEWS, type View } from "./state.js";
import { type Column, renderCharts, renderMetrics } from "./views/charts.js";
import { renderCandidates, renderStory } from "./views/follow.js";
import { PICTURE_MAX_AGENTS, renderNetwork } from "./views/network.js";

// The lab page: controls on the left, results on the right; every change is
// written to the URL and starts a new run (the previous one is cancelled).

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = {
  tabA: $<HTMLButtonElement>("tab-a"),
  tabB: $<HTMLButtonElement>("tab-b"),
  compare: $<HTMLInputElement>("compare"),
  preset: $<HTMLSelectElement>("preset"),
  description: $("preset-description"),
  references: $("preset-references"),
  assumptions: $("preset-assumptions"),
  agents: $<HTMLInputElement>("agents"),
  days: $<HTMLInputElement>("days"),
  seed: $<HTMLInputElement>("seed"),
  knobs: $("knobs"),
  resetKnobs: $<HTMLButtonElement>("reset-knobs"),
  yaml: $<HTMLTextAreaElement>("yaml"),
  yamlError: $("yaml-error"),
  yamlReset: $<HTMLButtonElement>("yaml-reset"),
  run: $<HTMLButtonElement>("run"),
  copyLink: $<HTMLButtonElement>("copy-link"),
  status: $("status"),
  progress: $<HTMLProgressElement>("progress"),
  notices: $("notices"),
  metrics: $("metrics"),
  charts: $("charts"),
  candidates: $("candidates"),
  personInput: $<HTMLInputElement>("person"),
  personGo: $<HTMLButtonElement>("person-go"),
  story: $("story"),
  network: $("network"),
  followFor: $("follow-for"),
};

let state: LabState;
let results: { a?: RunResult; b?: RunResult } = {};
/**
 * The people a run chose to follow, kept with the scenario they came from: following
 * someone else by number runs again logging that person only, and the run's own
 * picks stay listed beside them (a click on one runs again for it).
 */
const picks: { a?: { scenario: string; followed: RunResult["followed"] }; b?: { scenario: string; followed: RunResult["followed"] } } = {};
let ranScenario: { a?: string; b?: string } = {};
let running: RunHandle[] = [];
let runTimer: ReturnType<typeof setTimeout> | undefined;
let runCounter = 0;

declare const __LAB_BUILD__: boolean;

declare global {
  interface Window {
    credsimLab: { state: () => LabState; results: () => typeof results; runs: () => number };
  }
}
window.credsimLab = { state: () => state, results: () => results, runs: () => runCounter };

const editing = (): Policy => state[state.editing];
const label = (key: "a" | "b") => `${key.toUpperCase()}: ${state[key].preset}${state[key].yaml === null ? "" : " (edited)"}`;

function setStatus(text: string, kind: "idle" | "running" | "done" | "error"): void {
  el.status.textContent = text;
  document.body.dataset.run = kind;
}

// ---- controls -----------------------------------------------------------

function renderControls(): void {
  el.tabA.setAttribute("aria-selected", String(state.editing === "a"));
  el.tabB.setAttribute("aria-selected", String(state.editing === "b"));
  el.tabB.disabled = !state.compare;
  el.compare.checked = state.compare;
  const p = editing();
  el.preset.value = p.preset;
  const info = presetTitle(p.preset);
  el.description.textContent = `${info.title}. ${info.description}`;
  const sources = presetSources(p.preset);
  const items = (list: string[], none: string) =>
    (list.length ? list : [none]).map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    });
  el.references.replaceChildren(...items(sources.references, "none cited (see the assumptions)"));
  el.assumptions.replaceChildren(...items(sources.assumptions, "none stated"));
  el.agents.value = String(state.agents);
  el.days.value = String(state.days);
  el.seed.value = String(state.seed);
  if (document.activeElement !== el.yaml) el.yaml.value = textOf(p);
  el.yamlReset.disabled = p.yaml === null;
  renderKnobs();
}

function renderKnobs(): void {
  const p = editing();
  const parsed = parsePolicy(p);
  showYamlError(parsed.ok ? null : parsed.message);
  if (!parsed.ok) return;
  const base = parsed.base;
  el.knobs.innerHTML = KNOBS.map((k) => {
    const own = k.read(base);
    const id = `knob-${k.key}`;
    if (typeof own !== "number")
      return `<div class="knob unavailable"><label for="${id}">${escapeHtml(k.label(base))}</label><input id="${id}" type="range" disabled><p class="why">${escapeHtml(own.unavailable)}</p></div>`;
    const value = p.knobs[k.key] ?? own;
    const { min: rangeMin, max, step } = k.range(base);
    // start the grid at the preset's value, so the keyboard can always return to it
    const min = own - Math.ceil((own - rangeMin) / step - 1e-9) * step;
    const changed = p.knobs[k.key] !== undefined && p.knobs[k.key] !== own;
    if (k.kind === "toggle")
      return `<div class="knob${changed ? " changed" : ""}"><label><input id="${id}" type="checkbox" data-knob="${k.key}" ${value === 1 ? "checked" : ""}> ${escapeHtml(k.label(base))}</label><p class="why">${escapeHtml(k.help)} Preset: ${own === 1 ? "on" : "off"}.</p></div>`;
    return `<div class="knob${changed ? " changed" : ""}"><label for="${id}">${escapeHtml(k.label(base))}</label>
<div class="slider"><input id="${id}" type="range" data-knob="${k.key}" min="${Number(Math.min(min, value).toPrecision(12))}" max="${Math.max(max, value)}" step="${step}" value="${value}" aria-describedby="${id}-help"><output for="${id}">${fmt(value)}</output></div>
<p class="why" id="${id}-help">${escapeHtml(k.help)} Preset: ${fmt(own)}.</p></div>`;
  }).join("");
  for (const input of el.knobs.querySelectorAll<HTMLInputElement>("input[data-knob]")) {
    const def = KNOBS.find((k) => k.key === input.dataset.knob);
    if (!def) continue;
    input.addEventListener("input", () => {
      const v = input.type === "checkbox" ? (input.checked ? 1 : 0) : Number(input.value);
      editing().knobs[def.key] = v;
      const out = input.parentElement?.querySelector("output");
      if (out) out.textContent = fmt(v);
      input.closest(".knob")?.classList.toggle("changed", v !== def.read(base)); // as sliders are marked when drawn
      changed(150);
    });
  }
}

const fmt = (v: number) => (Number.isInteger(v) ? v.toLocaleString("en") : String(Number(v.toPrecision(4))));

function showYamlError(message: string | null): void {
  el.yamlError.textContent = message ?? "";
  el.yamlError.hidden = message === null;
  el.yaml.setAttribute("aria-invalid", String(message !== null));
}

function wireControls(): void {
  el.preset.innerHTML = PRESET_NAMES.map((n) => `<option value="${n}">${escapeHtml(n)} — ${escapeHtml(presetTitle(n).title)}</option>`).join("");
  const tab = (key: "a" | "b") => {
    state.editing = key;
    renderControls();
    changed(null);
  };
  el.tabA.addEventListener("click", () => tab("a"));
  el.tabB.addEventListener("click", () => tab("b"));
  el.compare.addEventListener("change", () => {
    state.compare = el.compare.checked;
    if (state.compare) state.b = structuredClone(state.a);
    state.editing = state.compare ? "b" : "a";
    renderControls();
    changed(0);
  });
  el.preset.addEventListener("change", () => {
    const p = editing();
    p.preset = el.preset.value;
    p.yaml = null;
    p.knobs = {};
    if (state.editing === "a" && !state.compare) {
      const parsed = parsePolicy(p);
      if (parsed.ok) {
        state.agents = Math.min(parsed.base.population.agents, LAB_AGENTS);
        state.days = parsed.base.days;
        state.seed = parsed.base.seed;
      }
    }
    state.person = null;
    renderControls();
    changed(0);
  });
  const number = (input: HTMLInputElement, min: number, max: number, set: (v: number) => void) =>
    input.addEventListener("change", () => {
      const v = Number(input.value);
      if (!Number.isInteger(v) || v < min || v > max) {
        input.setAttribute("aria-invalid", "true");
        setStatus(
          `${input.labels?.[0]?.textContent ?? input.id}: expected an integer from ${min.toLocaleString("en")} to ${max.toLocaleString("en")}`,
          "error",
        );
        return;
      }
      input.setAttribute("aria-invalid", "false");
      set(v);
      state.person = null;
      changed(0);
    });
  number(el.agents, 10, MAX_AGENTS, (v) => (state.agents = v));
  number(el.days, 1, 3650, (v) => (state.days = v));
  number(el.seed, 0, 2 ** 32 - 1, (v) => (state.seed = v));
  el.resetKnobs.addEventListener("click", () => {
    editing().knobs = {};
    renderKnobs();
    changed(0);
  });
  let yamlTimer: ReturnType<typeof setTimeout> | undefined;
  el.yaml.addEventListener("input", () => {
    clearTimeout(yamlTimer);
    yamlTimer = setTimeout(() => {
      const p = editing();
      p.yaml = el.yaml.value === PRESETS[p.preset] ? null : el.yaml.value;
      el.yamlReset.disabled = p.yaml === null;
      renderKnobs();
      if (el.yamlError.hidden) changed(0);
      else {
        setStatus("The scenario text has errors (see below the editor); the last results are kept.", "error");
        void writeUrl();
      }
    }, 400);
  });
  el.yaml.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      el.yaml.dispatchEvent(new Event("input"));
    }
  });
  el.yamlReset.addEventListener("click", () => {
    editing().yaml = null;
    el.yaml.value = textOf(editing());
    renderKnobs();
    changed(0);
  });
  el.run.addEventListener("click", () => {
    const bad = document.querySelector<HTMLInputElement>(".size input[aria-invalid='true']");
    if (bad) bad.focus(); // runAll says what to fix
    changed(0);
  });
  el.copyLink.addEventListener("click", async () => {
    await writeUrl();
    try {
      await navigator.clipboard.writeText(location.href);
      el.copyLink.textContent = "Link copied";
    } catch {
      el.copyLink.textContent = "Copy the address bar";
    }
    setTimeout(() => (el.copyLink.textContent = "Copy link to this result"), 2000);
  });
  for (const view of VIEWS) $(`view-tab-${view}`).addEventListener("click", () => showView(view));
  el.personGo.addEventListener("click", () => {
    const v = Number(el.personInput.value);
    if (!Number.isInteger(v) || v < 0 || v >= state.agents) {
      el.personInput.setAttribute("aria-invalid", "true");
      el.story.innerHTML = `<p class="error">Person: expected an integer from 0 to ${(state.agents - 1).toLocaleString("en")}.</p>`;
      return;
    }
    el.personInput.setAttribute("aria-invalid", "false");
    followPerson(v);
  });
  el.personInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") el.personGo.click();
  });
  window.addEventListener("hashchange", async () => {
    if (location.hash.slice(1) === (await encodeState(state))) return;
    await loadFromUrl();
  });
}

function showView(view: View): void {
  state.view = view;
  for (const v of VIEWS) {
    $(`view-tab-${v}`).setAttribute("aria-selected", String(v === view));
    $(`view-${v}`).hidden = v !== view;
  }
  void writeUrl();
}

// ---- runs -----------------------------------------------------------------

async function writeUrl(): Promise<void> {
  const hash = await encodeState(state);
  if (location.hash.slice(1) !== hash) history.replaceState(null, "", `#${hash}`);
}

/** Something changed: write the URL and run again after `delay` ms (null: no new run). */
function changed(delay: number | null): void {
  void writeUrl();
  if (delay === null) {
    renderResults();
    return;
  }
  clearTimeout(runTimer);
  runTimer = setTimeout(() => void runAll(), delay);
}

async function runAll(): Promise<void> {
  // a size field holding a value that was not applied: no run until it is fixed (whatever started this run)
  const bad = document.querySelector<HTMLInputElement>(".size input[aria-invalid='true']");
  if (bad) {
    setStatus(`${bad.labels?.[0]?.textContent?.trim() ?? bad.id}: fix this value first (it was not applied)`, "error");
    return;
  }
  for (const r of running) r.cancel();
  running = [];
  const keys: ("a" | "b")[] = state.compare ? ["a", "b"] : ["a"];
  const scenarios: Partial<Record<"a" | "b", Scenario>> = {};
  const warnings: string[] = [];
  for (const key of keys) {
    const parsed = parsePolicy(state[key]);
    if (!parsed.ok) {
      setStatus(`Policy ${key.toUpperCase()}: the scenario text has errors; the last results are kept.`, "error");
      return;
    }
    try {
      const run = scenarioToRun(parsed.base, state[key], state);
      scenarios[key] = run.scenario;
      for (const w of run.warnings) warnings.push(keys.length > 1 ? `${key.toUpperCase()}: ${w}` : w);
    } catch (e) {
      setStatus(e instanceof Error ? e.message : String(e), "error");
      return;
    }
  }
  const id = ++runCounter;
  const started = performance.now();
  const progress: Record<string, number> = {};
  const partial: Partial<Record<"a" | "b", Column>> = {};
  let lastDraw = 0;
  setStatus(`Running ${keys.map((k) => label(k)).join(" and ")}…`, "running");
  el.progress.value = 0;
  const handles = keys.map((key) =>
    startRun(
      { scenario: scenarios[key] as Scenario, track: 20, person: key === state.editing ? state.person : null, picture: state.agents <= PICTURE_MAX_AGENTS },
      (m) => {
        progress[key] = m.done;
        el.progress.value = keys.reduce((s, k) => s + (progress[k] ?? 0), 0) / keys.length;
        if (m.partial) partial[key] = { label: label(key), data: m.partial.data, note: m.partial.note, timeSeriesOnly: m.partial.timeSeriesOnly };
        const now = performance.now();
        if (now - lastDraw > 200 && keys.every((k) => partial[k] || results[k])) {
          lastDraw = now;
          drawColumns(keys.map((k) => partial[k] ?? { label: label(k), data: results[k] as RunResult, note: "previous run" }));
        }
      },
    ),
  );
  running = handles;
  try {
    const done = await Promise.all(handles.map((h) => h.done));
    if (id !== runCounter) return;
    results = {};
    ranScenario = {};
    keys.forEach((k, i) => {
      results[k] = done[i];
      const scenario = JSON.stringify(scenarios[k]);
      ranScenario[k] = scenario;
      if (!(k === state.editing && state.person !== null)) picks[k] = { scenario, followed: done[i].followed };
    });
    el.progress.value = 1;
    const seconds = (performance.now() - started) / 1000;
    setStatus(
      `Done in ${seconds.toFixed(2)} s: ${state.agents.toLocaleString("en")} people × ${state.days} days, seed ${state.seed}${keys
        .map((k) => ` · ${label(k)} (${(results[k] as RunResult).engine} engine, ${(results[k] as RunResult).seconds.toFixed(2)} s)`)
        .join("")}.${warnings.length ? ` Warning: ${warnings.join("; ")}.` : ""}`,
      "done",
    );
    renderResults();
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") return;
    if (id === runCounter) setStatus(`The run failed: ${e instanceof Error ? e.message : String(e)}`, "error");
  }
}

function drawColumns(columns: Column[]): void {
  renderMetrics(el.metrics, columns);
  renderCharts(el.charts, columns);
}

function renderResults(): void {
  const keys: ("a" | "b")[] = state.compare ? ["a", "b"] : ["a"];
  if (!keys.every((k) => results[k])) return;
  drawColumns(keys.map((k) => ({ label: label(k), data: results[k] as RunResult })));
  const key = state.compare ? state.editing : "a";
  const result = results[key] as RunResult;
  el.followFor.textContent = state.compare ? `Showing policy ${label(key)} (switch policy with the tabs on the left).` : "";
  const selected = state.person ?? result.followed.find((p) => p.reason === "wrongful")?.agent ?? result.followed[0]?.agent ?? null;
  const own = picks[key];
  const listed =
    own && own.scenario === ranScenario[key]
      ? [...result.followed, ...own.followed.filter((p) => !result.followed.some((q) => q.agent === p.agent))]
      : result.followed;
  renderCandidates(el.candidates, { ...result, followed: listed }, selected, (agent) => followPerson(agent));
  if (selected !== null) renderStory(el.story, result, selected, state.days);
  else el.story.innerHTML = `<p class="note">Nobody was logged in this run.</p>`;
  el.personInput.max = String(state.agents - 1);
  const why =
    state.agents > PICTURE_MAX_AGENTS
      ? `The network is drawn for populations of up to ${PICTURE_MAX_AGENTS.toLocaleString("en")} people; this run has ${state.agents.toLocaleString("en")}. Set agents to ${PICTURE_MAX_AGENTS.toLocaleString("en")} or fewer to see it.`
      : "This scenario has no contact network (population.network in the YAML).";
  renderNetwork(el.network, result.picture, why);
}

function followPerson(agent: number): void {
  state.person = agent;
  const key = state.compare ? state.editing : "a";
  const result = results[key];
  if (result?.followed.some((p) => p.agent === agent)) {
    void writeUrl();
    renderResults();
  } else changed(0); // not logged: run again with this person logged (same seed, same numbers)
}

async function loadFromUrl(): Promise<void> {
  const { state: st, problems } = await decodeState(location.hash);
  state = st;
  // sizes the link does not give (or gives wrongly) are the preset's own, as when it is picked from the menu
  const given = new URLSearchParams(location.hash.replace(/^#/, ""));
  const own = (key: string) => !given.has(key) || problems.some((p) => p.startsWith(`link: ${key} `));
  const parsed = parsePolicy(state.a);
  if (parsed.ok) {
    if (own("n")) state.agents = Math.min(parsed.base.population.agents, LAB_AGENTS);
    if (own("d")) state.days = parsed.base.days;
    if (own("s")) state.seed = parsed.base.seed;
  }
  if (state.person !== null && state.person >= state.agents) {
    problems.push(`link: who (person followed): ${state.person} is not among the ${state.agents.toLocaleString("en")} people of this run`);
    state.person = null;
  }
  el.notices.innerHTML = problems.map((p) => `<p class="error">${escapeHtml(p)}; the default is used instead.</p>`).join("");
  el.notices.hidden = problems.length === 0;
  renderControls();
  showView(state.view);
  changed(0);
}

wireControls();
void loadFromUrl();

if ("serviceWorker" in navigator && location.protocol !== "file:" && __LAB_BUILD__) {
  navigator.serviceWorker.register("./sw.js").catch(() => {
    // offline use is a convenience; the page works without it
  });
}
