import { Calendar } from "./calendar.js";
import { addCounters, type Counters, countersArrays, countersFromArrays, newCounters, SCORE_BINS, scoreBin } from "./counters.js";
import { crossing, DayRecords, type DecayTable, decayTable, drift, fearDecay, firstDay, keepRecord, NEVER, type RatingSink, sampleDay, tierOf } from "./day.js";
import { tableGap } from "./gap-table.js";
import { EV, type EventColumns, type History } from "./history.js";
import { IntRows } from "./int-rows.js";
import { keepRead } from "./keep-read.js";
import type { Model } from "./model.js";
import { buildNetwork, type Network, type NetworkHelper, type NetworkStage } from "./network.js";
import { Phase, type PhaseClock } from "./phases.js";
import { arrivalDay, buildPopulation, type Population, presentDays } from "./population.js";
import { draw32, geometricGap, Purpose, Stream, streamKey1, streamKey2, uniform, uniformPositive } from "./rng.js";
import { AgentSorter } from "./sort-agents.js";
import { CutSorter } from "./sort-cuts.js";

// Event-driven engine. Each agent sleeps until its next wake: the next day any of
// its independent daily channels fires (behaviours, false records, ratings: one
// combined geometric clock), its listing or shadow listing expires, its score
// drifts below the threshold, it files an appeal or cures. Between wakes, its
// score follows the closed form of MODEL.md step 7 with no records. Interactions
// (misattribution, contacts, households, appeals, insiders, ratings) touch other
// agents through phases that run in a fixed order each day, so the result equals
// the day-by-day semantics and does not depend on the order agents are visited.

// flags
const LISTED = 1; // counted as listed (real)
const SHADOW = 2; // counted as shadow-listed
const WRONG_START = 4; // current listing began wrongful
const WAITING = 8; // has a live appeal in the queue
const EVER_LISTED = 16;
const HAS_FALSE = 32;
const HAS_DISFAVORED = 64;
const EVER_WRONGFUL = 128;
// a touched agent's slotStep7: nothing to score, to score today, scored and its
// next wake scheduled, or touched again after that (scheduled again at the end)
const STEP7_NONE = 0;
const STEP7_DUE = 1;
const STEP7_SCHEDULED = 2;
const STEP7_TOUCHED_AFTER = 3;

// more flags, in the second byte of the same slot
const CLOCK_LISTED = 1 << 8; // the candidate clock was drawn with listed rates
const CURE_ARMED = 2 << 8; // a cure day is drawn for the current listed period
const PERK = 4 << 8; // held perks as of scoreDay
// Its listing reached its end today (step 1); whether the spell ends or is renewed
// waits for step 8 (a listing renewed the same day is one continuous spell).
const EXPIRED_TODAY = 1 << 14;

// slots of the agent record (HOT four-byte slots per agent)
const HOT = 16;
/** Bytes of an agent's record (the memory estimate counts them, memory.ts). */
export const RECORD_BYTES = HOT * 4;
const UNTIL = 0; // listed while t < until (Int32)
const SHADOW_UNTIL = 1; // shadow-listed while t < shadowUntil
const WAKE = 2; // next day it is processed, or NEVER
const NEXT_CAND = 3; // next day its candidate clock fires
const SCORE = 4; // Float32: score as of scoreDay
const SHADOW_SCORE = 5; // Float32: shadow score as of scoreDay
const SCORE_DAY = 6; // day of the last score update
const RNG_N = 7; // Uint32: its random counter
const SINCE = 8; // first day of the current (or last) listing
const TOUCH = 9; // its slot among today's touched agents (valid if touched[TOUCH] is it)
const FEAR = 10; // Float32: fear as of fearDay
const FEAR_DAY = 11;
const FILE_DAY = 12; // day it files an appeal, or NEVER
const CURE_DAY = 13; // day it cures, or NEVER
const CONTACTS = 14; // Uint32: listed contacts (low 16 bits), shadow-listed contacts (high 16)
const BITS = 15; // flags (bits 0–10, 14), listing domain (11–13), household's listing domains (16–23), class (24–31)
const DOMAIN_SHIFT = 11; // 3 bits: at most 8 domains (MAX_DOMAINS)
const HOUSEHOLD_SHIFT = 16; // a copy of hhMask[household], kept in every member's record
const SHADOW_CONTACT = 0x10000; // one shadow-listed contact in the CONTACTS slot
// agents whose records warm() reads ahead at a time: enough misses in flight,
// few enough records to stay in the first-level cache until they are used
const WARM_BATCH = 32;
// newly listed agents whose contacts are read ahead at a time (about 10 each in
// fused-city): their rows' misses overlap too
const CONTACTS_BATCH = 8;

// what the other lane's contact of a newly listed agent gains (meetAfterContacts)
const JOINED_RENEWED = 0; // one listed contact again, from tomorrow
const JOINED_NEW = 1; // one listed contact, and social fear today
const JOINED_SHADOW = 2; // one shadow-listed contact

export interface SimulationOptions {
  /** Simulate only agents [from, to) (threads); requires a scenario without interactions between agents. */
  range?: [number, number];
  /** Event log for tracked agents. */
  history?: History;
  /** Process each day's wakes in agent order (default); false only to measure what the order is worth (bench/decisions.mjs). */
  sortWakes?: boolean;
  /** Expire and behave one household at a time (default); false, all expire first: only to measure what it is worth (bench/decisions.mjs). */
  fuseWakeSteps?: boolean;
  /** Schedule an agent's next wake right after step 8 when nothing later that day touches it (default); false only to measure what it is worth. */
  scheduleEarly?: boolean;
  /** Read a batch of records ahead in a loop of reads alone, so that their cache misses overlap (default); false only to measure what it is worth. */
  warmReads?: boolean;
  /** Adds the time of each phase of the run to this clock (bench/phases.mjs). */
  phases?: PhaseClock;
  /** A second thread for building the network (network-thread.node.ts); the network is the same without it. */
  networkHelper?: NetworkHelper | null;
  /** Called as each stage of the network build ends, with its milliseconds (bench/phases.mjs). */
  onNetworkStage?: (stage: NetworkStage, ms: number) => void;
  /**
   * A second thread for the days (day-thread.node.ts, decision 23): it owns the
   * upper part of the agents and runs their phases while this thread runs the
   * lower part's. The outputs are the same without it.
   */
  dayHelper?: DayHelper | null;
  /** Set only by the day helper's worker: this simulation is the upper lane of a run led by another thread. */
  lane?: LaneSetup;
}

/** Messages between the two lanes of a run, each received synchronously (the other lane is blocked until it arrives). */
export interface LaneLink {
  send(value: unknown, transfer?: ArrayBuffer[]): void;
  receive(): unknown;
}

/** What both lanes of a run read and write: shared memory, and where the upper lane's agents start. */
export interface LaneShared {
  hot: SharedArrayBuffer;
  population: Population;
  network: Network | null;
  side: SideArrays;
  /** Which agents each lane owns: see laneBlocks. */
  lanes: LaneBlocks;
  /** Whose events are logged (History.mask), or null. */
  historyMask: Uint8Array | null;
}

/** Per-agent and per-household arrays beside the records, each present only when the model needs it. */
interface SideArrays {
  hhCount: Uint8Array | null;
  hhMask: Uint8Array | null;
  keptBeforeBreach: Uint16Array | null;
  falseBeforeBreach: Uint16Array | null;
  midTier: Int8Array | null;
  /** The final scores for the sums over ties, written by both lanes (two lanes only; one lane allocates them at the end). */
  tieScores: Float32Array | null;
}

/** The side arrays of n agents in H households, in shared memory when another lane writes its own agents' (and households') entries. */
function sideArrays(model: Model, n: number, H: number, share: boolean, network: boolean): SideArrays {
  return {
    hhCount: H ? arrayOf(Uint8Array, H * model.D, share) : null,
    hhMask: H ? arrayOf(Uint8Array, H, share) : null,
    keptBeforeBreach: model.breach ? arrayOf(Uint16Array, n, share) : null,
    falseBeforeBreach: model.breach ? arrayOf(Uint16Array, n, share) : null,
    midTier: model.tierNames.length > 0 ? arrayOf(Int8Array, n, share) : null,
    tieScores: share && network ? new Float32Array(new SharedArrayBuffer(n * 4)) : null,
  };
}

/** Starts the upper lane of a run on another thread. */
export interface DayHelper {
  start(model: Model, shared: LaneShared): LaneLink;
}

export interface LaneSetup {
  shared: LaneShared;
  link: LaneLink;
}

/** What the upper lane hands the lower one before the day's one-thread phases (cuts, appeals, cures, observe). */
interface SerialInputs {
  cuts: Int32Array;
  filings: Int32Array;
  cures: Int32Array;
  disfavored: Int32Array;
  live: Float64Array[];
}

/** What the upper lane hands over at the end of the run. */
interface LaneResult {
  counters: Float64Array[];
  perkDelta: Float64Array | null;
  events: EventColumns | null;
}

/** True when no agent's outcome depends on another's: the population can be split freely. */
export function isSeparable(model: Model): boolean {
  let misattribution = false;
  for (let b = 0; b < model.B; b++) if (model.misattribute[b] > 0) misattribution = true;
  return !model.network && !model.households && !model.appeals && !model.insiders && !misattribution;
}

export class Simulation {
  readonly model: Model;
  readonly counters: Counters;
  readonly population: Population;
  readonly network: Network | null;
  readonly from: number;
  readonly to: number;
  private readonly n: number;

  // agent state, indexed by local id (agent − from)
  // Every per-agent field a wake or a contact reads, packed into one 64-byte
  // record (index li·HOT + slot, read through Int32, Float32 and Uint32 views of
  // one buffer), so visiting an agent costs one cache line where separate arrays
  // cost one each (bench/decisions.mjs, "agent record"). Rare fields (breach
  // counts, mid-run tier) and household state stay in their own arrays.
  private readonly hotI: Int32Array;
  private readonly hotF: Float32Array;
  private readonly hotU: Uint32Array;
  private readonly hhCount: Uint8Array | null;
  private readonly hhMask: Uint8Array | null;
  private readonly keptBeforeBreach: Uint16Array | null;
  private readonly falseBeforeBreach: Uint16Array | null;
  private readonly midTier: Int8Array | null;
  /** The final scores for the sums over ties, written by both lanes (two lanes only; one lane allocates them at the end). */
  private readonly tieScores: Float32Array | null;

  // group-level live counts
  private readonly listedNow: Float64Array;
  private readonly wrongNow: Float64Array;
  private readonly shadowNow: Float64Array;
  private readonly spillNow: Float64Array;
  private readonly waitingNow: Float64Array;
  private readonly listedByDomain: Float64Array;
  private readonly spillByMask: Float64Array;
  // listed agents by (group, own domain, household mask): the restrictions a relative brings on top of their own
  private readonly listedSpill: Float64Array;
  private readonly perkDelta: Float64Array | null;

  private readonly calendar: Calendar;
  private readonly cutCalendar: Calendar | null;
  private readonly decay: DecayTable;
  private readonly canCross: boolean;
  private readonly hasPresence: boolean;
  private readonly records = new DayRecords();
  private readonly sink = (target: number, b: number) => this.message(target, b);
  private readonly rate: RatingSink | null;
  private readonly groupOfClass: Int32Array;
  private readonly history: History | null;

  // per-day scratch: touched agents and their slots
  private readonly sortWakes: boolean;
  private readonly fuseWakeSteps: boolean;
  private readonly warmReads: boolean;
  private readonly scheduleEarly: boolean;
  private readonly phases: PhaseClock | null;
  private touched = new Int32Array(1024);
  private touchedCount = 0;
  private slotReal = new Float64Array(1024);
  private slotShadow = new Float64Array(1024);
  private slotDirect = new Int32Array(1024);
  private slotShadowDirect = new Int32Array(1024);
  private slotWorst = new Int32Array(1024); // behaviour of the most penalising kept record, −1 none
  private slotPenal = new Uint8Array(1024);
  private slotSocial = new Int32Array(1024);
  private slotStep7 = new Uint8Array(1024); // STEP7_* states
  private woken = { buf: new Int32Array(1024) };
  private readonly sorter = new AgentSorter();
  private dueCuts = { buf: new Int32Array(3 * 1024) };
  private readonly cutSorter = new CutSorter();
  private messages = new Float64Array(256);
  private messageCount = 0;
  private newListed = new Int32Array(256);
  private newListedCount = 0;
  private newShadowListed = new Int32Array(256);
  private newShadowListedCount = 0;
  private filings = new Int32Array(64);
  private filingCount = 0;
  private disfavoredPool = new Int32Array(64);
  private disfavoredPoolCount = 0;
  private newDisfavored = new Int32Array(64);
  private newDisfavoredCount = 0;

  // appeals queue (FIFO of agent, spell start)
  private queueAgent = new Int32Array(1024);
  private queueSince = new Int32Array(1024);
  private queueHead = 0;
  private queueTail = 0;
  private appealCredit = 0;

  // Two lanes (decision 23): the lower lane (lead, 0) owns the even blocks of
  // agents and the upper lane (1) the odd ones (laneBlocks); the lower lane also
  // runs the day's one-thread phases for both. On one lane, it owns every agent.
  private readonly laneIndex: number;
  private readonly blocks: LaneBlocks | null;
  private readonly link: LaneLink | null;
  private readonly lead: boolean;
  /** In steps 1–6 on two lanes: contacts' counts change only once the lanes have met (scoreAt reads them). */
  private deferring = false;
  private readonly leftOwn = new IntRows(2); // (contact, unit) of this lane's agents whose contact's listing ended today, deferred
  private readonly leftOut = new IntRows(2); // the same, of the other lane's agents
  private readonly joinedOut = new IntRows(2); // (contact, JOINED_*) of the other lane's agents, contacts of the newly listed
  private readonly touchOut = new IntRows(1); // the other lane's agents touched in the one-thread phases

  // insiders
  private insiderFirst: Int32Array | null = null;
  private insiderTargets: Int32Array | null = null;
  private readonly insiderStream: Stream | null = null;

  constructor(model: Model, options: SimulationOptions = {}) {
    this.model = model;
    this.sortWakes = options.sortWakes ?? true;
    // household members are adjacent only in agent order
    this.fuseWakeSteps = (options.fuseWakeSteps ?? true) && this.sortWakes;
    this.scheduleEarly = options.scheduleEarly ?? true;
    this.warmReads = options.warmReads ?? true;
    const phases = options.phases ?? null;
    this.phases = phases;
    phases?.start();
    const [from, to] = options.range ?? [0, model.agents];
    if ((from !== 0 || to !== model.agents) && !isSeparable(model)) {
      throw new Error("an agent range can only be simulated alone when agents do not interact");
    }
    const lane = options.lane ?? null;
    const dayHelper = lane ? null : (options.dayHelper ?? null);
    if ((lane || dayHelper) && (from !== 0 || to !== model.agents)) throw new Error("a run on two lanes simulates all agents");
    this.from = from;
    this.to = to;
    const n = to - from;
    this.n = n;
    // The records' memory is lent to the network build for its temporaries first
    // (decision 22): a run then never holds both, whenever the garbage collector
    // runs. Shared when another thread builds half of the network or runs a lane.
    const helper = options.networkHelper ?? null;
    let hot: ArrayBuffer | SharedArrayBuffer;
    if (lane) {
      this.population = lane.shared.population;
      this.network = lane.shared.network;
      hot = lane.shared.hot;
    } else {
      const population = buildPopulation(model);
      this.population = dayHelper ? sharedPopulation(population) : population;
      hot = dayHelper || (helper && model.network) ? new SharedArrayBuffer(n * HOT * 4) : new ArrayBuffer(n * HOT * 4);
      this.network = model.network
        ? buildNetwork(model, this.population, { helper, onStage: options.onNetworkStage, scratch: hot, shared: dayHelper !== null })
        : null;
    }
    phases?.lap(Phase.network);
    this.counters = newCounters(model);
    const { G, D } = model;

    this.hotI = new Int32Array(hot);
    this.hotF = new Float32Array(hot);
    this.hotU = new Uint32Array(hot);
    if (!lane) {
      if (this.network) this.hotI.fill(0); // the build's temporaries
      for (let li = 0; li < n; li++) {
        this.hotF[li * HOT + SCORE] = model.s0;
        this.hotF[li * HOT + SHADOW_SCORE] = model.s0;
        this.hotI[li * HOT + SCORE_DAY] = -1;
        this.hotI[li * HOT + UNTIL] = -1;
        this.hotI[li * HOT + SHADOW_UNTIL] = -1;
        this.hotF[li * HOT + FEAR] = model.fear ? model.fear.floor : 0;
        this.hotI[li * HOT + FEAR_DAY] = -1;
        this.hotI[li * HOT + FILE_DAY] = NEVER;
        this.hotI[li * HOT + CURE_DAY] = NEVER;
        this.hotI[li * HOT + BITS] = this.population.cls[from + li] << 24;
      }
    }
    const H = this.population.householdStart ? this.population.householdStart.length - 1 : 0;
    const side = lane ? lane.shared.side : sideArrays(model, n, H, dayHelper !== null, this.network !== null);
    ({
      hhCount: this.hhCount,
      hhMask: this.hhMask,
      keptBeforeBreach: this.keptBeforeBreach,
      falseBeforeBreach: this.falseBeforeBreach,
      midTier: this.midTier,
      tieScores: this.tieScores,
    } = side);

    this.listedNow = new Float64Array(G);
    this.wrongNow = new Float64Array(G);
    this.shadowNow = new Float64Array(G);
    this.spillNow = new Float64Array(G);
    this.waitingNow = new Float64Array(G);
    this.listedByDomain = new Float64Array(G * D);
    this.spillByMask = new Float64Array(G << D);
    this.listedSpill = new Float64Array((G * D) << D);
    this.perkDelta = model.perkAbove !== null ? new Float64Array((model.days + 1) * G) : null;

    this.decay = decayTable(model);
    // With no association penalty, an unlisted score (≥ threshold) only moves toward
    // s0; if s0 is not below the threshold it can never drift under it.
    this.canCross = model.enterBelow > model.sMin && !(model.association === 0 && model.s0 >= model.enterBelow);
    this.hasPresence = model.segmentPresent.some((x) => x > 0);
    this.groupOfClass = model.classGroup;
    this.rate = model.ratings && this.network ? (r, t, k1, k2, n0) => this.rateEncounter(r, t, k1, k2, n0) : null;
    this.history = options.history ?? null;
    this.records.history = this.history;

    if (lane) {
      this.blocks = lane.shared.lanes;
      this.laneIndex = 1;
      this.link = lane.link;
      this.lead = false;
    } else if (dayHelper) {
      this.blocks = laneBlocks(this.population.householdStart, n);
      this.laneIndex = 0;
      this.lead = true;
      this.link = dayHelper.start(model, {
        hot: hot as SharedArrayBuffer,
        population: this.population,
        network: this.network,
        side,
        lanes: this.blocks,
        historyMask: this.history?.mask ?? null,
      });
    } else {
      this.blocks = null;
      this.laneIndex = 0;
      this.link = null;
      this.lead = true;
    }

    this.calendar = new Calendar(model.days, 1, this.blocks ? n >>> 1 : n);
    this.cutCalendar = this.network && model.cutTie > 0 ? new Calendar(model.days, 3, 1024) : null;
    if (model.insiders && this.lead) this.insiderStream = new Stream(model.seed, 0, Purpose.insiders);

    // Initial wakes: first candidate day of each of this lane's agents.
    const cls = this.population.cls;
    const c = this.counters;
    const perkAtStart = model.perkAbove !== null && model.s0 >= model.perkAbove;
    // the day a start score drifts below the threshold: the same for every agent
    const startCrossing = this.canCross ? crossing(model, this.decay, model.s0, -1, 0) : NEVER;
    for (let li = 0; li < n; li++) {
      if (this.blocks && !this.owns(li)) continue;
      const i = from + li;
      const k = cls[i];
      const g = this.groupOfClass[k];
      c.agents[g]++;
      c.classAgents[k]++;
      c.classAgentDays[k] += presentDays(model, k);
      const k1 = streamKey1(model.seed, i, Purpose.agent);
      const k2 = streamKey2(k1, model.seed);
      const first = tableGap(model.gaps, k * model.L2, draw32(k1, k2, 0));
      this.hotU[li * HOT + RNG_N] = 1;
      this.hotI[li * HOT + NEXT_CAND] = first;
      // a start below the threshold lists on day 0
      let wake = first;
      if (startCrossing < wake) wake = startCrossing;
      this.hotI[li * HOT + WAKE] = wake < model.days ? wake : NEVER;
      if (wake < model.days) this.calendar.push(wake, li);
      if (perkAtStart && this.perkDelta) {
        this.hotI[li * HOT + BITS] |= PERK;
        this.perkDelta[g]++;
      }
    }
    if (model.insiders && this.lead) this.setUpInsiders();
    phases?.lap(Phase.records);
  }

  /** Runs all days; returns the counters. */
  run(onDay?: (day: number) => void): Counters {
    this.phases?.start();
    for (let t = 0; t < this.model.days; t++) {
      this.step(t);
      onDay?.(t);
      this.phases?.start(); // onDay is the caller's time
    }
    this.finish();
    this.phases?.lap(Phase.end);
    return this.counters;
  }

  // ---- per-agent helpers -------------------------------------------------

  private groupOf(li: number): number {
    return this.groupOfClass[this.hotI[li * HOT + BITS] >>> 24];
  }

  private isExempt(li: number): boolean {
    return this.model.exemptClass[this.hotI[li * HOT + BITS] >>> 24] === 1;
  }

  /** Brings real and shadow scores to the end of day `d` (no records in between). */
  private advance(li: number, d: number): void {
    const k = d - this.hotI[li * HOT + SCORE_DAY];
    if (k <= 0) return;
    const lc = this.hotU[li * HOT + CONTACTS] & 0xffff;
    const lh = this.hotU[li * HOT + CONTACTS] >>> 16;
    if (!this.isExempt(li)) {
      const before = this.hotF[li * HOT + SCORE];
      this.hotF[li * HOT + SCORE] = drift(this.model, this.decay, before, k, lc);
      if (this.perkDelta) this.perkPath(li, before, this.hotI[li * HOT + SCORE_DAY], k, lc);
    }
    this.hotF[li * HOT + SHADOW_SCORE] = drift(this.model, this.decay, this.hotF[li * HOT + SHADOW_SCORE], k, lh);
    this.hotI[li * HOT + SCORE_DAY] = d;
  }

  /** Records when perks are gained or lost along a no-record path of k days from `day`. */
  private perkPath(li: number, s: number, day: number, k: number, lc: number): void {
    const P = this.model.perkAbove as number;
    const holds = (this.hotI[li * HOT + BITS] & PERK) !== 0;
    const x = firstDay(this.model, this.decay, s, day, k, lc, P, holds);
    if (x === NEVER) return;
    this.setPerk(li, x, !holds);
  }

  /** Perk status from day x on. */
  private setPerk(li: number, x: number, holds: boolean): void {
    const delta = this.perkDelta as Float64Array;
    const was = (this.hotI[li * HOT + BITS] & PERK) !== 0;
    if (was === holds) return;
    delta[x * this.model.G + this.groupOf(li)] += holds ? 1 : -1;
    this.hotI[li * HOT + BITS] = holds ? this.hotI[li * HOT + BITS] | PERK : this.hotI[li * HOT + BITS] & ~PERK;
  }

  private fearAt(li: number, d: number): number {
    const fm = this.model.fear;
    if (!fm) return 0;
    return fearDecay(this.hotF[li * HOT + FEAR], d - this.hotI[li * HOT + FEAR_DAY], fm.keep, fm.floor);
  }

  /** Whether this lane owns agent li. */
  private owns(li: number): boolean {
    return !this.blocks || laneOf(this.blocks, li) === this.laneIndex;
  }

  private touch(li: number): number {
    if (this.blocks && !this.owns(li)) {
      // the other lane's agent, in a one-thread phase: its lane touches it before its next wakes
      this.touchOut.push1(li);
      return -1;
    }
    const at = this.hotI[li * HOT + TOUCH];
    if (at < this.touchedCount && this.touched[at] === li) {
      if (this.slotStep7[at] === STEP7_SCHEDULED) this.slotStep7[at] = STEP7_TOUCHED_AFTER;
      return at;
    }
    const k = this.touchedCount++;
    if (k === this.touched.length) this.growSlots();
    this.touched[k] = li;
    this.hotI[li * HOT + TOUCH] = k;
    this.slotReal[k] = 0;
    this.slotShadow[k] = 0;
    this.slotDirect[k] = 0;
    this.slotShadowDirect[k] = 0;
    this.slotWorst[k] = -1;
    this.slotPenal[k] = 0;
    this.slotSocial[k] = 0;
    this.slotStep7[k] = STEP7_NONE;
    return k;
  }

  private growSlots(): void {
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.touched = grow(this.touched);
    this.slotReal = grow(this.slotReal);
    this.slotShadow = grow(this.slotShadow);
    this.slotDirect = grow(this.slotDirect);
    this.slotShadowDirect = grow(this.slotShadowDirect);
    this.slotWorst = grow(this.slotWorst);
    this.slotPenal = grow(this.slotPenal);
    this.slotSocial = grow(this.slotSocial);
    this.slotStep7 = grow(this.slotStep7);
  }

  /** Adds a day's records (from sampleDay or a delivered message) to agent li's slot. */
  private addRecords(slot: number, li: number, r: DayRecords, t: number): void {
    this.slotReal[slot] += r.real;
    this.slotShadow[slot] += r.shadow;
    if (r.direct > this.slotDirect[slot]) this.slotDirect[slot] = r.direct;
    if (r.shadowDirect > this.slotShadowDirect[slot]) this.slotShadowDirect[slot] = r.shadowDirect;
    if (r.penal) this.slotPenal[slot] = 1;
    const w = this.slotWorst[slot];
    if (r.worst >= 0 && (w < 0 || this.model.points[r.worst] < this.model.points[w])) this.slotWorst[slot] = r.worst;
    if (r.hasFalse) this.hotI[li * HOT + BITS] |= HAS_FALSE;
    if (r.hasDisfavored && !(this.hotI[li * HOT + BITS] & HAS_DISFAVORED)) {
      this.hotI[li * HOT + BITS] |= HAS_DISFAVORED;
      if (this.model.insiders) this.newDisfavored = push(this.newDisfavored, this.newDisfavoredCount++, this.from + li);
    }
    const breach = this.model.breach;
    if (breach && t < breach.day && this.keptBeforeBreach && this.falseBeforeBreach) {
      this.keptBeforeBreach[li] = Math.min(65535, this.keptBeforeBreach[li] + r.kept);
      this.falseBeforeBreach[li] = Math.min(65535, this.falseBeforeBreach[li] + r.keptFalse);
    }
  }

  // ---- household spillover bookkeeping ------------------------------------

  private householdContribution(h: number, sign: number): void {
    const hs = this.population.householdStart as Int32Array;
    const mask = (this.hhMask as Uint8Array)[h];
    if (mask === 0) return;
    const D = this.model.D;
    for (let i = hs[h]; i < hs[h + 1]; i++) {
      const li = i - this.from;
      const g = this.groupOf(li);
      const bits = this.hotI[li * HOT + BITS];
      if (bits & LISTED) this.listedSpill[((g * D + ((bits >>> DOMAIN_SHIFT) & 7)) << D) + mask] += sign;
      else {
        this.spillNow[g] += sign;
        this.spillByMask[(g << D) + mask] += sign;
      }
    }
  }

  /** Writes household h's mask into its members' records, where behaviour reads it without a lookup. */
  private copyHouseholdMask(h: number): void {
    const hs = this.population.householdStart as Int32Array;
    const bits = (this.hhMask as Uint8Array)[h] << HOUSEHOLD_SHIFT;
    for (let i = hs[h]; i < hs[h + 1]; i++) {
      const at = (i - this.from) * HOT + BITS;
      this.hotI[at] = (this.hotI[at] & ~(0xff << HOUSEHOLD_SHIFT)) | bits;
    }
  }

  /** Brings the counted status (LISTED, SHADOW) in line with until/shadowUntil at day t. */
  private syncStatus(li: number, t: number): void {
    const f = this.hotI[li * HOT + BITS];
    const listed = this.hotI[li * HOT + UNTIL] > t;
    const shadowListed = this.hotI[li * HOT + SHADOW_UNTIL] > t;
    const was = (f & LISTED) !== 0;
    const wasShadow = (f & SHADOW) !== 0;
    if (listed === was && shadowListed === wasShadow) return;
    const g = this.groupOf(li);
    const m = this.model;
    if (was) {
      this.listedNow[g]--;
      if (!wasShadow) this.wrongNow[g]--;
    }
    if (wasShadow) this.shadowNow[g]--;
    if (listed) {
      this.listedNow[g]++;
      if (!shadowListed) this.wrongNow[g]++;
    }
    if (shadowListed) this.shadowNow[g]++;
    if (listed !== was) {
      const d = (this.hotI[li * HOT + BITS] >>> DOMAIN_SHIFT) & 7;
      this.listedByDomain[g * m.D + d] += listed ? 1 : -1;
      const hh = this.population.householdOf;
      if (hh && this.hhMask && this.hhCount) {
        const h = hh[this.from + li];
        this.householdContribution(h, -1);
        this.hotI[li * HOT + BITS] = listed ? f | LISTED : f & ~LISTED;
        if (m.spillDomain[d]) {
          const at = h * m.D + d;
          this.hhCount[at] += listed ? 1 : -1;
          if (this.hhCount[at] > 0) this.hhMask[h] |= 1 << d;
          else this.hhMask[h] &= ~(1 << d);
          this.copyHouseholdMask(h);
        }
        this.householdContribution(h, +1);
      }
    }
    let nf = this.hotI[li * HOT + BITS];
    nf = listed ? nf | LISTED : nf & ~LISTED;
    nf = shadowListed ? nf | SHADOW : nf & ~SHADOW;
    this.hotI[li * HOT + BITS] = nf;
  }

  /** Ends the real listing of li at day t; contacts feel it from day `effective`. */
  private endListing(li: number, t: number, effective: number, reason: number): void {
    this.closeSpell(li, t, reason);
    this.leaveList(li, t, effective);
  }

  /** The listing of li reaches its end at day t (step 1): off the list now, but its spell closes only if step 8 does not renew it. */
  private expireListing(li: number, t: number): void {
    this.hotI[li * HOT + BITS] |= EXPIRED_TODAY;
    this.leaveList(li, t, t);
  }

  /** Step 8 for an agent whose listing expired today: renewed (one continuous spell) if listed again, else the spell closes. */
  private settleExpiry(li: number, t: number): void {
    this.hotI[li * HOT + BITS] &= ~EXPIRED_TODAY;
    if (this.hotI[li * HOT + UNTIL] > t) {
      const cause = this.hotF[li * HOT + SCORE] < this.model.enterBelow ? 0 : 2;
      this.history?.add(t, this.from + li, EV.extended, cause, 0, this.hotI[li * HOT + UNTIL]);
      if (this.network) this.newListed = push(this.newListed, this.newListedCount++, ~li);
    } else this.closeSpell(li, t, 0);
  }

  /** What ends with a listing spell: its wrongful duration, a pending appeal. */
  private closeSpell(li: number, t: number, reason: number): void {
    this.history?.add(t, this.from + li, EV.unlisted, reason);
    const g = this.groupOf(li);
    const c = this.counters;
    const f = this.hotI[li * HOT + BITS];
    if (f & WRONG_START) {
      const duration = t - this.hotI[li * HOT + SINCE];
      c.wrongfulSpells[g]++;
      c.wrongfulSpellDays[g] += duration;
      c.wrongfulSpellHistogram[Math.min(duration, this.model.days)]++;
    }
    if (f & WAITING) {
      this.hotI[li * HOT + BITS] &= ~WAITING;
      this.waitingNow[g]--;
      c.appealsWithdrawn[t * this.model.G + g]++;
      this.history?.add(t, this.from + li, EV.appealDropped);
    }
    this.hotI[li * HOT + BITS] &= ~WRONG_START;
  }

  /** Off the list from day t; contacts count one listed contact fewer from day `effective`. */
  private leaveList(li: number, t: number, effective: number): void {
    this.hotI[li * HOT + UNTIL] = t;
    this.syncStatus(li, t);
    if (this.network) this.contactsNoLongerListed(li, effective, 1);
  }

  /** Ends the shadow listing of li at day t; contacts feel it from day `effective`. */
  private endShadowListing(li: number, t: number, effective: number): void {
    this.hotI[li * HOT + SHADOW_UNTIL] = t;
    this.syncStatus(li, t);
    if (this.network) this.contactsNoLongerListed(li, effective, SHADOW_CONTACT);
  }

  /** Each remaining contact of li counts one listed contact fewer from day `effective`. */
  private contactsNoLongerListed(li: number, effective: number, unit: number): void {
    if (!this.network) return;
    const { start, adj } = this.network;
    const i = this.from + li;
    if (this.deferring) {
      // two lanes, steps 1–6: applied once the lanes meet (leftContacts), effective today
      for (let e = start[i]; e < start[i + 1]; e++) {
        const j = adj[e];
        if (j < 0) continue;
        if (this.owns(j)) this.leftOwn.push2(j, unit);
        else this.leftOut.push2(j, unit);
      }
      return;
    }
    this.warmContacts(i);
    for (let e = start[i]; e < start[i + 1]; e++) {
      const j = adj[e];
      if (j < 0) continue;
      this.advance(j, effective - 1);
      this.hotU[j * HOT + CONTACTS] -= unit;
      this.touch(j);
    }
  }

  /** Rows (contact, unit) deferred in steps 1–6: each contact counts one listed contact fewer from day t. */
  private leftContacts(rows: Int32Array, count: number, t: number): void {
    for (let k = 0; k < count; k++) {
      if (k % WARM_BATCH === 0 && this.warmReads) this.warmRows(rows, k, Math.min(count, k + WARM_BATCH));
      const j = rows[2 * k];
      this.advance(j, t - 1);
      this.hotU[j * HOT + CONTACTS] -= rows[2 * k + 1];
      this.touch(j);
    }
  }

  /** warm() for the agents in the first column of rows [from, to) of (agent, value) rows. */
  private warmRows(rows: Int32Array, from: number, to: number): void {
    let x = 0;
    for (let k = from; k < to; k++) x |= this.hotI[rows[2 * k] * HOT] | this.hotI[rows[2 * k] * HOT + HOT - 1];
    keepRead(x);
  }

  // ---- the day -------------------------------------------------------------

  /** Day t. Called by run(), which starts the phase clock (if any) before each day. */
  step(t: number): void {
    const m = this.model;
    this.touchedCount = 0;
    this.messageCount = 0;
    this.newListedCount = 0;
    this.newShadowListedCount = 0;
    this.filingCount = 0;

    // Wakes due today, in agent order: the day's result does not depend on the
    // order (MODEL.md §3), and ascending ids walk the records forwards
    // (bench/decisions.mjs).
    const wokenCount = this.calendar.drainInto(t, this.woken, 0);
    if (this.sortWakes) this.sorter.sort(this.woken, wokenCount, this.n);
    const woken = this.woken.buf;
    const phases = this.phases;
    phases?.lap(Phase.wakes);

    // 5. Insiders (their records are delivered with the misattributed ones, sorted;
    // they read no state that expiry changes).
    if (m.insiders && this.lead) this.insidersAct(t);

    // 1. Expiry, then 2–4 behaviour, detection, false records, review (at the
    // origin), one household's woken members at a time: all of them expire before
    // any of them behaves, which is all that behaviour reads of today's expiries
    // (the household's listings; a contact's score at t − 1 reads the same before
    // and after its update, see scoreAt). So each record is fetched from memory
    // once for both steps (bench/decisions.mjs no. 6). Only a household with a
    // listing in a spill domain can see its mask change by an expiry, so only
    // then are the members looked up. Stale entries are dropped here too.
    const hh = this.population.householdOf;
    const from = this.from;
    let live = 0;
    let warmTo = 0;
    this.deferring = this.link !== null;
    for (let k = 0; k < wokenCount; ) {
      let end = k + 1;
      if (!this.fuseWakeSteps) end = wokenCount;
      else if (hh && (this.hotI[woken[k] * HOT + BITS] >>> HOUSEHOLD_SHIFT) & 0xff)
        for (const h = hh[from + woken[k]]; end < wokenCount && hh[from + woken[end]] === h; ) end++;
      const first = live;
      for (; k < end; k++) {
        if (k >= warmTo && this.warmReads) warmTo = this.warm(woken, k, Math.min(wokenCount, k + WARM_BATCH), hh);
        const li = woken[k];
        if (this.hotI[li * HOT + WAKE] !== t) continue; // stale
        this.hotI[li * HOT + WAKE] = -1;
        woken[live++] = li;
        const slot = this.touch(li);
        this.slotStep7[slot] = STEP7_DUE;
        if (this.hotI[li * HOT + UNTIL] === t) this.expireListing(li, t);
        if (this.hotI[li * HOT + SHADOW_UNTIL] === t) this.endShadowListing(li, t, t);
      }
      for (let x = first; x < live; x++) {
        // in two passes (fuseWakeSteps off), the records have left the cache since expiry
        if (!this.fuseWakeSteps && (x - first) % WARM_BATCH === 0 && this.warmReads) this.warm(woken, x, Math.min(live, x + WARM_BATCH), null);
        this.behave(woken[x], t);
      }
    }

    this.deferring = false;
    phases?.lap(Phase.behaviour);
    if (this.link) this.meetAfterBehaviour(t);
    // Records attributed to other agents, in a fixed order.
    if (this.messageCount > 0) this.deliverMessages(t);
    phases?.lap(Phase.messages);

    // 7–8. Score and listing for everyone with something today.
    const touchedBefore = this.touchedCount;
    for (let k = 0; k < touchedBefore; k++) {
      if (k % WARM_BATCH === 0 && this.warmReads) this.warmTouched(k, Math.min(touchedBefore, k + WARM_BATCH), true);
      if (this.slotStep7[k] === STEP7_DUE) this.scoreAndList(this.touched[k], k, t);
    }

    phases?.lap(Phase.score);
    // Contacts of the newly listed: association penalty from tomorrow, social fear today.
    if (this.network) this.contactEffects(t);
    if (this.link) this.meetAfterContacts(t);
    phases?.lap(Phase.contacts);

    // 10. Fear, ties, appeals, cure.
    if (m.fear) this.updateFear(t);
    phases?.lap(Phase.fear);
    // On two lanes, the lower lane runs ties, appeals, cures and observe for both,
    // while the upper one waits for the agents of its own they touched.
    if (this.link && !this.lead) this.handOver(t);
    else {
      const peer = this.link ? (this.link.receive() as SerialInputs) : null;
      if (this.cutCalendar) this.cutTies(t, peer?.cuts ?? null);
      phases?.lap(Phase.cuts);
      if (m.appeals) this.appeals(t, peer?.filings ?? null);
      if (m.cure) this.cures(t, peer ? concatInts(peer.cures, this.touchOut.copy()) : null);
      if (peer) for (let k = 0; k < peer.disfavored.length; k++) this.newDisfavored = push(this.newDisfavored, this.newDisfavoredCount++, peer.disfavored[k]);
      if (m.insiders && this.newDisfavoredCount > 0) this.growDisfavoredPool();
      phases?.lap(Phase.appeals);

      // 11. Observe.
      this.observe(t, peer?.live ?? null);
      if (this.midTier && t === m.midDay) this.snapshotTiers(t);
      if (this.link) {
        const touches = this.touchOut.copy();
        this.link.send({ touches }, [touches.buffer]);
        this.touchOut.count = 0;
      }
      phases?.lap(Phase.observe);
    }

    // Next wakes, for those not scheduled after step 8 or touched since.
    for (let k = 0; k < this.touchedCount; k++) {
      if (k % WARM_BATCH === 0 && this.warmReads) this.warmTouched(k, Math.min(this.touchedCount, k + WARM_BATCH), false);
      if (this.slotStep7[k] !== STEP7_SCHEDULED) this.reschedule(this.touched[k], t);
    }
    phases?.lap(Phase.nextWakes);
  }

  /**
   * Two lanes, after steps 1–6: each hands the other the contacts of its own
   * whose listed contact left today and the records attributed to its agents;
   * then each brings its own agents' counts up to date. Deferred until now
   * because a rating reads a contact's score and count in steps 1–6.
   */
  private meetAfterBehaviour(t: number): void {
    const link = this.link as LaneLink;
    let kept = 0;
    let out = 0;
    for (let k = 0; k < this.messageCount; k++) {
      const li = Math.floor(this.messages[k] / 128) - this.from;
      if (!this.owns(li)) out++;
    }
    const sent = new Float64Array(out);
    out = 0;
    for (let k = 0; k < this.messageCount; k++) {
      const li = Math.floor(this.messages[k] / 128) - this.from;
      if (!this.owns(li)) sent[out++] = this.messages[k];
      else this.messages[kept++] = this.messages[k];
    }
    this.messageCount = kept;
    const left = this.leftOut.copy();
    link.send({ left, messages: sent }, [left.buffer, sent.buffer]);
    this.leftOut.count = 0;
    const got = link.receive() as { left: Int32Array; messages: Float64Array };
    this.leftContacts(this.leftOwn.buf, this.leftOwn.count, t);
    this.leftOwn.count = 0;
    this.leftContacts(got.left, got.left.length / 2, t);
    for (let k = 0; k < got.messages.length; k++) this.pushMessage(got.messages[k]);
  }

  /** Two lanes, after the contacts of the newly listed: each brings the other's contacts of its listed agents up to date. */
  private meetAfterContacts(t: number): void {
    const link = this.link as LaneLink;
    const joined = this.joinedOut.copy();
    link.send({ joined }, [joined.buffer]);
    this.joinedOut.count = 0;
    const rows = (link.receive() as { joined: Int32Array }).joined;
    const count = rows.length / 2;
    for (let k = 0; k < count; k++) {
      if (k % WARM_BATCH === 0 && this.warmReads) this.warmRows(rows, k, Math.min(count, k + WARM_BATCH));
      const j = rows[2 * k];
      const kind = rows[2 * k + 1];
      this.advance(j, t);
      this.hotU[j * HOT + CONTACTS] += kind === JOINED_SHADOW ? SHADOW_CONTACT : 1;
      const slot = this.touch(j);
      if (kind === JOINED_NEW) this.slotSocial[slot]++;
    }
  }

  /**
   * The upper lane's part of the one-thread phases: it hands the lower lane
   * today's due tie cuts, filings, cure candidates, newly disfavoured agents
   * and live counts, then waits for the agents of its own that those phases
   * touched.
   */
  private handOver(t: number): void {
    const link = this.link as LaneLink;
    const m = this.model;
    const dueCount = this.cutCalendar ? this.cutCalendar.drainRows(t, this.dueCuts) : 0;
    const cuts = this.dueCuts.buf.slice(0, 3 * dueCount);
    const filings = this.filings.slice(0, this.filingCount);
    const cures = new IntRows(1);
    if (m.cure)
      for (let k = 0; k < this.touchedCount; k++) {
        const li = this.touched[k];
        if (this.hotI[li * HOT + CURE_DAY] === t && this.hotI[li * HOT + BITS] & CURE_ARMED) cures.push1(li);
      }
    const disfavored = this.newDisfavored.slice(0, this.newDisfavoredCount);
    this.newDisfavoredCount = 0;
    const live = this.liveCounts().map((a) => a.slice());
    const inputs: SerialInputs = { cuts, filings, cures: cures.copy(), disfavored, live };
    link.send(
      inputs,
      [cuts, filings, inputs.cures, disfavored, ...live].map((a) => a.buffer as ArrayBuffer),
    );
    const touches = (link.receive() as { touches: Int32Array }).touches;
    for (let k = 0; k < touches.length; k++) this.touch(touches[k]);
  }

  /** The live counts observe() reads, in one order for both lanes. */
  private liveCounts(): Float64Array[] {
    return [this.listedNow, this.wrongNow, this.shadowNow, this.spillNow, this.waitingNow, this.listedByDomain, this.spillByMask, this.listedSpill];
  }

  /**
   * Reads the records of agents list[from..to) (and their household ids) in a
   * loop that does nothing else, so that their cache misses overlap, and returns
   * `to`. The loop that then works on them finds them in the cache. JavaScript
   * has no prefetch instruction; a plain read blocks the instructions after it
   * until it arrives, so reads ahead inside the working loop overlap little
   * (tried: no gain), while a loop of reads alone keeps many in flight.
   */
  private warm(list: Int32Array, from: number, to: number, hh: Int32Array | null): number {
    let x = 0;
    for (let k = from; k < to; k++) x |= this.hotI[list[k] * HOT] | this.hotI[list[k] * HOT + HOT - 1];
    if (hh) for (let k = from; k < to; k++) x |= hh[this.from + list[k]];
    keepRead(x);
    return to;
  }

  private behave(li: number, t: number): void {
    const m = this.model;
    const i = this.from + li;
    const cls = this.hotI[li * HOT + BITS] >>> 24;
    const k1 = streamKey1(m.seed, i, Purpose.agent);
    const k2 = streamKey2(k1, m.seed);
    const listedNow = this.hotI[li * HOT + UNTIL] > t;
    // Rates that depend on being listed: redraw the clock from today when the state changed.
    if (m.L2 === 2 && listedNow !== ((this.hotI[li * HOT + BITS] & CLOCK_LISTED) !== 0)) {
      this.hotI[li * HOT + NEXT_CAND] = t + tableGap(m.gaps, cls * 2 + (listedNow ? 1 : 0), draw32(k1, k2, this.hotU[li * HOT + RNG_N]++));
      this.hotI[li * HOT + BITS] ^= CLOCK_LISTED;
    }
    if (this.hotI[li * HOT + NEXT_CAND] !== t) return;
    if (this.hasPresence) {
      const arrive = arrivalDay(m, i, cls);
      const stay = presentDays(m, cls);
      if (t < arrive) {
        this.hotI[li * HOT + NEXT_CAND] =
          arrive + tableGap(m.gaps, cls * m.L2 + (listedNow && m.L2 === 2 ? 1 : 0), draw32(k1, k2, this.hotU[li * HOT + RNG_N]++));
        return;
      }
      if (t >= arrive + stay) {
        this.hotI[li * HOT + NEXT_CAND] = NEVER;
        return;
      }
    }
    const r = this.records;
    r.clear();
    r.i = i;
    r.cls = cls;
    r.listedState = m.L2 === 2 && listedNow ? 1 : 0;
    r.fearYesterday = m.fear ? this.fearAt(li, t - 1) : 0;
    r.exempt = m.exemptClass[cls] === 1;
    r.ownBlockDomain = listedNow ? (this.hotI[li * HOT + BITS] >>> DOMAIN_SHIFT) & 7 : -1;
    r.householdMask = (this.hotI[li * HOT + BITS] >>> HOUSEHOLD_SHIFT) & 0xff;
    this.hotI[li * HOT + NEXT_CAND] = sampleDay(m, this.counters, t, k1, k2, this.hotU[li * HOT + RNG_N], this.population.groupStart, r, this.sink, this.rate);
    this.hotU[li * HOT + RNG_N] = r.n;
    this.addRecords(this.hotI[li * HOT + TOUCH], li, r, t);
  }

  /** A contact rates agent r.i (peer ratings as a source). */
  private rateEncounter(r: DayRecords, t: number, k1: number, k2: number, n0: number): number {
    const m = this.model;
    const rt = m.ratings;
    const net = this.network;
    if (!rt || !net) return n0;
    let n = n0;
    const i = r.i;
    const li = i - this.from;
    const { start, adj } = net;
    let deg = 0;
    for (let e = start[i]; e < start[i + 1]; e++) if (adj[e] >= 0) deg++;
    if (deg === 0) return n;
    let pick = Math.floor(uniform(k1, k2, n++) * deg);
    let j = -1;
    for (let e = start[i]; e < start[i + 1]; e++) {
      if (adj[e] < 0) continue;
      if (pick-- === 0) {
        j = adj[e];
        break;
      }
    }
    const range = m.sMax - m.sMin;
    const si = this.scoreAt(li, t - 1);
    const sj = this.scoreAt(j - this.from, t - 1);
    const g = m.classGroup[r.cls];
    const lowBias = Math.max(0, 1 + (rt.statusBias * (m.s0 - si)) / range);
    const highBias = Math.max(0, 1 + (rt.statusBias * (si - m.s0)) / range);
    const pLow = Math.min(1, rt.low * rt.groupLowMult[g] * lowBias);
    const pHigh = Math.min(1 - pLow, rt.high * highBias);
    const weight = rt.raterWeight ? Math.max(0, (sj - m.sMin) / (m.s0 - m.sMin)) : 1;
    const u = uniform(k1, k2, n++);
    this.history?.add(t, i, EV.rated, j, 0, u < pLow ? rt.lowPoints * weight : u < pLow + pHigh ? rt.highPoints * weight : 0);
    if (u < pLow) {
      this.counters.ratingsLow[t * m.G + g]++;
      if (!r.exempt) {
        r.real += rt.lowPoints * weight;
        if (rt.lowPoints < 0) r.penal = 1;
      }
    } else if (u < pLow + pHigh) {
      this.counters.ratingsHigh[t * m.G + g]++;
      if (!r.exempt) r.real += rt.highPoints * weight;
    }
    return n;
  }

  /**
   * Real score of li at the end of day d, without changing its state (d ≥ scoreDay),
   * rounded to float32 as advance() would store it: the same value whether or not
   * the agent's record has been brought to day d already.
   */
  private scoreAt(li: number, d: number): number {
    if (this.isExempt(li)) return this.hotF[li * HOT + SCORE];
    const k = d - this.hotI[li * HOT + SCORE_DAY];
    return k > 0
      ? Math.fround(drift(this.model, this.decay, this.hotF[li * HOT + SCORE], k, this.hotU[li * HOT + CONTACTS] & 0xffff))
      : this.hotF[li * HOT + SCORE];
  }

  private message(target: number, b: number, insider = false): void {
    this.pushMessage(target * 128 + (insider ? 64 : 0) + b);
  }

  /** A message as deliverMessages reads it: target · 128 + (insider ? 64 : 0) + behaviour. */
  private pushMessage(code: number): void {
    if (this.messageCount === this.messages.length) {
      const grown = new Float64Array(this.messages.length * 2);
      grown.set(this.messages);
      this.messages = grown;
    }
    this.messages[this.messageCount++] = code;
  }

  private deliverMessages(t: number): void {
    const list = this.messages.subarray(0, this.messageCount);
    list.sort();
    for (let k = 0; k < list.length; k++) {
      const target = Math.floor(list[k] / 128);
      const code = list[k] - target * 128;
      const insider = code >= 64;
      const b = code & 63;
      const li = target - this.from;
      if (this.hasPresence) {
        // no records of any kind on an absent agent: the record is not kept
        const cls = this.hotI[li * HOT + BITS] >>> 24;
        const arrive = arrivalDay(this.model, target, cls);
        if (t < arrive || t >= arrive + presentDays(this.model, cls)) continue;
      }
      const slot = this.touch(li);
      this.slotStep7[slot] = STEP7_DUE;
      const r = this.records;
      r.clear();
      r.i = target;
      r.exempt = this.isExempt(li);
      keepRecord(this.model, this.counters, this.groupOf(li), t, b, false, r, insider ? -2 : this.model.mainSource[b]);
      this.addRecords(slot, li, r, t);
    }
  }

  private scoreAndList(li: number, slot: number, t: number): void {
    const m = this.model;
    this.advance(li, t - 1);
    const lc = this.hotU[li * HOT + CONTACTS] & 0xffff;
    const lh = this.hotU[li * HOT + CONTACTS] >>> 16;
    const exempt = this.isExempt(li);
    if (!exempt) {
      let s = this.hotF[li * HOT + SCORE] + this.slotReal[slot] - m.association * lc;
      s = m.s0 + (1 - m.rho) * (s - m.s0);
      this.hotF[li * HOT + SCORE] = s < m.sMin ? m.sMin : s > m.sMax ? m.sMax : s;
      if (this.perkDelta) this.setPerk(li, t, this.hotF[li * HOT + SCORE] >= (m.perkAbove as number));
    }
    let h = this.hotF[li * HOT + SHADOW_SCORE] + this.slotShadow[slot] - m.association * lh;
    h = m.s0 + (1 - m.rho) * (h - m.s0);
    this.hotF[li * HOT + SHADOW_SCORE] = h < m.sMin ? m.sMin : h > m.sMax ? m.sMax : h;
    this.hotI[li * HOT + SCORE_DAY] = t;

    // Shadow listing first: a new real listing's rightfulness is judged against it.
    const shadowWas = this.hotI[li * HOT + SHADOW_UNTIL] > t;
    if (!shadowWas) {
      let u = -1;
      if (this.hotF[li * HOT + SHADOW_SCORE] < m.enterBelow) u = t + m.listDays;
      if (this.slotShadowDirect[slot] > 0) u = Math.max(u, t + this.slotShadowDirect[slot]);
      if (u > t) {
        this.hotI[li * HOT + SHADOW_UNTIL] = u;
        if (this.network) this.newShadowListed = push(this.newShadowListed, this.newShadowListedCount++, li);
      }
    } else if (this.slotShadowDirect[slot] > 0) {
      this.hotI[li * HOT + SHADOW_UNTIL] = Math.max(this.hotI[li * HOT + SHADOW_UNTIL], t + this.slotShadowDirect[slot]);
    }

    if (!exempt) {
      if (!(this.hotI[li * HOT + UNTIL] > t)) {
        let u = -1;
        const worst = this.slotWorst[slot];
        if (this.hotF[li * HOT + SCORE] < m.enterBelow) u = t + m.listDays;
        if (this.slotDirect[slot] > 0) u = Math.max(u, t + this.slotDirect[slot]);
        // Listed again the day its listing ended: the same spell goes on (settleExpiry).
        if (u > t && this.hotI[li * HOT + BITS] & EXPIRED_TODAY) this.hotI[li * HOT + UNTIL] = u;
        else if (u > t) this.startListing(li, t, u, worst >= 0 ? m.domainOf[worst] : 0);
      } else if (t + this.slotDirect[slot] > this.hotI[li * HOT + UNTIL]) {
        this.hotI[li * HOT + UNTIL] = t + this.slotDirect[slot];
        this.history?.add(t, this.from + li, EV.extended, 1, 0, t + this.slotDirect[slot]);
      }
    }
    this.syncStatus(li, t);
    if (this.hotI[li * HOT + BITS] & EXPIRED_TODAY) this.settleExpiry(li, t);
    this.armCure(li, t);
    if (m.appeals && this.hotI[li * HOT + FILE_DAY] === t) this.filings = push(this.filings, this.filingCount++, li);
    this.history?.add(t, this.from + li, EV.score, 0, 0, this.hotF[li * HOT + SCORE]);
    // The next wake now, while the record is at hand; whatever touches the agent
    // later today marks it to be scheduled again (touch()). Not when the candidate
    // clock must be drawn again for a new listing state: that draw waits for the
    // day's final state (an appeal or a cure may end the listing yet).
    const listed = this.hotI[li * HOT + UNTIL] > t;
    if (this.scheduleEarly && !(m.L2 === 2 && listed !== ((this.hotI[li * HOT + BITS] & CLOCK_LISTED) !== 0))) {
      this.reschedule(li, t);
      this.slotStep7[slot] = STEP7_SCHEDULED;
    }
  }

  /** Draws a cure day when the agent becomes listed in either world; disarms when in neither. */
  private armCure(li: number, t: number): void {
    const cure = this.model.cure;
    if (!cure) return;
    const any = this.hotI[li * HOT + UNTIL] > t || this.hotI[li * HOT + SHADOW_UNTIL] > t;
    const armed = (this.hotI[li * HOT + BITS] & CURE_ARMED) !== 0;
    if (any && !armed) {
      const i = this.from + li;
      const k1 = streamKey1(this.model.seed, i, Purpose.agent);
      const k2 = streamKey2(k1, this.model.seed);
      this.hotI[li * HOT + CURE_DAY] = t + geometricGap(uniformPositive(k1, k2, this.hotU[li * HOT + RNG_N]++), cure.logKeep);
      this.hotI[li * HOT + BITS] |= CURE_ARMED;
    } else if (!any && armed) this.hotI[li * HOT + BITS] &= ~CURE_ARMED;
  }

  private startListing(li: number, t: number, until: number, domain: number): void {
    const m = this.model;
    const g = this.groupOf(li);
    this.hotI[li * HOT + UNTIL] = until;
    this.hotI[li * HOT + SINCE] = t;
    this.hotI[li * HOT + BITS] = (this.hotI[li * HOT + BITS] & ~(7 << DOMAIN_SHIFT)) | (domain << DOMAIN_SHIFT);
    if (!(this.hotI[li * HOT + BITS] & EVER_LISTED)) this.counters.everListed[g]++;
    let f = this.hotI[li * HOT + BITS] | EVER_LISTED;
    if (!(this.hotI[li * HOT + SHADOW_UNTIL] > t)) {
      f |= WRONG_START;
      if (!(this.hotI[li * HOT + BITS] & EVER_WRONGFUL)) this.counters.everWrongful[g]++;
      f |= EVER_WRONGFUL;
    } else f &= ~WRONG_START;
    this.hotI[li * HOT + BITS] = f;
    this.counters.newListings[t * m.G + g]++;
    this.history?.add(t, this.from + li, EV.listed, f & WRONG_START ? 1 : 0, domain, until);
    if (this.network) this.newListed = push(this.newListed, this.newListedCount++, li);
    if (m.appeals) {
      const i = this.from + li;
      const k1 = streamKey1(m.seed, i, Purpose.agent);
      const k2 = streamKey2(k1, m.seed);
      const n = this.hotU[li * HOT + RNG_N]++;
      this.hotI[li * HOT + FILE_DAY] = t + geometricGap(uniformPositive(k1, k2, n), Math.log1p(-m.appeals.fileRate));
    }
  }

  private contactEffects(t: number): void {
    const net = this.network as Network;
    const { start, adj } = net;
    const m = this.model;
    for (let k = 0; k < this.newListedCount; k++) {
      if (k % CONTACTS_BATCH === 0 && this.warmReads) this.warmListedContacts(this.newListed, k, Math.min(this.newListedCount, k + CONTACTS_BATCH));
      if (this.newListed[k] < 0) {
        // renewed: its contacts count it again from tomorrow, as after any expiry;
        // no new fear (nothing new happened) and no new cut draws (those of the
        // spell's start run on while the spell does)
        const i = this.from + ~this.newListed[k];
        for (let e = start[i]; e < start[i + 1]; e++) {
          const j = adj[e];
          if (j < 0) continue;
          if (this.blocks && !this.owns(j)) {
            this.joinedOut.push2(j, JOINED_RENEWED);
            continue;
          }
          this.advance(j, t);
          this.hotU[j * HOT + CONTACTS] += 1;
          this.touch(j);
        }
        continue;
      }
      const li = this.newListed[k];
      const i = this.from + li;
      let n = 0;
      let k1 = 0;
      let k2 = 0;
      if (this.cutCalendar) {
        k1 = streamKey1(m.seed, i, Purpose.agent);
        k2 = streamKey2(k1, m.seed);
        n = this.hotU[li * HOT + RNG_N];
      }
      const logKeep = Math.log1p(-m.cutTie);
      for (let e = start[i]; e < start[i + 1]; e++) {
        const j = adj[e];
        if (j < 0) continue;
        if (this.blocks && !this.owns(j)) this.joinedOut.push2(j, JOINED_NEW);
        else {
          this.advance(j, t);
          this.hotU[j * HOT + CONTACTS] += 1;
          const slot = this.touch(j);
          this.slotSocial[slot]++;
        }
        if (this.cutCalendar) {
          const d = t + geometricGap(uniformPositive(k1, k2, n++), logKeep);
          if (d < m.days) this.cutCalendar.push3(d, i, e, t);
        }
      }
      if (this.cutCalendar) this.hotU[li * HOT + RNG_N] = n;
    }
    for (let k = 0; k < this.newShadowListedCount; k++) {
      if (k % CONTACTS_BATCH === 0 && this.warmReads) this.warmListedContacts(this.newShadowListed, k, Math.min(this.newShadowListedCount, k + CONTACTS_BATCH));
      const i = this.from + this.newShadowListed[k];
      for (let e = start[i]; e < start[i + 1]; e++) {
        const j = adj[e];
        if (j < 0) continue;
        if (this.blocks && !this.owns(j)) {
          this.joinedOut.push2(j, JOINED_SHADOW);
          continue;
        }
        this.advance(j, t);
        this.hotU[j * HOT + CONTACTS] += SHADOW_CONTACT;
        this.touch(j);
      }
    }
  }

  /**
   * warm() for the touched agents of slots [from, to) that the pass will work
   * on: those due for step 8 (due), or those not yet scheduled (!due) — most
   * were scheduled in step 8, and reading their records again would cost
   * misses for nothing.
   */
  private warmTouched(from: number, to: number, due: boolean): void {
    let x = 0;
    for (let k = from; k < to; k++) {
      const state = this.slotStep7[k];
      if (due ? state !== STEP7_DUE : state === STEP7_SCHEDULED) continue;
      const at = this.touched[k] * HOT;
      x |= this.hotI[at] | this.hotI[at + HOT - 1];
    }
    keepRead(x);
  }

  /** warm() for the contacts of agent i. */
  private warmContacts(i: number): void {
    if (!this.warmReads) return;
    const { start, adj } = this.network as Network;
    let x = 0;
    for (let e = start[i]; e < start[i + 1]; e++) {
      const j = adj[e];
      if (j < 0) continue; // a cut tie: the loops that follow skip it
      x |= this.hotI[j * HOT] | this.hotI[j * HOT + HOT - 1];
    }
    keepRead(x);
  }

  /**
   * warm() for the contacts of the listed agents list[from..to) (local ids; a
   * renewal is stored as ~id): where their rows start, then the rows, then the
   * contacts' records. Each stage's reads are independent of one another, so
   * they overlap across agents, where warmContacts overlaps only one agent's
   * contacts and waits for its row first.
   */
  private warmListedContacts(list: Int32Array, from: number, to: number): void {
    const { start, adj } = this.network as Network;
    let x = 0;
    for (let k = from; k < to; k++) {
      const i = this.from + (list[k] < 0 ? ~list[k] : list[k]);
      x |= start[i] | start[i + 1];
    }
    for (let k = from; k < to; k++) {
      const i = this.from + (list[k] < 0 ? ~list[k] : list[k]);
      if (start[i] < start[i + 1]) x |= adj[start[i]] | adj[start[i + 1] - 1];
    }
    for (let k = from; k < to; k++) {
      const i = this.from + (list[k] < 0 ? ~list[k] : list[k]);
      for (let e = start[i]; e < start[i + 1]; e++) {
        const j = adj[e];
        if (j >= 0) x |= this.hotI[j * HOT] | this.hotI[j * HOT + HOT - 1];
      }
    }
    keepRead(x);
  }

  private aliveDegree(i: number): number {
    const { start, adj } = this.network as Network;
    let d = 0;
    for (let e = start[i]; e < start[i + 1]; e++) if (adj[e] >= 0) d++;
    return d;
  }

  private updateFear(t: number): void {
    const fm = this.model.fear;
    if (!fm) return;
    for (let k = 0; k < this.touchedCount; k++) {
      if (k % WARM_BATCH === 0 && this.warmReads) this.warmFearful(k, Math.min(this.touchedCount, k + WARM_BATCH));
      const penal = this.slotPenal[k];
      const social = this.slotSocial[k];
      if (!penal && !social) continue;
      const li = this.touched[k];
      let f = (1 - fm.decay) * this.fearAt(li, t - 1) + fm.self * penal;
      if (social) {
        const deg = this.aliveDegree(this.from + li);
        if (deg > 0) f += (fm.social * social) / deg;
      }
      this.hotF[li * HOT + FEAR] = f > 1 ? 1 : f < fm.floor ? fm.floor : f;
      this.hotI[li * HOT + FEAR_DAY] = t;
    }
  }

  /** warm() for the touched agents of slots [from, to) whose fear changes today, and for their network rows when it is their contacts' doing. */
  private warmFearful(from: number, to: number): void {
    const net = this.network;
    let x = 0;
    for (let k = from; k < to; k++) {
      if (!this.slotPenal[k] && !this.slotSocial[k]) continue;
      const li = this.touched[k];
      x |= this.hotI[li * HOT] | this.hotI[li * HOT + HOT - 1];
      // the row's start, then the row itself (aliveDegree reads both)
      if (net && this.slotSocial[k]) {
        const e = net.start[this.from + li];
        if (e < net.adj.length) x |= net.adj[e];
      }
    }
    keepRead(x);
  }

  /** Ties cut today: this lane's due cuts, and `peer`'s rows (the other lane's) if any. */
  private cutTies(t: number, peer: Int32Array | null): void {
    const net = this.network as Network;
    const { start, adj } = net;
    const c = this.counters;
    const G = this.model.G;
    // In edge order, not in the order the cuts were drawn (which follows the order
    // of the day's new listings): when both ends of a tie draw a cut for the same
    // day, the first one cuts it and counts it, so the order must not depend on
    // how agents were visited.
    let dueCount = (this.cutCalendar as Calendar).drainRows(t, this.dueCuts);
    if (peer && peer.length > 0) {
      if ((dueCount + peer.length / 3) * 3 > this.dueCuts.buf.length) {
        const grown = new Int32Array((dueCount + peer.length / 3) * 3 * 2);
        grown.set(this.dueCuts.buf.subarray(0, dueCount * 3));
        this.dueCuts.buf = grown;
      }
      this.dueCuts.buf.set(peer, dueCount * 3);
      dueCount += peer.length / 3;
    }
    const due = this.dueCuts.buf; // (listed agent, edge, listing start) rows
    const order = this.cutSorter.sort(due, dueCount, adj.length, t + 1);
    for (let o = 0; o < dueCount; o++) {
      if (o % WARM_BATCH === 0 && this.warmReads) this.warmCuts(due, order, o, Math.min(dueCount, o + WARM_BATCH));
      const at = order[o] * 3;
      const j = due[at];
      const e = due[at + 1];
      const spellStart = due[at + 2];
      if (!(this.hotI[j * HOT + UNTIL] > t) || this.hotI[j * HOT + SINCE] !== spellStart) continue;
      const i = adj[e];
      if (i < 0) continue;
      adj[e] = ~i;
      for (let r = start[i]; r < start[i + 1]; r++) {
        if (adj[r] === j) {
          adj[r] = ~j;
          break;
        }
      }
      this.advance(i, t);
      this.advance(j, t);
      // j is listed (that is why the tie is cut); i may be too.
      this.hotU[i * HOT + CONTACTS] -= 1;
      if (this.hotI[i * HOT + UNTIL] > t) this.hotU[j * HOT + CONTACTS] -= 1;
      if (this.hotI[j * HOT + SHADOW_UNTIL] > t) this.hotU[i * HOT + CONTACTS] -= SHADOW_CONTACT;
      if (this.hotI[i * HOT + SHADOW_UNTIL] > t) this.hotU[j * HOT + CONTACTS] -= SHADOW_CONTACT;
      this.touch(i);
      this.touch(j);
      this.history?.add(t, i, EV.tieCut, j);
      this.history?.add(t, j, EV.tieCut, i);
      c.tiesCut[t * G + this.groupOf(i)]++;
    }
  }

  /**
   * warm() for the cuts order[from..to): the listed agents' records and the tie
   * ends, then the other ends' records and where their rows start, then their
   * rows; each stage's reads are independent of one another, so they overlap.
   */
  private warmCuts(due: Int32Array, order: Int32Array, from: number, to: number): void {
    const { start, adj } = this.network as Network;
    let x = 0;
    for (let o = from; o < to; o++) {
      const at = order[o] * 3;
      const j = due[at] * HOT;
      x |= this.hotI[j] | this.hotI[j + HOT - 1] | adj[due[at + 1]];
    }
    for (let o = from; o < to; o++) {
      const i = adj[due[order[o] * 3 + 1]];
      if (i >= 0) x |= this.hotI[i * HOT] | this.hotI[i * HOT + HOT - 1] | start[i];
    }
    for (let o = from; o < to; o++) {
      const i = adj[due[order[o] * 3 + 1]];
      if (i >= 0 && start[i] < adj.length) x |= adj[start[i]];
    }
    keepRead(x);
  }

  /** Appeals filed and decided today; `peer`: the other lane's filings, if any. */
  private appeals(t: number, peer: Int32Array | null): void {
    const m = this.model;
    const ap = m.appeals;
    if (!ap) return;
    const c = this.counters;
    if (peer) for (let k = 0; k < peer.length; k++) this.filings = push(this.filings, this.filingCount++, peer[k]);
    // Filings: listed agents whose filing day is today, in agent order. Candidates
    // were noted in step 8 (scoreAndList), while their records were at hand: an
    // agent whose filing day is today was woken today (reschedule wakes it then),
    // and nothing between step 8 and here changes a listing or a filing day.
    let filingCount = 0;
    for (let k = 0; k < this.filingCount; k++) {
      const li = this.filings[k];
      if (this.hotI[li * HOT + FILE_DAY] === t && this.hotI[li * HOT + UNTIL] > t && !(this.hotI[li * HOT + BITS] & WAITING)) this.filings[filingCount++] = li;
    }
    this.filingCount = filingCount;
    const filings = this.filings.subarray(0, this.filingCount);
    filings.sort();
    for (let k = 0; k < filings.length; k++) {
      const li = filings[k];
      this.hotI[li * HOT + BITS] |= WAITING;
      const g = this.groupOf(li);
      this.waitingNow[g]++;
      c.appealsFiled[t * m.G + g]++;
      this.history?.add(t, this.from + li, EV.appealFiled);
      this.enqueue(li, this.hotI[li * HOT + SINCE]);
    }
    // Service: capacity per day, fractional part carried over.
    this.appealCredit += ap.capacityPerDay;
    let capacity = Math.floor(this.appealCredit);
    this.appealCredit -= capacity;
    while (capacity > 0 && this.queueHead < this.queueTail) {
      const li = this.queueAgent[this.queueHead];
      const s = this.queueSince[this.queueHead];
      this.queueHead++;
      if (!(this.hotI[li * HOT + UNTIL] > t) || this.hotI[li * HOT + SINCE] !== s || !(this.hotI[li * HOT + BITS] & WAITING)) continue; // withdrawn
      capacity--;
      const g = this.groupOf(li);
      c.appealsServed[t * m.G + g]++;
      this.hotI[li * HOT + BITS] &= ~WAITING;
      this.waitingNow[g]--;
      const wrongful = !(this.hotI[li * HOT + SHADOW_UNTIL] > t);
      const i = this.from + li;
      const k1 = streamKey1(m.seed, i, Purpose.agent);
      const k2 = streamKey2(k1, m.seed);
      let n = this.hotU[li * HOT + RNG_N];
      const overturn = uniform(k1, k2, n++) < (wrongful ? ap.overturnWrongful : ap.overturnRightful);
      this.history?.add(t, i, EV.appealDecided, overturn ? 1 : 0);
      this.touch(li);
      if (overturn) {
        if (wrongful) c.overturnedWrongful[t * m.G + g]++;
        else c.overturnedRightful[t * m.G + g]++;
        this.advance(li, t);
        this.endListing(li, t, t + 1, 1);
        if (!this.isExempt(li)) this.setScore(li, this.hotF[li * HOT + SHADOW_SCORE], t);
      } else {
        this.hotI[li * HOT + FILE_DAY] = t + 1 + geometricGap(uniformPositive(k1, k2, n++), Math.log1p(-ap.fileRate));
      }
      this.hotU[li * HOT + RNG_N] = n;
    }
    if (this.queueHead > 4096 && this.queueHead * 2 > this.queueTail) {
      this.queueAgent.copyWithin(0, this.queueHead, this.queueTail);
      this.queueSince.copyWithin(0, this.queueHead, this.queueTail);
      this.queueTail -= this.queueHead;
      this.queueHead = 0;
    }
  }

  /** Sets the real score at day t (scoreDay must be t), keeping perk bookkeeping. */
  private setScore(li: number, s: number, t: number): void {
    this.hotF[li * HOT + SCORE] = s;
    if (this.perkDelta) this.setPerk(li, t, s >= (this.model.perkAbove as number));
  }

  /** Cure (step 10): a listed agent pays or repairs; both its listings end. `peer`: the other lane's agents that may cure today. */
  private cures(t: number, peer: Int32Array | null): void {
    const touchedNow = this.touchedCount;
    for (let k = 0; k < touchedNow; k++) this.cure(this.touched[k], t);
    if (peer) for (let k = 0; k < peer.length; k++) this.cure(peer[k], t);
  }

  private cure(li: number, t: number): void {
    const cure = this.model.cure;
    if (!cure) return;
    if (this.hotI[li * HOT + CURE_DAY] !== t || !(this.hotI[li * HOT + BITS] & CURE_ARMED)) return;
    const listed = this.hotI[li * HOT + UNTIL] > t;
    const shadowListed = this.hotI[li * HOT + SHADOW_UNTIL] > t;
    if (!listed && !shadowListed) return;
    this.touch(li); // its listings end: to be scheduled again
    this.advance(li, t);
    // Each world's listing ends where it lists the agent, and both scores reset,
    // so the two worlds stay paired; `cured` counts real listings ended.
    if (listed) {
      this.counters.cured[t * this.model.G + this.groupOf(li)]++;
      this.history?.add(t, this.from + li, EV.cured);
      this.endListing(li, t, t + 1, 2);
    }
    if (shadowListed) this.endShadowListing(li, t, t + 1);
    if (cure.resetScore) {
      if (!this.isExempt(li)) this.setScore(li, this.model.s0, t);
      this.hotF[li * HOT + SHADOW_SCORE] = this.model.s0;
    }
    this.hotI[li * HOT + BITS] &= ~CURE_ARMED;
  }

  private enqueue(li: number, s: number): void {
    if (this.queueTail === this.queueAgent.length) {
      const a = new Int32Array(this.queueAgent.length * 2);
      a.set(this.queueAgent);
      this.queueAgent = a;
      const b = new Int32Array(this.queueSince.length * 2);
      b.set(this.queueSince);
      this.queueSince = b;
    }
    this.queueAgent[this.queueTail] = li;
    this.queueSince[this.queueTail] = s;
    this.queueTail++;
  }

  // ---- insiders ------------------------------------------------------------

  private setUpInsiders(): void {
    const ins = this.model.insiders;
    const stream = this.insiderStream;
    if (!ins || !stream) return;
    const whole = Math.floor(ins.count);
    const count = whole + (stream.next() < ins.count - whole ? 1 : 0);
    this.insiderFirst = new Int32Array(count);
    for (let k = 0; k < count; k++) this.insiderFirst[k] = stream.below(ins.everyDays);
    this.insiderTargets = new Int32Array(count * ins.targets).fill(-1);
  }

  private growDisfavoredPool(): void {
    const fresh = this.newDisfavored.subarray(0, this.newDisfavoredCount);
    fresh.sort();
    for (let k = 0; k < fresh.length; k++) this.disfavoredPool = push(this.disfavoredPool, this.disfavoredPoolCount++, fresh[k]);
    this.newDisfavoredCount = 0;
  }

  private insidersAct(t: number): void {
    const ins = this.model.insiders;
    const first = this.insiderFirst;
    const targets = this.insiderTargets;
    const stream = this.insiderStream;
    if (!ins || !first || !targets || !stream) return;
    const m = this.model;
    for (let k = 0; k < first.length; k++) {
      if (t < first[k] || (t - first[k]) % ins.everyDays !== 0) continue;
      if (t === first[k]) {
        // Pick targets among agents with a recorded disfavored behaviour, else anyone.
        for (let x = 0; x < ins.targets; x++) {
          const pool = this.disfavoredPoolCount;
          targets[k * ins.targets + x] = pool > x ? this.disfavoredPool[stream.below(pool)] : stream.below(m.agents);
        }
      }
      for (let x = 0; x < ins.targets; x++) {
        const target = targets[k * ins.targets + x];
        if (m.review[ins.behaviour] > 0 && stream.next() < m.review[ins.behaviour] * m.reviewCatch) {
          this.counters.recordsDiscarded[t * m.G + this.groupOf(target - this.from)]++;
        } else this.message(target, ins.behaviour, true);
      }
    }
  }

  // ---- observation and scheduling -------------------------------------------

  /** Step 11, from this lane's live counts and `peer`'s (the other lane's, in liveCounts() order) if any. */
  private observe(t: number, peer: Float64Array[] | null): void {
    const m = this.model;
    const c = this.counters;
    const D = m.D;
    // counts of whole agents: their sums are exact in any order
    const [listedNow, wrongNow, shadowNow, spillNow, waitingNow, listedByDomain, spillByMask, listedSpill] = peer
      ? this.liveCounts().map((own, k) => own.map((x, i) => x + peer[k][i]))
      : this.liveCounts();
    for (let g = 0; g < m.G; g++) {
      const at = t * m.G + g;
      c.listed[at] = listedNow[g];
      c.wrongful[at] = wrongNow[g];
      c.shadowListed[at] = shadowNow[g];
      c.spillover[at] = spillNow[g];
      c.waiting[at] = waitingNow[g];
      let harm = 0;
      for (let d = 0; d < D; d++) harm += listedByDomain[g * D + d] * m.harmOwn[d];
      if (this.hhMask) {
        for (let mask = 1; mask < 1 << D; mask++) harm += spillByMask[(g << D) + mask] * m.harmSpill[mask];
        for (let x = 0; x < D << D; x++) harm += listedSpill[((g * D) << D) + x] * m.harmSpillListed[x];
      }
      c.harm[at] = harm;
    }
  }

  /** Tier of every agent at the end of mid-run day t (for mobility), read without changing state. */
  private snapshotTiers(t: number): void {
    const mid = this.midTier as Int8Array;
    for (let li = 0; li < this.n; li++) mid[li] = tierOf(this.model, this.scoreAt(li, t));
  }

  private reschedule(li: number, t: number): void {
    const m = this.model;
    const listed = this.hotI[li * HOT + UNTIL] > t;
    if (this.hotI[li * HOT + BITS] & CURE_ARMED && !listed && !(this.hotI[li * HOT + SHADOW_UNTIL] > t)) this.hotI[li * HOT + BITS] &= ~CURE_ARMED;
    if (m.L2 === 2 && listed !== ((this.hotI[li * HOT + BITS] & CLOCK_LISTED) !== 0)) {
      // Rates change from tomorrow: redraw the candidate clock from t + 1.
      const i = this.from + li;
      const k1 = streamKey1(m.seed, i, Purpose.agent);
      const k2 = streamKey2(k1, m.seed);
      const cls = this.hotI[li * HOT + BITS] >>> 24;
      this.hotI[li * HOT + NEXT_CAND] = t + 1 + tableGap(m.gaps, cls * 2 + (listed ? 1 : 0), draw32(k1, k2, this.hotU[li * HOT + RNG_N]++));
      this.hotI[li * HOT + BITS] ^= CLOCK_LISTED;
    }
    let w = this.hotI[li * HOT + NEXT_CAND];
    if (listed) {
      if (this.hotI[li * HOT + UNTIL] < w) w = this.hotI[li * HOT + UNTIL];
    } else if (!this.isExempt(li) && this.canCross) {
      const x = crossing(m, this.decay, this.hotF[li * HOT + SCORE], this.hotI[li * HOT + SCORE_DAY], this.hotU[li * HOT + CONTACTS] & 0xffff);
      if (x < w) w = x;
    }
    if (this.hotI[li * HOT + SHADOW_UNTIL] > t) {
      if (this.hotI[li * HOT + SHADOW_UNTIL] < w) w = this.hotI[li * HOT + SHADOW_UNTIL];
    } else if (this.canCross) {
      const x = crossing(m, this.decay, this.hotF[li * HOT + SHADOW_SCORE], this.hotI[li * HOT + SCORE_DAY], this.hotU[li * HOT + CONTACTS] >>> 16);
      if (x < w) w = x;
    }
    if (m.appeals && listed && !(this.hotI[li * HOT + BITS] & WAITING) && this.hotI[li * HOT + FILE_DAY] > t && this.hotI[li * HOT + FILE_DAY] < w)
      w = this.hotI[li * HOT + FILE_DAY];
    if (m.cure && this.hotI[li * HOT + BITS] & CURE_ARMED && this.hotI[li * HOT + CURE_DAY] > t && this.hotI[li * HOT + CURE_DAY] < w)
      w = this.hotI[li * HOT + CURE_DAY];
    if (w <= t) w = t + 1;
    if (w >= m.days) {
      this.hotI[li * HOT + WAKE] = NEVER;
      return;
    }
    if (w !== this.hotI[li * HOT + WAKE]) {
      this.hotI[li * HOT + WAKE] = w;
      this.calendar.push(w, li);
    }
  }

  /** End of run: bring every agent to the last day and record the final distribution. */
  private finish(): void {
    const m = this.model;
    const c = this.counters;
    const last = m.days - 1;
    const range = m.sMax - m.sMin;
    const T = m.tierNames.length;
    // A compact copy of the final scores for the sums over ties: the tie loop
    // reads scores at random agents, and 4 bytes per agent stay in the caches
    // far longer than a 64-byte record each. Each lane writes its own agents'.
    const scores = this.network ? (this.tieScores ?? new Float32Array(this.n)) : null;
    for (let li = 0; li < this.n; li++) {
      if (this.blocks && !this.owns(li)) continue;
      this.advance(li, last);
      if (scores) scores[li] = this.hotF[li * HOT + SCORE];
      const g = this.groupOf(li);
      const f = this.hotI[li * HOT + BITS];
      if (f & HAS_FALSE) c.withFalseRecord[g]++;
      if (f & LISTED && f & WRONG_START) {
        c.openWrongfulSpells[g]++;
        c.openWrongfulSpellDays[g] += m.days - this.hotI[li * HOT + SINCE];
      }
      const s = this.hotF[li * HOT + SCORE];
      const h = this.hotF[li * HOT + SHADOW_SCORE];
      c.scoreHistogram[g * SCORE_BINS + scoreBin(s, m.sMin, range)]++;
      c.shadowScoreHistogram[g * SCORE_BINS + scoreBin(h, m.sMin, range)]++;
      if (T > 0) {
        const tier = tierOf(m, s);
        if (tier >= 0) c.tierCounts[g * T + tier]++;
        const before = this.midTier ? this.midTier[li] : -1;
        if (tier >= 0 && before >= 0) c.tierTransitions[(g * T + before) * T + tier]++;
        else if (before >= 0) c.tierFellBelow[g * T + before]++;
      }
      if (m.breach && this.keptBeforeBreach && this.falseBeforeBreach) {
        const k1 = streamKey1(m.seed, this.from + li, Purpose.breach);
        if (uniform(k1, streamKey2(k1, m.seed), 0) < m.breach.share) {
          c.exposedPeople[g]++;
          c.exposedRecords[g] += this.keptBeforeBreach[li];
          c.exposedFalseRecords[g] += this.falseBeforeBreach[li];
        }
      }
    }
    if (this.link) {
      if (!this.lead) {
        this.handResult();
        return;
      }
      this.takeResult(this.link.receive() as LaneResult);
    }
    if (this.perkDelta) integrate(this.perkDelta, c.perkHolders, m.days, m.G);
    if (this.network && scores) tieMoments(this.network, scores, c.tieScoreMoments);
  }

  /** The upper lane's end of the run: its counters, perks' changes and logged events, to the lower lane. */
  private handResult(): void {
    const counters = countersArrays(this.counters);
    const events = this.history ? this.history.columns() : null;
    const result: LaneResult = { counters, perkDelta: this.perkDelta, events: events?.columns ?? null };
    const buffers = [...counters, ...(this.perkDelta ? [this.perkDelta] : [])].map((a) => a.buffer as ArrayBuffer);
    (this.link as LaneLink).send(result, [...buffers, ...(events?.buffers ?? [])]);
  }

  /** The lower lane adds the upper lane's result to its own. */
  private takeResult(peer: LaneResult): void {
    addCounters(this.counters, countersFromArrays(this.model, peer.counters));
    if (this.perkDelta && peer.perkDelta) for (let k = 0; k < this.perkDelta.length; k++) this.perkDelta[k] += peer.perkDelta[k];
    if (this.history && peer.events) mergeLaneEvents(this.history, peer.events);
  }

  /** Score of local agent li as of its last update. */
  scoreOf(li: number): number {
    return this.hotF[li * HOT + SCORE];
  }

  /** Day local agent li's listing ends (listed while t < it), or −1 if never listed. */
  listedUntil(li: number): number {
    return this.hotI[li * HOT + UNTIL];
  }

  /** Day local agent li's shadow listing ends, or −1. */
  shadowListedUntil(li: number): number {
    return this.hotI[li * HOT + SHADOW_UNTIL];
  }

  /** Per agent, by the end of the run: 0 never listed, 1 listed (only rightfully), 2 listed wrongfully at least once. */
  listingHistory(): Uint8Array {
    const out = new Uint8Array(this.n);
    for (let li = 0; li < this.n; li++) {
      const f = this.hotI[li * HOT + BITS];
      out[li] = f & EVER_WRONGFUL ? 2 : f & EVER_LISTED ? 1 : 0;
    }
    return out;
  }

  /** For each agent in the pool: its contacts, whether the tie was cut, whether the contact was ever listed. */
  contactsOf(pool: Uint8Array): { agent: number; contact: number; cut: boolean; everListed: boolean }[] {
    const out: { agent: number; contact: number; cut: boolean; everListed: boolean }[] = [];
    const net = this.network;
    if (!net) return out;
    for (let i = 0; i < this.n; i++) {
      if (pool[i] !== 1) continue;
      for (let e = net.start[i]; e < net.start[i + 1]; e++) {
        const raw = net.adj[e];
        const j = raw < 0 ? ~raw : raw;
        out.push({ agent: i, contact: j, cut: raw < 0, everListed: (this.hotI[j * HOT + BITS] & EVER_LISTED) !== 0 });
      }
    }
    return out;
  }

  /** Typed-array bytes held by this simulation (state, network, calendars). */
  get bytes(): number {
    let total = this.calendar.bytes + (this.cutCalendar?.bytes ?? 0);
    const arrays = [
      this.hotI,
      this.hhCount,
      this.hhMask,
      this.keptBeforeBreach,
      this.falseBeforeBreach,
      this.midTier,
      this.population.cls,
      this.population.householdOf,
      this.population.householdStart,
      this.network?.start,
      this.network?.adj,
    ];
    for (const a of arrays) if (a) total += a.byteLength;
    return total;
  }
}

/** Daily state from per-day deltas: into[t·G + g] = Σ_{τ ≤ t} delta[τ·G + g]. */
export function integrate(delta: Float64Array, into: Float64Array, days: number, G: number): void {
  for (let g = 0; g < G; g++) {
    let x = 0;
    for (let t = 0; t < days; t++) {
      x += delta[t * G + g];
      into[t * G + g] = x;
    }
  }
}

/** Ties listed for tieMoments at a time: its buffers stay in the first-level cache. */
const TIE_BATCH = 1024;

/**
 * Moments of the final scores at the two ends of every remaining tie (each tie
 * once). In two loops per batch of ties: the first lists the ties to count,
 * the second reads both ends' scores. A single loop that skipped cut ties and
 * ties counted from the other end, a branch that goes either way at random,
 * had its reads of scores at random agents discarded on each misprediction;
 * without the branch they overlap. The sums are added in the same order as one
 * loop would, so they are bit for bit the same.
 */
export function tieMoments(net: Network, scores: Float32Array, out: Float64Array, batch = TIE_BATCH): void {
  const { start, adj } = net;
  let lower = new Int32Array(batch);
  let upper = new Int32Array(batch);
  const agents = start.length - 1;
  for (let i = 0; i < agents; ) {
    // a row longer than the buffers (a very large degree) grows them
    const row = start[i + 1] - start[i];
    if (row > lower.length) {
      lower = new Int32Array(row);
      upper = new Int32Array(row);
    }
    let n = 0;
    for (; i < agents && n + (start[i + 1] - start[i]) <= lower.length; i++) {
      for (let e = start[i]; e < start[i + 1]; e++) {
        const j = adj[e];
        lower[n] = i;
        upper[n] = j;
        n += j > i ? 1 : 0; // not cut (negative) nor counted from the other end
      }
    }
    addTieMoments(out, scores, lower, upper, n);
  }
}

/**
 * Adds ties (lower[k], upper[k]), k < n, to the moments. A function of its own,
 * called per batch, so that V8 optimises it as a whole function: inside the
 * once-run tieMoments, running sums in local variables made it slower.
 */
function addTieMoments(out: Float64Array, scores: Float32Array, lower: Int32Array, upper: Int32Array, n: number): void {
  for (let k = 0; k < n; k++) {
    const x = scores[lower[k]];
    const y = scores[upper[k]];
    out[0] += x;
    out[1] += y;
    out[2] += x * x;
    out[3] += y * y;
    out[4] += x * y;
  }
  out[5] += n;
}

function push(a: Int32Array<ArrayBuffer>, at: number, v: number): Int32Array<ArrayBuffer> {
  let arr = a;
  if (at >= arr.length) {
    arr = new Int32Array(arr.length * 2);
    arr.set(a);
  }
  arr[at] = v;
  return arr;
}

type IntArrayType = Uint8Array | Uint16Array | Int8Array | Int32Array;

/** A zeroed array of `length`, in shared memory when the other lane writes it too. */
function arrayOf<T extends IntArrayType>(
  Type: { new (n: number): T; new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
  shared: boolean,
): T {
  return shared ? new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT)) : new Type(length);
}

/** A copy of `a` in shared memory. */
function sharedCopy<T extends IntArrayType>(a: T): T {
  const Type = a.constructor as { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const copy = new Type(new SharedArrayBuffer(a.length * Type.BYTES_PER_ELEMENT));
  copy.set(a as never);
  return copy;
}

/** The population with its per-agent arrays in shared memory, which both lanes read. */
function sharedPopulation(p: Population): Population {
  return {
    ...p,
    cls: sharedCopy(p.cls),
    householdStart: p.householdStart ? sharedCopy(p.householdStart) : null,
    householdOf: p.householdOf ? sharedCopy(p.householdOf) : null,
  };
}

/**
 * Which agents each lane of a run owns: blocks of about 2^shift agents, the
 * even ones the lower lane's and the odd ones the upper lane's, so that each
 * lane has its share of every group (a population's groups, whose rates
 * differ, occupy ranges of ids). Block b holds agents [bound[b], bound[b + 1]):
 * bound[b] is the first member of the first household from agent b·2^shift on,
 * so that a household's members (whose records a listing's change in the
 * household reads and writes) all belong to one lane.
 */
export interface LaneBlocks {
  shift: number;
  bound: Int32Array;
}

/** The lane that owns agent li: 0 (the lower) or 1. */
export function laneOf(blocks: LaneBlocks, li: number): number {
  // a household longer than a block leaves the blocks it covers empty
  let b = li >>> blocks.shift;
  while (li < blocks.bound[b]) b--;
  return b & 1;
}

/** Blocks of 2^4 to 2^16 agents, at least 64 of them when there are 1,024 agents or more. */
export function laneBlocks(householdStart: Int32Array | null, n: number): LaneBlocks {
  const shift = Math.min(16, Math.max(4, Math.floor(Math.log2(n / 64))));
  const count = Math.ceil(n / 2 ** shift);
  const bound = new Int32Array(count + 1);
  let h = 0;
  for (let b = 0; b <= count; b++) {
    const at = Math.min(n, b * 2 ** shift);
    if (householdStart) {
      while (householdStart[h] < at) h++;
      bound[b] = householdStart[h];
    } else bound[b] = at;
  }
  return { shift, bound };
}

function concatInts(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Adds the upper lane's events to the lower lane's history, in the order one
 * thread logs them: each agent's by day, and within a day the upper lane's (its
 * own agents' steps 1–10) before the lower lane's (the one-thread phases it ran
 * for them). Agents' order does not matter: historyByAgent sorts by agent.
 */
export function mergeLaneEvents(history: History, upper: EventColumns): void {
  const own = history.count;
  const total = own + upper.count;
  if (upper.count === 0) return;
  const order = Array.from({ length: total }, (_, k) => k);
  const agent = (k: number) => (k < own ? history.agent[k] : upper.agent[k - own]);
  const day = (k: number) => (k < own ? history.day[k] : upper.day[k - own]);
  // upper lane's first within an agent's day; otherwise the order each lane logged them
  order.sort((x, y) => agent(x) - agent(y) || day(x) - day(y) || (x < own ? 1 : 0) - (y < own ? 1 : 0) || x - y);
  const columns = { day: [] as number[], agent: [] as number[], type: [] as number[], a: [] as number[], b: [] as number[], v: [] as number[] };
  for (const k of order) {
    const from = k < own ? history : upper;
    const at = k < own ? k : k - own;
    columns.day.push(from.day[at]);
    columns.agent.push(from.agent[at]);
    columns.type.push(from.type[at]);
    columns.a.push(from.a[at]);
    columns.b.push(from.b[at]);
    columns.v.push(from.v[at]);
  }
  history.count = total;
  history.day = Int32Array.from(columns.day);
  history.agent = Int32Array.from(columns.agent);
  history.type = Uint8Array.from(columns.type);
  history.a = Int32Array.from(columns.a);
  history.b = Int32Array.from(columns.b);
  history.v = Float64Array.from(columns.v);
}
