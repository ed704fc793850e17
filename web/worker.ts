/// <reference lib="webworker" />

import pkg from "../package.json";
import { addCounters, type Counters, countersArrays, countersFromArrays } from "../src/engine/counters.js";
import { History, trackingPool } from "../src/engine/history.js";
import { summarize } from "../src/engine/metrics.js";
import { compileModel, type Model } from "../src/engine/model.js";
import { ringOrder } from "../src/engine/network.js";
import { buildPopulation } from "../src/engine/population.js";
import { runSeparable } from "../src/engine/separable.js";
import { isSeparable, Simulation } from "../src/engine/simulate.js";
import type { BehaviourPoint, DailyPoint } from "../src/report/charts.js";
import type { FollowedRow, HistoryRow } from "../src/report/story.js";
import { canonicalJson, scenarioHash } from "../src/scenario/hash.js";
import { followRows } from "../src/store/follow.js";
import { runTables } from "../src/store/tables.js";
import type { ContactInfo, NetworkPicture, RunData, RunRequest, WorkerMessage } from "./protocol.js";

// Runs one scenario with the real engine (src/engine) off the page's thread.
// Separable scenarios run as 10 systematic slices (every 10th agent), so the page
// shows whole-run estimates that sharpen as slices finish; interacting ones run
// day by day, and the page shows the series up to the current day.

const POOL_PER_FOLLOWED = 50;
const SLICES = 10;
const post = (m: WorkerMessage) => (self as unknown as Worker).postMessage(m);

self.onmessage = async (event: MessageEvent<RunRequest>) => {
  try {
    await run(event.data);
  } catch (e) {
    post({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
};

async function run(req: RunRequest): Promise<void> {
  const started = performance.now();
  const model = compileModel(req.scenario);
  const meta = { credsimVersion: pkg.version, scenario: req.scenario.name, scenarioHash: await scenarioHash(req.scenario) };
  const pop = buildPopulation(model);
  const mask = trackingPool(model, req.person === null ? req.track * POOL_PER_FOLLOWED : 0, pop.householdStart);
  if (req.person !== null) addHousehold(mask, req.person, pop.householdStart, pop.householdOf);
  const history = new History(mask);
  const toData = (counters: Counters): { data: RunData; tables: ReturnType<typeof runTables> } => {
    const summary = summarize(model, counters, meta);
    const tables = runTables(model, counters, summary, canonicalJson(req.scenario));
    return { data: { summary, daily: tables.daily as unknown as DailyPoint[], behaviours: tables.behaviours as unknown as BehaviourPoint[] }, tables };
  };
  let counters: Counters;
  let contacts: ContactInfo[] = [];
  let picture: NetworkPicture | null = null;
  let last = performance.now();
  const separable = isSeparable(model);
  if (separable) {
    const slices = model.agents >= 10_000 ? SLICES : 1;
    counters = runSeparable(model, [0, model.agents], undefined, history, slices);
    for (let k = 1; k < slices; k++) {
      // an estimate at most every 150 ms: summarising costs time too
      const now = performance.now();
      if (now - last >= 150) {
        last = now;
        // k of the slices ran: counts scaled by slices / k estimate the whole run's (shares need no scaling)
        const note = `estimate from ${k * 10} % of the population, counts scaled to the whole`;
        const whole = countersFromArrays(
          model,
          countersArrays(counters).map((a) => a.map((x) => (x * slices) / k)),
        );
        post({ type: "progress", done: k / slices, partial: { data: toData(whole).data, note, timeSeriesOnly: false } });
      }
      addCounters(counters, runSeparable(model, [k, model.agents], undefined, history, slices));
    }
  } else {
    const sim = new Simulation(model, { history });
    counters = sim.run((t) => {
      const now = performance.now();
      if (now - last < 150 || t === model.days - 1) return;
      last = now;
      const { data } = toData(sim.counters);
      data.daily = data.daily.filter((d) => d.day <= t);
      post({ type: "progress", done: (t + 1) / model.days, partial: { data, note: `day ${t + 1} of ${model.days}`, timeSeriesOnly: true } });
    });
    contacts = sim.contactsOf(mask);
    if (req.picture && sim.network) picture = networkPicture(model, sim, pop);
  }
  const { data, tables } = toData(counters);
  const runId = tables.runs[0].run_id as string;
  const rows = followRows(model, history, contacts, req.track, runId, req.person === null ? undefined : [req.person]);
  post({
    type: "done",
    result: {
      ...data,
      followed: rows.followed as unknown as FollowedRow[],
      history: rows.history as unknown as HistoryRow[],
      contacts,
      picture,
      engine: separable ? "per-agent" : "calendar",
      scoring: { start: model.s0, reversion: model.rho, min: model.sMin, max: model.sMax },
      seconds: (performance.now() - started) / 1000,
    },
  });
}

function addHousehold(mask: Uint8Array, person: number, householdStart: Int32Array | null, householdOf: Int32Array | null): void {
  if (!householdStart || !householdOf) {
    mask[person] = 1;
    return;
  }
  const h = householdOf[person];
  mask.fill(1, householdStart[h], householdStart[h + 1]);
}

function networkPicture(model: Model, sim: Simulation, pop: ReturnType<typeof buildPopulation>): NetworkPicture {
  const net = sim.network;
  if (!net) throw new Error("no network");
  const status = sim.listingHistory();
  const { householdStart: hs, householdOf: ho } = pop;
  if (hs && ho) {
    for (let i = 0; i < model.agents; i++) {
      if (status[i] !== 0) continue;
      const h = ho[i];
      for (let j = hs[h]; j < hs[h + 1]; j++) if (status[j] === 1 || status[j] === 2) status[i] = 3;
    }
  }
  const groupOf = new Uint8Array(model.agents);
  for (let i = 0; i < model.agents; i++) groupOf[i] = model.classGroup[pop.cls[i]];
  return { ring: ringOrder(model, pop).perm, start: net.start, adj: net.adj, status, groupOf, groups: model.groups };
}
