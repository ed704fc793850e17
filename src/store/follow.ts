import { EV, EVENT_NAMES, type History } from "../engine/history.js";
import type { Model } from "../engine/model.js";
import { buildPopulation } from "../engine/population.js";
import { Stream } from "../engine/rng.js";
import type { Row } from "./tables.js";

// Chooses the agents a run follows, from the logged pool: some wrongfully listed,
// some sanctioned through a relative, some who appealed, some with false records,
// the rest at random; and turns their histories into rows.

export const REASONS = ["wrongful", "spillover", "appealed", "false-record", "random"] as const;
export type Reason = (typeof REASONS)[number];

export interface ContactRow {
  agent: number;
  contact: number;
  cut: boolean;
  everListed: boolean;
}

/** With `only`, follows exactly those agents (each must be in the logged pool), with the first reason that fits each. */
export function followRows(
  model: Model,
  history: History,
  contacts: ContactRow[],
  track: number,
  runId: string,
  only?: number[],
): { followed: Row[]; history: Row[] } {
  const pop = buildPopulation(model);
  const hs = pop.householdStart;
  const ho = pop.householdOf;
  const members = (i: number): number[] => {
    if (!hs || !ho) return [i];
    const h = ho[i];
    return Array.from({ length: hs[h + 1] - hs[h] }, (_, k) => hs[h] + k);
  };
  // per pool agent: what happened to it
  const byAgent = new Map<number, number[]>();
  for (let k = 0; k < history.count; k++) {
    const a = history.agent[k];
    let list = byAgent.get(a);
    if (!list) byAgent.set(a, (list = []));
    list.push(k);
  }
  const pool: number[] = [];
  for (let i = 0; i < model.agents; i++) if (history.mask[i] === 1) pool.push(i);
  const has = (i: number, test: (k: number) => boolean) => (byAgent.get(i) ?? []).some(test);
  const listed = (i: number) => has(i, (k) => history.type[k] === EV.listed);
  // a listing that puts household restrictions on the listed person's relatives
  const spills = (k: number) => history.type[k] === EV.listed && model.spillDomain[history.b[k]] === 1;
  const categories: Record<Reason, number[]> = {
    wrongful: pool.filter((i) => has(i, (k) => history.type[k] === EV.listed && history.a[k] === 1)),
    spillover: pool.filter((i) => !listed(i) && members(i).some((j) => j !== i && has(j, spills))),
    appealed: pool.filter((i) => has(i, (k) => history.type[k] === EV.appealFiled)),
    "false-record": pool.filter((i) => has(i, (k) => history.type[k] === EV.record && history.v[k] === 0)),
    random: pool,
  };
  const chosen = new Map<number, Reason>();
  const stream = new Stream(model.seed, 1, 8);
  const quota = Math.ceil(track / 5);
  if (only) {
    for (const i of only) chosen.set(i, REASONS.find((r) => categories[r].includes(i)) ?? "random");
  } else
    for (const reason of REASONS) {
      const candidates = categories[reason].filter((i) => !chosen.has(i));
      const want = reason === "random" ? track - chosen.size : Math.min(quota, track - chosen.size);
      // a reproducible sample without replacement
      for (let n = 0; n < want && candidates.length > 0; n++) {
        const k = stream.below(candidates.length);
        chosen.set(candidates[k], reason);
        candidates.splice(k, 1);
      }
    }
  const followedAgents = [...chosen.keys()].sort((a, b) => a - b);
  const relatives = new Set<number>();
  for (const i of followedAgents) for (const j of members(i)) if (!chosen.has(j)) relatives.add(j);

  const sourceName = (s: number) => (s === -2 ? "insider" : s >= 0 ? model.sources[s] : null);
  const historyRows: Row[] = [];
  for (const i of [...followedAgents, ...[...relatives].sort((a, b) => a - b)]) {
    const isRelative = !chosen.has(i);
    let spilling = false; // a relative's listing shows only when it restricts the household
    for (const k of byAgent.get(i) ?? []) {
      const type = history.type[k];
      if (isRelative) {
        if (type === EV.listed) spilling = spills(k);
        else if (type !== EV.unlisted && type !== EV.extended) continue;
        if (!spilling) continue;
        if (type === EV.unlisted) spilling = false;
      }
      const isRecordLike = type === EV.record || type === EV.denied;
      historyRows.push({
        run_id: runId,
        agent: i,
        seq: k,
        day: history.day[k],
        event: EVENT_NAMES[type],
        behaviour: isRecordLike ? model.behaviours[history.a[k]] : null,
        source: type === EV.record ? sourceName(history.b[k]) : null,
        true_record: type === EV.record ? history.v[k] : null,
        other_agent: type === EV.tieCut || type === EV.rated ? history.a[k] : null,
        flag: type === EV.listed || type === EV.unlisted || type === EV.appealDecided || type === EV.extended ? history.a[k] : null,
        value: type === EV.listed || type === EV.extended || type === EV.score || type === EV.rated ? history.v[k] : null,
      });
    }
  }
  const contactsOf = new Map<number, ContactRow[]>();
  for (const c of contacts) {
    let list = contactsOf.get(c.agent);
    if (!list) contactsOf.set(c.agent, (list = []));
    list.push(c);
  }
  const followed: Row[] = followedAgents.map((i) => {
    const cls = pop.cls[i];
    const cs = contactsOf.get(i) ?? [];
    return {
      run_id: runId,
      agent: i,
      reason: chosen.get(i) as string,
      group: model.groups[model.classGroup[cls]],
      segment: model.segments[model.classSegment[cls]],
      household: members(i).join(" "),
      contacts: cs.length,
      contacts_ever_listed: cs.filter((c) => c.everListed).length,
      ties_cut: cs.filter((c) => c.cut).length,
    };
  });
  return { followed, history: historyRows };
}
