import { type Counters, newCounters } from "./counters.js";
import type { DecayTable } from "./day.js";
import * as K from "./kernel-layout.js";
import { KERNEL_WASM } from "./kernel-wasm.js";
import type { Model } from "./model.js";
import type { Population } from "./population.js";
import { mix32 } from "./rng.js";

// The per-agent engine compiled to WebAssembly (kernel/agents.ts): the same
// draws and the same floating-point operations as separable.ts, about twice as
// fast (docs/performance.md, decision 14). This module copies a model into the
// kernel's memory, once per thread, and gives its counters back as typed arrays
// over that memory. Where WebAssembly is unavailable, `startKernel` returns null
// and the TypeScript engine runs every agent.

/** Day deltas of listing states, as in separable.ts. */
export interface KernelDeltas {
  listed: Float64Array;
  wrong: Float64Array;
  shadow: Float64Array;
  domain: Float64Array;
  perk: Float64Array;
}

export interface Kernel {
  /** Counters of the agents the kernel ran, in its memory (add them out before it is dropped). */
  readonly counters: Counters;
  readonly deltas: KernelDeltas;
  /** Runs agents from, from + step, … below `to`. */
  run(from: number, to: number, step: number): void;
  /**
   * Runs one followed agent and returns its events, 6 numbers each (day, agent,
   * type, a, b, v, as History.add takes them), valid until the next call; null
   * when the run is too long for the event buffer (the caller runs it in TypeScript).
   */
  runFollowed(agent: number): Float64Array | null;
}

/** Bytes of a followed agent's events at most: the buffer is this size or none. */
const MOST_EVENT_BYTES = 16 * 2 ** 20;

let compiled: WebAssembly.Module | null | undefined;

/** The kernel, compiled once per thread (null where WebAssembly is unavailable). */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const text = atob(KERNEL_WASM);
      const bytes = new Uint8Array(text.length);
      for (let k = 0; k < text.length; k++) bytes[k] = text.charCodeAt(k);
      compiled = new WebAssembly.Module(bytes);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Whether this runtime can run the kernel. */
export function kernelAvailable(): boolean {
  return kernelModule() !== null;
}

type Ints = ArrayLike<number>;

/** Lays a model out in a new kernel instance and returns it, or null where WebAssembly is unavailable. */
export function startKernel(model: Model, pop: Population, decay: DecayTable): Kernel | null {
  const module = kernelModule();
  if (!module) return null;
  const { days, G, D, B } = model;
  const T = model.tierNames.length;
  const fear = model.fear;
  const gaps = model.gaps;

  // plan: every array's element type and length, then one memory of the total size
  const ints: [number, Ints][] = [
    [K.CLASS_GROUP, model.classGroup],
    [K.EXEMPT_CLASS, model.exemptClass],
    [K.CLASS_SEGMENT, model.classSegment],
    [K.SEGMENT_PRESENT, model.segmentPresent],
    [K.CLASS_START, pop.classStart],
    [K.CLASS_END, pop.classEnd],
    [K.GROUP_START, pop.groupStart],
    [K.DOMAIN_OF, model.domainOf],
    [K.KIND, model.kind],
    [K.PENALISING, model.penalising],
    [K.DIRECT, model.direct],
    [K.CHAN_TYPE, model.chanType],
    [K.CHAN_BEHAVIOUR, model.chanBehaviour],
    [K.BLOCK_OWN, model.blockOwn],
    [K.MAIN_SOURCE, model.mainSource],
    [K.CHAN_SOURCE, model.chanSource],
  ];
  const floats: [number, Ints][] = [
    [K.NO_EVENT, model.noEvent],
    [K.CHAN_SOME_FROM, model.chanSomeFrom],
    [K.CHAN_P, model.chanP],
    [K.DETER, model.deter],
    [K.P_RAW, model.pRaw],
    [K.P_MAX, model.pMax],
    [K.POINTS, model.points],
    [K.DETECT, model.detect],
    [K.MISATTRIBUTE, model.misattribute],
    [K.REVIEW, model.review],
    [K.TIER_MINS, model.tierMins],
    [K.DECAY, decay.decay],
    [K.FEAR_KEEP, fear ? fear.keep : []],
    [K.GAP_LAST, gaps.last],
    [K.GAP_LOGS, gaps.logs],
  ];
  const template = newCounters(model);
  const counterSlots: [number, keyof Counters][] = [
    [K.AGENTS, "agents"],
    [K.CLASS_AGENTS, "classAgents"],
    [K.CLASS_AGENT_DAYS, "classAgentDays"],
    [K.OCCURRENCES, "occurrences"],
    [K.DENIED, "denied"],
    [K.DENIED_BY_BEHAVIOUR, "deniedByBehaviour"],
    [K.RECORDS_TRUE, "recordsTrue"],
    [K.RECORDS_FALSE, "recordsFalse"],
    [K.RECORDS_DISCARDED, "recordsDiscarded"],
    [K.NEW_LISTINGS, "newListings"],
    [K.EVER_LISTED, "everListed"],
    [K.EVER_WRONGFUL, "everWrongful"],
    [K.CURED, "cured"],
    [K.WITH_FALSE_RECORD, "withFalseRecord"],
    [K.WRONGFUL_SPELLS, "wrongfulSpells"],
    [K.WRONGFUL_SPELL_DAYS, "wrongfulSpellDays"],
    [K.WRONGFUL_SPELL_HISTOGRAM, "wrongfulSpellHistogram"],
    [K.OPEN_WRONGFUL_SPELLS, "openWrongfulSpells"],
    [K.OPEN_WRONGFUL_SPELL_DAYS, "openWrongfulSpellDays"],
    [K.SCORE_HISTOGRAM, "scoreHistogram"],
    [K.SHADOW_SCORE_HISTOGRAM, "shadowScoreHistogram"],
    [K.TIER_COUNTS, "tierCounts"],
    [K.TIER_TRANSITIONS, "tierTransitions"],
    [K.TIER_FELL_BELOW, "tierFellBelow"],
    [K.EXPOSED_PEOPLE, "exposedPeople"],
    [K.EXPOSED_RECORDS, "exposedRecords"],
    [K.EXPOSED_FALSE_RECORDS, "exposedFalseRecords"],
  ];
  const deltaLength = (days + 1) * G;
  const deltaSlots: [number, keyof KernelDeltas, number][] = [
    [K.DELTA_LISTED, "listed", deltaLength],
    [K.DELTA_WRONG, "wrong", deltaLength],
    [K.DELTA_SHADOW, "shadow", deltaLength],
    [K.DELTA_DOMAIN, "domain", deltaLength * D],
    [K.DELTA_PERK, "perk", deltaLength],
  ];

  const align = (x: number) => Math.ceil(x / 8) * 8;
  let bytes = K.ARRAYS;
  for (const [, a] of ints) bytes += align(4 * a.length);
  bytes += align(2 * gaps.start.length);
  for (const [, a] of floats) bytes += 8 * a.length;
  for (const [, key] of counterSlots) bytes += 8 * (template[key] as Float64Array).length;
  for (const [, , length] of deltaSlots) bytes += 8 * length;
  // an agent logs at most one event per channel and five more a day (listing or
  // lengthening, renewal or end, cure and its end, score): eight leaves a margin
  const mostEvents = days * (model.M + 8);
  const eventCapacity = 48 * mostEvents <= MOST_EVENT_BYTES ? mostEvents : 0;
  bytes += 48 * eventCapacity;
  // one memory of at most 4 GiB with 32-bit offsets, and agent ids that fit in 31
  // bits: beyond either (extreme horizons and group counts, or 2^31 agents through
  // the library), TypeScript runs every agent
  if (bytes > 2 ** 31 || model.agents > 0x7fffffff) return null;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const buffer = memory.buffer;
  const header = new Int32Array(buffer, K.INTS, K.INT_SLOTS);
  const fheader = new Float64Array(buffer, K.FLOATS, K.FLOAT_SLOTS);
  let at = K.ARRAYS;
  for (const [slot, a] of ints) {
    header[slot] = at;
    new Int32Array(buffer, at, a.length).set(a);
    at += align(4 * a.length);
  }
  header[K.GAP_START] = at;
  new Uint16Array(buffer, at, gaps.start.length).set(gaps.start);
  at += align(2 * gaps.start.length);
  for (const [slot, a] of floats) {
    header[slot] = at;
    new Float64Array(buffer, at, a.length).set(a);
    at += 8 * a.length;
  }
  const views = new Map<string, Float64Array>();
  for (const [slot, key] of counterSlots) {
    const length = (template[key] as Float64Array).length;
    header[slot] = at;
    views.set(key, new Float64Array(buffer, at, length));
    at += 8 * length;
  }
  const deltas = {} as KernelDeltas;
  for (const [slot, key, length] of deltaSlots) {
    header[slot] = at;
    deltas[key] = new Float64Array(buffer, at, length);
    at += 8 * length;
  }
  header[K.EVENTS] = at;
  header[K.EVENT_CAPACITY] = eventCapacity;
  const events = new Float64Array(buffer, at, 6 * eventCapacity);
  at += 48 * eventCapacity;
  // counters the kernel never writes stay the template's zeros
  const counters = { ...template } as Counters;
  for (const [key, view] of views) (counters as unknown as Record<string, Float64Array>)[key] = view;

  header[K.DAYS] = days;
  header[K.G] = G;
  header[K.D] = D;
  header[K.B] = B;
  header[K.M] = model.M;
  header[K.L2] = model.L2;
  header[K.T] = T;
  header[K.C] = model.C;
  header[K.SEED_A] = mix32(model.seed + 0x9e3779b9);
  header[K.SEED_B] = mix32(model.seed ^ 0x5bd1e995);
  header[K.HAS_FEAR] = fear ? 1 : 0;
  header[K.HAS_PRESENCE] = model.segmentPresent.some((x) => x > 0) ? 1 : 0;
  header[K.HAS_PERK] = model.perkAbove !== null ? 1 : 0;
  header[K.HAS_CURE] = model.cure ? 1 : 0;
  header[K.CURE_RESET] = model.cure?.resetScore ? 1 : 0;
  header[K.HAS_BREACH] = model.breach ? 1 : 0;
  header[K.BREACH_DAY] = model.breach ? model.breach.day : 0;
  header[K.LIST_DAYS] = model.listDays;
  header[K.MID_DAY] = model.midDay;
  // as in separable.ts: with no association penalty, an unlisted score (≥ threshold)
  // only moves toward s0; if s0 is not below the threshold it can never drift under it
  header[K.CAN_CROSS] = model.enterBelow > model.sMin && !(model.association === 0 && model.s0 >= model.enterBelow) ? 1 : 0;
  header[K.GAP_SIZE] = gaps.size;
  header[K.DECAY_LENGTH] = decay.decay.length;
  fheader[K.S0] = model.s0;
  fheader[K.S_MIN] = model.sMin;
  fheader[K.S_MAX] = model.sMax;
  fheader[K.RHO] = model.rho;
  fheader[K.ENTER_BELOW] = model.enterBelow;
  fheader[K.PERK_ABOVE] = model.perkAbove ?? 0;
  fheader[K.FEAR_FLOOR] = fear ? fear.floor : 0;
  fheader[K.FEAR_DECAY] = fear ? fear.decay : 0;
  fheader[K.FEAR_SELF] = fear ? fear.self : 0;
  fheader[K.CURE_LOG_KEEP] = model.cure ? model.cure.logKeep : 0;
  fheader[K.BREACH_SHARE] = model.breach ? model.breach.share : 0;
  fheader[K.REVIEW_CATCH] = model.reviewCatch;

  const instance = new WebAssembly.Instance(module, { env: { memory, log: Math.log, abort: kernelAbort } });
  const exports = instance.exports as { init(): void; run(from: number, to: number, step: number): void; runFollowed(agent: number): number };
  exports.init();
  const runFollowed = (agent: number) => {
    if (eventCapacity === 0) return null;
    const count = exports.runFollowed(agent);
    if (count < 0) throw new Error(`the per-agent kernel's event buffer was too small for agent ${agent}: an internal error`);
    return events.subarray(0, 6 * count);
  };
  return { counters, deltas, run: exports.run, runFollowed };
}

function kernelAbort(): never {
  throw new Error("the per-agent kernel stopped on an internal check");
}
