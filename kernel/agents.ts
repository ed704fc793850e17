// AssemblyScript: the per-agent engine (src/engine/separable.ts, with sampleDay
// and the score functions of src/engine/day.ts), compiled to WebAssembly by
// `npm run build:kernel` into src/engine/kernel-wasm.ts. It draws the same random
// numbers and does the same floating-point operations in the same order as the
// TypeScript, so that its counters are bit-identical (test/kernel.test.ts); a
// change to one must be made to the other. It logs followed agents' events as
// the TypeScript engine does (runFollowed); every agent's year is independent, so
// the host may run some agents in TypeScript and the rest here
// (docs/performance.md, decision 14).
//
// It allocates nothing (no `new`, no arrays, no strings: built with the stub
// runtime): everything lives at the offsets the host writes in the header, and
// memory never grows, so the host's views over it stay valid.

import * as K from "../src/engine/kernel-layout";

// Math.log from JavaScript, so that logarithms are bit-identical to the engines'.
@external("env", "log")
declare function jsLog(x: f64): f64;

const NEVER: i32 = 0x3fffffff;
const SCORE_BINS: i32 = 4096;
const BUCKET_SHIFT: u32 = 22; // gap-table.ts: 2^10 buckets of x by its top bits
const TWO_POW_32: f64 = 4294967296.0;
const CHANNEL_BEHAVIOUR: i32 = 0;
const CHANNEL_FALSE_RECORD: i32 = 1;
const PURPOSE_POPULATION: u32 = 1;
const PURPOSE_BREACH: u32 = 5;
// event types (src/engine/history.ts, EV)
const EV_RECORD: f64 = 1;
const EV_DENIED: f64 = 2;
const EV_LISTED: f64 = 3;
const EV_UNLISTED: f64 = 4;
const EV_CURED: f64 = 7;
const EV_SCORE: f64 = 10;
const EV_EXTENDED: f64 = 12;

@inline function slot(k: i32): i32 {
  return load<i32>(K.INTS + (k << 2));
}
@inline function fslot(k: i32): f64 {
  return load<f64>(K.FLOATS + (k << 3));
}
@inline function ptr(k: i32): usize {
  return <usize>load<i32>(K.INTS + (k << 2));
}
@inline function iat(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}
@inline function fat(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
@inline function add(base: usize, i: i32, v: f64): void {
  const a = base + (<usize>i << 3);
  store<f64>(a, load<f64>(a) + v);
}

// the model, read from the header by init()
let days: i32 = 0;
let G: i32 = 0;
let D: i32 = 0;
let B: i32 = 0;
let M: i32 = 0;
let L2: i32 = 0;
let T: i32 = 0;
let C: i32 = 0;
let seedA: u32 = 0;
let seedB: u32 = 0;
let hasFear = false;
let hasPresence = false;
let hasPerk = false;
let hasCure = false;
let cureReset = false;
let hasBreach = false;
let breachDay: i32 = 0;
let listDays: i32 = 0;
let midDay: i32 = 0;
let canCross = false;
let gapSize: i32 = 0;
let decayLength: i32 = 0;
let s0: f64 = 0;
let sMin: f64 = 0;
let sMax: f64 = 0;
let rho: f64 = 0;
let E: f64 = 0;
let P: f64 = 0;
let fearFloor: f64 = 0;
let fearDecayRate: f64 = 0;
let fearSelf: f64 = 0;
let cureLogKeep: f64 = 0;
let breachShare: f64 = 0;
let reviewCatch: f64 = 0;
let classGroup: usize = 0;
let exemptClass: usize = 0;
let classSegment: usize = 0;
let segmentPresent: usize = 0;
let classStart: usize = 0;
let classEnd: usize = 0;
let groupStart: usize = 0;
let domainOf: usize = 0;
let kind: usize = 0;
let penalising: usize = 0;
let direct: usize = 0;
let chanType: usize = 0;
let chanBehaviour: usize = 0;
let blockOwn: usize = 0;
let gapStart: usize = 0;
let noEvent: usize = 0;
let chanSomeFrom: usize = 0;
let chanP: usize = 0;
let deter: usize = 0;
let pRaw: usize = 0;
let pMax: usize = 0;
let points: usize = 0;
let detect: usize = 0;
let misattribute: usize = 0;
let review: usize = 0;
let tierMins: usize = 0;
let decay: usize = 0;
let fearKeep: usize = 0;
let gapLast: usize = 0;
let gapLogs: usize = 0;
let cAgents: usize = 0;
let cClassAgents: usize = 0;
let cClassAgentDays: usize = 0;
let cOccurrences: usize = 0;
let cDenied: usize = 0;
let cDeniedByBehaviour: usize = 0;
let cRecordsTrue: usize = 0;
let cRecordsFalse: usize = 0;
let cRecordsDiscarded: usize = 0;
let cNewListings: usize = 0;
let cEverListed: usize = 0;
let cEverWrongful: usize = 0;
let cCured: usize = 0;
let cWithFalseRecord: usize = 0;
let cWrongfulSpells: usize = 0;
let cWrongfulSpellDays: usize = 0;
let cWrongfulSpellHistogram: usize = 0;
let cOpenWrongfulSpells: usize = 0;
let cOpenWrongfulSpellDays: usize = 0;
let cScoreHistogram: usize = 0;
let cShadowScoreHistogram: usize = 0;
let cTierCounts: usize = 0;
let cTierTransitions: usize = 0;
let cTierFellBelow: usize = 0;
let cExposedPeople: usize = 0;
let cExposedRecords: usize = 0;
let cExposedFalseRecords: usize = 0;
let dListed: usize = 0;
let dWrong: usize = 0;
let dShadow: usize = 0;
let dDomain: usize = 0;
let dPerk: usize = 0;
let mainSource: usize = 0;
let chanSource: usize = 0;
let events: usize = 0;
let eventCapacity: i32 = 0;

// a followed agent's events (runFollowed), as History.add takes them
let logging = false;
let logged: i32 = 0;

let overflow = false;

@inline function logEvent(t: i32, i: i32, type: f64, a: f64, b: f64, v: f64): void {
  if (!logging) return;
  if (logged >= eventCapacity) {
    overflow = true; // the host's bound on events per agent is wrong: it says so
    return;
  }
  const at = events + <usize>logged * 48;
  store<f64>(at, <f64>t);
  store<f64>(at + 8, <f64>i);
  store<f64>(at + 16, type);
  store<f64>(at + 24, a);
  store<f64>(at + 32, b);
  store<f64>(at + 40, v);
  logged++;
}

export function init(): void {
  days = slot(K.DAYS);
  G = slot(K.G);
  D = slot(K.D);
  B = slot(K.B);
  M = slot(K.M);
  L2 = slot(K.L2);
  T = slot(K.T);
  C = slot(K.C);
  seedA = <u32>slot(K.SEED_A);
  seedB = <u32>slot(K.SEED_B);
  hasFear = slot(K.HAS_FEAR) != 0;
  hasPresence = slot(K.HAS_PRESENCE) != 0;
  hasPerk = slot(K.HAS_PERK) != 0;
  hasCure = slot(K.HAS_CURE) != 0;
  cureReset = slot(K.CURE_RESET) != 0;
  hasBreach = slot(K.HAS_BREACH) != 0;
  breachDay = slot(K.BREACH_DAY);
  listDays = slot(K.LIST_DAYS);
  midDay = slot(K.MID_DAY);
  canCross = slot(K.CAN_CROSS) != 0;
  gapSize = slot(K.GAP_SIZE);
  decayLength = slot(K.DECAY_LENGTH);
  s0 = fslot(K.S0);
  sMin = fslot(K.S_MIN);
  sMax = fslot(K.S_MAX);
  rho = fslot(K.RHO);
  E = fslot(K.ENTER_BELOW);
  P = fslot(K.PERK_ABOVE);
  fearFloor = fslot(K.FEAR_FLOOR);
  fearDecayRate = fslot(K.FEAR_DECAY);
  fearSelf = fslot(K.FEAR_SELF);
  cureLogKeep = fslot(K.CURE_LOG_KEEP);
  breachShare = fslot(K.BREACH_SHARE);
  reviewCatch = fslot(K.REVIEW_CATCH);
  classGroup = ptr(K.CLASS_GROUP);
  exemptClass = ptr(K.EXEMPT_CLASS);
  classSegment = ptr(K.CLASS_SEGMENT);
  segmentPresent = ptr(K.SEGMENT_PRESENT);
  classStart = ptr(K.CLASS_START);
  classEnd = ptr(K.CLASS_END);
  groupStart = ptr(K.GROUP_START);
  domainOf = ptr(K.DOMAIN_OF);
  kind = ptr(K.KIND);
  penalising = ptr(K.PENALISING);
  direct = ptr(K.DIRECT);
  chanType = ptr(K.CHAN_TYPE);
  chanBehaviour = ptr(K.CHAN_BEHAVIOUR);
  blockOwn = ptr(K.BLOCK_OWN);
  gapStart = ptr(K.GAP_START);
  noEvent = ptr(K.NO_EVENT);
  chanSomeFrom = ptr(K.CHAN_SOME_FROM);
  chanP = ptr(K.CHAN_P);
  deter = ptr(K.DETER);
  pRaw = ptr(K.P_RAW);
  pMax = ptr(K.P_MAX);
  points = ptr(K.POINTS);
  detect = ptr(K.DETECT);
  misattribute = ptr(K.MISATTRIBUTE);
  review = ptr(K.REVIEW);
  tierMins = ptr(K.TIER_MINS);
  decay = ptr(K.DECAY);
  fearKeep = ptr(K.FEAR_KEEP);
  gapLast = ptr(K.GAP_LAST);
  gapLogs = ptr(K.GAP_LOGS);
  cAgents = ptr(K.AGENTS);
  cClassAgents = ptr(K.CLASS_AGENTS);
  cClassAgentDays = ptr(K.CLASS_AGENT_DAYS);
  cOccurrences = ptr(K.OCCURRENCES);
  cDenied = ptr(K.DENIED);
  cDeniedByBehaviour = ptr(K.DENIED_BY_BEHAVIOUR);
  cRecordsTrue = ptr(K.RECORDS_TRUE);
  cRecordsFalse = ptr(K.RECORDS_FALSE);
  cRecordsDiscarded = ptr(K.RECORDS_DISCARDED);
  cNewListings = ptr(K.NEW_LISTINGS);
  cEverListed = ptr(K.EVER_LISTED);
  cEverWrongful = ptr(K.EVER_WRONGFUL);
  cCured = ptr(K.CURED);
  cWithFalseRecord = ptr(K.WITH_FALSE_RECORD);
  cWrongfulSpells = ptr(K.WRONGFUL_SPELLS);
  cWrongfulSpellDays = ptr(K.WRONGFUL_SPELL_DAYS);
  cWrongfulSpellHistogram = ptr(K.WRONGFUL_SPELL_HISTOGRAM);
  cOpenWrongfulSpells = ptr(K.OPEN_WRONGFUL_SPELLS);
  cOpenWrongfulSpellDays = ptr(K.OPEN_WRONGFUL_SPELL_DAYS);
  cScoreHistogram = ptr(K.SCORE_HISTOGRAM);
  cShadowScoreHistogram = ptr(K.SHADOW_SCORE_HISTOGRAM);
  cTierCounts = ptr(K.TIER_COUNTS);
  cTierTransitions = ptr(K.TIER_TRANSITIONS);
  cTierFellBelow = ptr(K.TIER_FELL_BELOW);
  cExposedPeople = ptr(K.EXPOSED_PEOPLE);
  cExposedRecords = ptr(K.EXPOSED_RECORDS);
  cExposedFalseRecords = ptr(K.EXPOSED_FALSE_RECORDS);
  dListed = ptr(K.DELTA_LISTED);
  dWrong = ptr(K.DELTA_WRONG);
  dShadow = ptr(K.DELTA_SHADOW);
  dDomain = ptr(K.DELTA_DOMAIN);
  dPerk = ptr(K.DELTA_PERK);
  mainSource = ptr(K.MAIN_SOURCE);
  chanSource = ptr(K.CHAN_SOURCE);
  events = ptr(K.EVENTS);
  eventCapacity = slot(K.EVENT_CAPACITY);
}

// ---- random streams (src/engine/rng.ts)

@inline function mix32(x: u32): u32 {
  x ^= x >>> 16;
  x *= 0x85ebca6b;
  x ^= x >>> 13;
  x *= 0xc2b2ae35;
  x ^= x >>> 16;
  return x;
}
@inline function streamKey1(stream: u32, purpose: u32): u32 {
  return mix32(mix32(stream ^ seedA) ^ ((purpose + 1) * 0x27d4eb2f));
}
@inline function streamKey2(key1: u32): u32 {
  return mix32(key1 ^ seedB);
}
@inline function draw32(k1: u32, k2: u32, counter: u32): u32 {
  return mix32(mix32(counter * 0x9e3779b9 + k1) ^ k2);
}
@inline function uniform(k1: u32, k2: u32, counter: u32): f64 {
  return <f64>draw32(k1, k2, counter) / TWO_POW_32;
}
function geometricGap(u: f64, logOneMinusP: f64): i32 {
  if (logOneMinusP == 0) return NEVER;
  if (!isFinite(logOneMinusP)) return 0;
  const g = Math.floor(jsLog(u) / logOneMinusP);
  return g > <f64>NEVER ? NEVER : <i32>g;
}

// ---- candidate gaps by table (src/engine/gap-table.ts)

@inline function tableGap(r: i32, x: u32): i32 {
  const base = r * (gapSize + 1);
  let k = <i32>load<u16>(gapStart + ((<usize>(r << 10) + <usize>(x >>> BUCKET_SHIFT)) << 1));
  while (k < gapSize && <f64>x <= fat(gapLast, base + k + 1)) k++;
  return k < gapSize ? k : geometricGap((<f64>x + 1) / TWO_POW_32, fat(gapLogs, r));
}

// ---- the score (src/engine/day.ts), with no listed contacts

@inline function drift(s: f64, k: i32): f64 {
  if (k <= 0) return s;
  const kk = k < decayLength ? k : decayLength - 1;
  const v = s0 + fat(decay, kk) * (s - s0);
  return v < sMin ? sMin : v > sMax ? sMax : v;
}
@inline function scoreDay(s: f64, pts: f64): f64 {
  let v = s + pts;
  v = s0 + (1 - rho) * (v - s0);
  return v < sMin ? sMin : v > sMax ? sMax : v;
}
function crossing(s: f64, day: i32): i32 {
  if (drift(s, 1) < E) return day + 1;
  if (sMin >= E) return NEVER;
  let k: i32;
  if (rho > 0) {
    const target = s0;
    if (target >= E || s <= target) return NEVER;
    const x = Math.floor(jsLog((E - target) / (s - target)) / jsLog(1 - rho)) + 1;
    k = x >= 1 ? (x > <f64>NEVER ? NEVER : <i32>x) : 1;
  } else return NEVER;
  if (day + k >= days) k = days - day;
  while (k > 1 && drift(s, k - 1) < E) k--;
  while (drift(s, k) >= E) {
    k++;
    if (day + k >= days) return NEVER;
  }
  return day + k;
}
@inline function fearDecay(f: f64, k: i32): f64 {
  if (k <= 0) return f;
  const v = f * fat(fearKeep, k);
  return v < fearFloor ? fearFloor : v;
}
function firstDay(s: f64, day: i32, maxK: i32, threshold: f64, below: bool): i32 {
  if (maxK < 1) return NEVER;
  let v = drift(s, maxK);
  if (!(below ? v < threshold : v >= threshold)) return NEVER;
  let lo = 0;
  let hi = maxK;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    v = drift(s, mid);
    if (below ? v < threshold : v >= threshold) hi = mid;
    else lo = mid;
  }
  return day + hi;
}
function tierOf(s: f64): i32 {
  let tier = -1;
  for (let x = 0; x < T; x++) if (s >= fat(tierMins, x)) tier = x;
  return tier;
}
@inline function scoreBin(s: f64): i32 {
  const range = sMax - sMin;
  if (range <= 0) return 0;
  const b = Math.floor(((s - sMin) / range) * <f64>SCORE_BINS);
  return b < 0 ? 0 : b >= <f64>SCORE_BINS ? SCORE_BINS - 1 : <i32>b;
}
@inline function fround(x: f64): f64 {
  return <f64>(<f32>x);
}

// ---- one agent's day (sampleDay and keepRecord), outputs in these globals

let rReal: f64 = 0;
let rShadow: f64 = 0;
let rDirect: i32 = 0;
let rShadowDirect: i32 = 0;
let rWorst: i32 = -1;
let rPenal = false;
let rHasFalse = false;
let rKept: i32 = 0;
let rKeptFalse: i32 = 0;
let rN: u32 = 0;

@inline function keepRecord(i: i32, g: i32, t: i32, b: i32, isTrue: bool, exempt: bool, source: i32): void {
  rKept++;
  logEvent(t, i, EV_RECORD, <f64>b, <f64>source, isTrue ? 1 : 0);
  if (isTrue) add(cRecordsTrue, t * G + g, 1);
  else {
    add(cRecordsFalse, t * G + g, 1);
    rHasFalse = true;
    rKeptFalse++;
  }
  if (exempt) return;
  rReal += fat(points, b);
  const dir = iat(direct, b);
  if (dir > rDirect) rDirect = dir;
  if (iat(penalising, b) != 0) {
    rPenal = true;
    if (rWorst < 0 || fat(points, b) < fat(points, rWorst)) rWorst = b;
  }
}

function sampleDay(i: i32, cls: i32, listedState: i32, fearYesterday: f64, exempt: bool, ownBlockDomain: i32, t: i32, k1: u32, k2: u32, n0: u32): i32 {
  let n = n0;
  const cs = cls * L2 + listedState;
  const g = iat(classGroup, cls);
  const base = cs * M;
  let pos = 0;
  let u = uniform(k1, k2, n++) * (1 - fat(noEvent, cs));
  while (pos < M) {
    if (!(u < fat(chanSomeFrom, base + pos))) break;
    let run: f64 = 1;
    let fired = -1;
    for (let ch = pos; ch < M; ch++) {
      run *= 1 - fat(chanP, base + ch);
      if (u < 1 - run) {
        fired = ch;
        break;
      }
    }
    if (fired < 0) break;
    pos = fired + 1;
    const type = iat(chanType, fired);
    const b = iat(chanBehaviour, fired);
    if (type == CHANNEL_BEHAVIOUR) {
      const d = fat(deter, b);
      if (d > 0) {
        const p = min<f64>(1, fat(pRaw, cls * B + b) * (1 - d * fearYesterday));
        if (uniform(k1, k2, n++) * fat(pMax, cls * B + b) >= p) {
          if (pos < M) u = uniform(k1, k2, n++);
          continue;
        }
      }
      add(cOccurrences, (t * G + g) * B + b, 1);
      if (ownBlockDomain >= 0 && iat(blockOwn, ownBlockDomain * B + b) == 1) {
        add(cDenied, t * G + g, 1);
        add(cDeniedByBehaviour, (t * G + g) * B + b, 1);
        logEvent(t, i, EV_DENIED, <f64>b, 0, 0);
      } else {
        rShadow += fat(points, b);
        const dir = iat(direct, b);
        if (dir > rShadowDirect) rShadowDirect = dir;
        if (uniform(k1, k2, n++) < fat(detect, b * L2 + listedState)) {
          let own = true;
          const mis = fat(misattribute, b);
          if (mis > 0 && uniform(k1, k2, n++) < mis) {
            const gs = iat(groupStart, g);
            const size = iat(groupStart, g + 1) - gs;
            if (size > 1) {
              own = false;
              n++; // the other agent's draw: no sink in a separable run
              const rv = fat(review, b);
              if (rv > 0 && uniform(k1, k2, n++) < rv * reviewCatch) add(cRecordsDiscarded, t * G + g, 1);
            }
          }
          if (own) keepRecord(i, g, t, b, true, exempt, iat(mainSource, b));
        }
      }
    } else if (type == CHANNEL_FALSE_RECORD) {
      const rv = fat(review, b);
      if (rv > 0 && uniform(k1, k2, n++) < rv * reviewCatch) add(cRecordsDiscarded, t * G + g, 1);
      else keepRecord(i, g, t, b, false, exempt, iat(chanSource, fired));
    }
    if (pos < M) u = uniform(k1, k2, n++);
  }
  rN = n + 1;
  return t + 1 + tableGap(cs, draw32(k1, k2, n));
}

// ---- the per-agent engine (runAgents in src/engine/separable.ts)

@inline function addStatus(at: i32, dom: i32, listed: bool, shadowListed: bool, sign: f64): void {
  if (listed) {
    add(dListed, at, sign);
    add(dDomain, at * D + dom, sign);
    if (!shadowListed) add(dWrong, at, sign);
  }
  if (shadowListed) add(dShadow, at, sign);
}

function endWrongfulSpell(g: i32, duration: i32): void {
  add(cWrongfulSpells, g, 1);
  add(cWrongfulSpellDays, g, <f64>duration);
  add(cWrongfulSpellHistogram, duration < days ? duration : days, 1);
}

function perkAlong(g: i32, before: f64, from: i32, k: i32, holds: bool): bool {
  const x = firstDay(before, from, k, P, holds);
  if (x == NEVER) return holds;
  add(dPerk, x * G + g, holds ? -1 : 1);
  return !holds;
}

@inline function perkAt(g: i32, t: i32, score: f64, holds: bool): bool {
  const now = score >= P;
  if (now != holds) add(dPerk, t * G + g, now ? 1 : -1);
  return now;
}

function presentDays(cls: i32): i32 {
  const stay = iat(segmentPresent, iat(classSegment, cls));
  return stay == 0 ? days : stay;
}

function arrivalDay(i: i32, cls: i32): i32 {
  const stay = iat(segmentPresent, iat(classSegment, cls));
  if (stay == 0) return 0;
  const k1 = streamKey1(<u32>i, PURPOSE_POPULATION);
  return <i32>Math.floor(uniform(k1, streamKey2(k1), 0) * <f64>(days - stay + 1));
}

let classCursor: i32 = 0;

/** The class of agent i: classes are ranges of consecutive ids (population.ts). */
function classOf(i: i32): i32 {
  if (i >= iat(classStart, classCursor) && i < iat(classEnd, classCursor)) return classCursor;
  for (let c = 0; c < C; c++)
    if (i >= iat(classStart, c) && i < iat(classEnd, c)) {
      classCursor = c;
      return c;
    }
  unreachable();
  return 0;
}

/** Runs agents from, from + step, … below `to`. */
export function run(from: i32, to: i32, step: i32): void {
  for (let i = from; i < to; i += step) runAgent(i);
}

/**
 * Runs agent i alone and logs its events; returns how many, or −1 if they did
 * not fit (the host sizes the buffer for the most an agent can have).
 */
export function runFollowed(i: i32): i32 {
  logging = true;
  logged = 0;
  overflow = false;
  runAgent(i);
  logging = false;
  return overflow ? -1 : logged;
}

function runAgent(i: i32): void {
  const cls = classOf(i);
  const g = iat(classGroup, cls);
  const exempt = iat(exemptClass, cls) == 1;
  add(cAgents, g, 1);
  add(cClassAgents, cls, 1);
  add(cClassAgentDays, cls, <f64>presentDays(cls));
  const k1 = streamKey1(<u32>i, 0);
  const k2 = streamKey2(k1);
  let n: u32 = 1;
  let nextCand = tableGap(cls * L2, draw32(k1, k2, 0));
  let clockListed = false;
  let score = s0;
  let shadow = s0;
  let sDay = -1;
  let until = -1;
  let shadowUntil = -1;
  let since = 0;
  let dom = 0;
  let listed = false;
  let shadowListed = false;
  let wrongStart = false;
  let everListed = false;
  let everWrongful = false;
  let hasFalse = false;
  let fear = hasFear ? fearFloor : 0;
  let fearDay = -1;
  let cureDay = NEVER;
  let cureArmed = false;
  let perk = hasPerk && s0 >= P;
  if (perk) add(dPerk, g, 1);
  let kept: i32 = 0;
  let keptFalse: i32 = 0;
  let midTier = -1;
  let midDone = T == 0;
  const arrive = hasPresence ? arrivalDay(i, cls) : 0;
  const stay = presentDays(cls);

  let t = canCross ? min<i32>(nextCand, crossing(s0, -1)) : nextCand;
  while (t < days) {
    if (!midDone && t > midDay) {
      midTier = tierOf(exempt ? score : fround(drift(score, midDay - sDay)));
      midDone = true;
    }
    // 1. expiry
    const expired = until == t;
    if (expired) {
      addStatus(t * G + g, dom, listed, shadowListed, -1);
      listed = false;
      addStatus(t * G + g, dom, listed, shadowListed, 1);
    }
    if (shadowUntil == t) {
      addStatus(t * G + g, dom, listed, shadowListed, -1);
      shadowListed = false;
      addStatus(t * G + g, dom, listed, shadowListed, 1);
    }

    // 2–6
    rReal = 0;
    rShadow = 0;
    rDirect = 0;
    rShadowDirect = 0;
    rWorst = -1;
    rPenal = false;
    rHasFalse = false;
    rKept = 0;
    rKeptFalse = 0;
    const listedNow = until > t;
    if (L2 == 2 && listedNow != clockListed) {
      nextCand = t + tableGap(cls * 2 + (listedNow ? 1 : 0), draw32(k1, k2, n++));
      clockListed = listedNow;
    }
    if (nextCand == t) {
      const state = L2 == 2 && listedNow ? 1 : 0;
      if (hasPresence && t < arrive) nextCand = arrive + tableGap(cls * L2 + state, draw32(k1, k2, n++));
      else if (hasPresence && t >= arrive + stay) nextCand = NEVER;
      else {
        const fearYesterday = hasFear ? fearDecay(fear, t - 1 - fearDay) : 0;
        nextCand = sampleDay(i, cls, state, fearYesterday, exempt, listedNow ? dom : -1, t, k1, k2, n);
        n = rN;
        if (rHasFalse) hasFalse = true;
        if (hasBreach && t < breachDay) {
          kept += rKept;
          keptFalse += rKeptFalse;
        }
      }
    }

    // 7. score
    const k = t - 1 - sDay;
    if (k > 0) {
      if (!exempt) {
        const before = score;
        score = fround(drift(score, k));
        if (hasPerk) perk = perkAlong(g, before, sDay, k, perk);
      }
      shadow = fround(drift(shadow, k));
    }
    if (!exempt) {
      score = fround(scoreDay(score, rReal));
      if (hasPerk) perk = perkAt(g, t, score, perk);
    }
    shadow = fround(scoreDay(shadow, rShadow));
    sDay = t;

    // 8. listing, shadow first
    if (!(shadowUntil > t)) {
      let u = -1;
      if (shadow < E) u = t + listDays;
      if (rShadowDirect > 0) u = max<i32>(u, t + rShadowDirect);
      if (u > t) shadowUntil = u;
    } else if (rShadowDirect > 0) shadowUntil = max<i32>(shadowUntil, t + rShadowDirect);
    if (!exempt) {
      if (!(until > t)) {
        let u = -1;
        if (score < E) u = t + listDays;
        if (rDirect > 0) u = max<i32>(u, t + rDirect);
        if (u > t && expired) until = u;
        else if (u > t) {
          until = u;
          since = t;
          dom = rWorst >= 0 ? iat(domainOf, rWorst) : 0;
          add(cNewListings, t * G + g, 1);
          logEvent(t, i, EV_LISTED, shadowUntil > t ? 0 : 1, <f64>dom, <f64>u);
          if (!everListed) {
            add(cEverListed, g, 1);
            everListed = true;
          }
          wrongStart = !(shadowUntil > t);
          if (wrongStart && !everWrongful) {
            add(cEverWrongful, g, 1);
            everWrongful = true;
          }
        }
      } else if (t + rDirect > until) {
        until = t + rDirect;
        logEvent(t, i, EV_EXTENDED, 1, 0, <f64>until);
      }
    }
    if (expired && until > t) logEvent(t, i, EV_EXTENDED, score < E ? 0 : 2, 0, <f64>until);
    else if (expired) {
      logEvent(t, i, EV_UNLISTED, 0, 0, 0);
      if (wrongStart) endWrongfulSpell(g, t - since);
      wrongStart = false;
    }
    if (listed != until > t || shadowListed != shadowUntil > t) {
      addStatus(t * G + g, dom, listed, shadowListed, -1);
      listed = until > t;
      shadowListed = shadowUntil > t;
      addStatus(t * G + g, dom, listed, shadowListed, 1);
    }
    if (hasCure) {
      const any = until > t || shadowUntil > t;
      if (any && !cureArmed) {
        cureDay = t + geometricGap((<f64>draw32(k1, k2, n++) + 1) / TWO_POW_32, cureLogKeep);
        cureArmed = true;
      } else if (!any && cureArmed) cureArmed = false;
    }

    // 10. fear; cure
    if (hasFear && rPenal) {
      const f = (1 - fearDecayRate) * fearDecay(fear, t - 1 - fearDay) + fearSelf;
      fear = f > 1 ? 1 : f < fearFloor ? fearFloor : f;
      fearDay = t;
    }
    if (hasCure && cureArmed && cureDay == t && (listed || shadowListed)) {
      addStatus(t * G + g, dom, listed, shadowListed, -1);
      if (listed) {
        add(cCured, t * G + g, 1);
        logEvent(t, i, EV_CURED, 0, 0, 0);
        logEvent(t, i, EV_UNLISTED, 2, 0, 0);
        if (wrongStart) endWrongfulSpell(g, t - since);
        wrongStart = false;
        until = t;
      }
      if (shadowListed) shadowUntil = t;
      listed = false;
      shadowListed = false;
      addStatus(t * G + g, dom, listed, shadowListed, 1);
      if (cureReset) {
        if (!exempt) {
          score = s0;
          if (hasPerk) perk = perkAt(g, t, score, perk);
        }
        shadow = s0;
      }
      cureArmed = false;
    }
    if (cureArmed && !(until > t) && !(shadowUntil > t)) cureArmed = false;
    logEvent(t, i, EV_SCORE, 0, 0, score);

    // next wake
    const listedAfter = until > t;
    if (L2 == 2 && listedAfter != clockListed) {
      nextCand = t + 1 + tableGap(cls * 2 + (listedAfter ? 1 : 0), draw32(k1, k2, n++));
      clockListed = listedAfter;
    }
    let w = nextCand;
    if (listedAfter) {
      if (until < w) w = until;
    } else if (!exempt && canCross) {
      const x = crossing(score, sDay);
      if (x < w) w = x;
    }
    if (shadowUntil > t) {
      if (shadowUntil < w) w = shadowUntil;
    } else if (canCross) {
      const x = crossing(shadow, sDay);
      if (x < w) w = x;
    }
    if (cureArmed && cureDay > t && cureDay < w) w = cureDay;
    if (w <= t) w = t + 1;
    t = w >= NEVER ? days : w;
  }

  // end of run
  const last = days - 1;
  if (!midDone) midTier = tierOf(exempt ? score : fround(drift(score, midDay - sDay)));
  if (last - sDay > 0) {
    if (!exempt) {
      const before = score;
      score = fround(drift(score, last - sDay));
      if (hasPerk) perk = perkAlong(g, before, sDay, last - sDay, perk);
    }
    shadow = fround(drift(shadow, last - sDay));
  }
  if (hasFalse) add(cWithFalseRecord, g, 1);
  if (listed && wrongStart) {
    add(cOpenWrongfulSpells, g, 1);
    add(cOpenWrongfulSpellDays, g, <f64>(days - since));
  }
  add(cScoreHistogram, g * SCORE_BINS + scoreBin(score), 1);
  add(cShadowScoreHistogram, g * SCORE_BINS + scoreBin(shadow), 1);
  if (T > 0) {
    const tier = tierOf(score);
    if (tier >= 0) add(cTierCounts, g * T + tier, 1);
    if (tier >= 0 && midTier >= 0) add(cTierTransitions, (g * T + midTier) * T + tier, 1);
    else if (midTier >= 0) add(cTierFellBelow, g * T + midTier, 1);
  }
  if (hasBreach) {
    const b1 = streamKey1(<u32>i, PURPOSE_BREACH);
    if (uniform(b1, streamKey2(b1), 0) < breachShare) {
      add(cExposedPeople, g, 1);
      add(cExposedRecords, g, <f64>min<i32>(65535, kept));
      add(cExposedFalseRecords, g, <f64>min<i32>(65535, keptFalse));
    }
  }
}
