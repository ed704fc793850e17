import { keepRead } from "./keep-read.js";
import type { Model } from "./model.js";
import type { Population } from "./population.js";
import { Purpose, streamKey1, streamKey2, uniform } from "./rng.js";

/** Tie ends (agents × degree) a network can hold: its lists are indexed by 32-bit offsets. */
export const MAX_TIE_ENDS = 2 ** 31 - 1;

/**
 * Undirected contact network in CSR form: the contacts of agent i are
 * adj[start[i] .. start[i+1]). A cut tie is stored as ~j (negative), so cutting
 * needs no extra memory and the structure never moves.
 */
export interface Network {
  start: Int32Array;
  adj: Int32Array;
}

function shuffleRange(perm: Int32Array, from: number, to: number, k1: number, k2: number, counter: { n: number }) {
  for (let i = to - 1; i > from; i--) {
    const j = from + Math.floor(uniform(k1, k2, counter.n++) * (i - from + 1));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
}

/**
 * A second thread for parts of the build (network-thread.node.ts, Node only):
 * buildNetwork gives it half of each stage that splits (where persons sit on the
 * ring, drawing the ties, sorting within blocks, merging the lists) and does the
 * other half itself. Each half writes only its own part of the shared arrays, and
 * every draw comes from its person's own stream, so the network is the same with
 * or without it.
 */
export interface NetworkHelper {
  /** A zeroed Int32Array in memory both threads see. */
  shared(length: number): Int32Array;
  /** Starts `task` (runNetworkTask) on the other thread and returns at once. */
  start(task: NetworkTask): void;
  /** Waits until the started task is done; returns its result. */
  finish(): number;
  /**
   * Stops the helper once the build is over, so that its heap, where nothing
   * collects garbage while it idles, no longer holds the build's arrays.
   */
  end(): void;
}

export interface NetworkOptions {
  /** "scatter": the lists as built before decision 12 (bench:decisions no. 8). */
  listsBy?: "sort" | "scatter";
  /** log2 of the sort's block of agents (default blockShift(N)). */
  blockShift?: number;
  /** A second thread (network-thread.node.ts); the network is the same without it. */
  helper?: NetworkHelper | null;
  /** Called as each stage of the build ends, with its name and milliseconds (bench/phases.mjs). */
  onStage?: (stage: NetworkStage, ms: number) => void;
  /**
   * Fresh (zeroed) memory the build may use for its temporaries, which are dead
   * when it returns: the caller's agent records, not yet written (simulate.ts).
   * So the build's temporaries and the records never hold memory at the same
   * time, whenever the garbage collector runs. Shared when there is a helper.
   */
  scratch?: ArrayBuffer | SharedArrayBuffer;
  /** The lists in shared memory even without a helper: a second thread runs half of the days (simulate.ts, decision 23). */
  shared?: boolean;
}

export type NetworkStage = "ring" | "ties" | "sort" | "lists";

/** What a person's ties are drawn from: plain numbers and arrays, so that a task can be posted to another thread. */
export interface TieSpec {
  seed: number;
  half: number;
  homophily: number | null;
  rewire: number;
  groupStart: Int32Array;
  personEnd: Int32Array;
  pStart: Int32Array;
}

/** Half of a stage, for runNetworkTask; the arrays live in shared memory. */
export type NetworkTask =
  | { stage: "touch"; arrays: Int32Array[] }
  | { stage: "flag"; pairs: Int32Array; offset: number; blockStart: Int32Array; shift: number; from: number; to: number }
  | { stage: "positions"; perm: Int32Array; pos: Int32Array; from: number; to: number }
  | {
      stage: "ties";
      spec: TieSpec;
      perm: Int32Array;
      pos: Int32Array;
      pairs: Int32Array;
      E: number;
      outDegree: Int32Array;
      from: number;
      to: number;
      at: number;
    }
  | { stage: "blocks"; pairs: Int32Array; offset: number; blockStart: Int32Array; keyStart: Int32Array; N: number; shift: number; from: number; to: number }
  | {
      stage: "lists";
      outStart: Int32Array;
      forward: Int32Array;
      inStart: Int32Array;
      pairs: Int32Array;
      E: number;
      from: number;
      to: number;
      out: Int32Array;
      start: Int32Array;
    };

/** Runs a task on this thread; returns the ties drawn (ties) or the length written (lists), else 0. */
export function runNetworkTask(task: NetworkTask): number {
  switch (task.stage) {
    case "touch":
      for (const array of task.arrays) touchPages(array);
      return 0;
    case "flag":
      sortByBlocks(task.pairs, task.offset, task.blockStart, task.shift, task.from, task.to);
      return 0;
    case "positions":
      placePersons(task.perm, task.pos, task.from, task.to);
      return 0;
    case "ties":
      return drawTiesRange(task.spec, task.perm, task.pos, task.pairs, task.E, task.outDegree, task.from, task.to, task.at);
    case "blocks":
      sortBlocks(task.pairs, task.offset, task.blockStart, task.keyStart, task.N, task.shift, task.from, task.to);
      return 0;
    case "lists":
      return mergeRange(task.outStart, task.forward, task.inStart, task.pairs, task.E, task.from, task.to, task.out, task.start);
    default:
      throw new Error(`unknown network task ${(task as { stage?: unknown }).stage}`);
  }
}

/** Runs `mine` here and `theirs` on the helper (if any) at the same time; returns both results. */
function split(helper: NetworkHelper | null, mine: NetworkTask, theirs: NetworkTask): [number, number] {
  if (!helper) return [runNetworkTask(mine), runNetworkTask(theirs)];
  helper.start(theirs);
  let a: number;
  try {
    a = runNetworkTask(mine);
  } catch (error) {
    // the other thread must not go on writing into arrays given up on; this error is the one to report
    try {
      helper.finish();
    } catch {}
    throw error;
  }
  return [a, helper.finish()];
}

/** Allocates an Int32Array: in plain memory, or in memory a helper thread sees. */
type Ints = (length: number) => Int32Array;
const newInts: Ints = (length) => new Int32Array(length);
const sharedInts: Ints = (length) => new Int32Array(new SharedArrayBuffer(length * 4));

/**
 * Int32Arrays carved one after another from `scratch` while it has room, then
 * from `fallback`. Each piece is handed out once, so it is still zeroed.
 */
function lender(scratch: ArrayBuffer | SharedArrayBuffer, fallback: Ints): Ints {
  let used = 0;
  return (length) => {
    if (used + length * 4 > scratch.byteLength) return fallback(length);
    const piece = new Int32Array(scratch, used, length);
    used += length * 4;
    return piece;
  };
}

/**
 * Bytes per agent of the build's temporaries (the ties drawn, copied for the
 * lists; on two threads, the lists' second half written aside; the ring, where
 * each person sits, degrees, and where each agent's ties start in each half),
 * for the memory estimate: all Int32, allocated by `temp` in build().
 */
export function networkTemporaryBytes(degree: number, twoThreads: boolean): number {
  return 4 * (degree / 2) * (twoThreads ? 2 : 1) + 4 * 5;
}

/** Populations below this build their network on one thread: starting a helper would cost more than it saves. */
export const HELPER_FROM_AGENTS = 1 << 19;

/**
 * Small world (Watts–Strogatz) over a random ring of the persons (firms have no
 * contacts): each person ties to the next degree/2 persons on the ring, each tie
 * rewired with probability β to a uniform person. With homophily h, each tie is an
 * in-group tie with probability h (ring and rewiring inside the group) and
 * otherwise goes to a uniform person of another group. Duplicate ties and
 * self-ties are dropped, so the mean degree is slightly below `degree` (by about
 * degree²/N).
 */
export function buildNetwork(model: Model, pop: Population, options: NetworkOptions = {}): Network {
  try {
    return build(model, pop, options);
  } finally {
    options.helper?.end();
  }
}

function build(model: Model, pop: Population, options: NetworkOptions): Network {
  const net = model.network;
  if (!net) throw new Error("buildNetwork called without a network");
  const N = model.agents;
  const G = model.G;
  const half = net.degree / 2;
  const shift = options.blockShift ?? blockShift(N);
  if (!Number.isInteger(shift) || shift < 1 || shift > 30) throw new Error(`blockShift: expected a whole number from 1 to 30, got ${shift}`);
  const helper = options.helper ?? null;
  const ints: Ints = helper ? (length) => helper.shared(length) : options.shared ? sharedInts : newInts;
  if (helper && options.scratch && !(options.scratch instanceof SharedArrayBuffer))
    throw new Error("buildNetwork: with a helper thread, the scratch memory must be a SharedArrayBuffer");
  // the build's temporaries (not the lists it returns: pairs and start)
  const temp: Ints = options.scratch ? lender(options.scratch, ints) : ints;
  const onStage = options.onStage;
  let stageStart = onStage ? performance.now() : 0;
  const lap = (stage: NetworkStage) => {
    if (!onStage) return;
    const now = performance.now();
    onStage(stage, now - stageStart);
    stageStart = now;
  };
  const k1 = streamKey1(model.seed, 0, Purpose.network);
  const k2 = streamKey2(k1, model.seed);

  let P = 0;
  for (let g = 0; g < G; g++) P += pop.personEnd[g] - pop.groupStart[g];
  // Ties as pairs: the other end at pairs[x], this end at pairs[E + x]. Agents are
  // visited in id order, so the first half lists each agent's own ties together.
  const E = P * half;
  if (2 * E > MAX_TIE_ENDS)
    throw new Error(`a network of ${P} persons with degree ${net.degree} has more tie ends than 32-bit offsets reach (${MAX_TIE_ENDS})`);
  // A copy of the drawn ties (forward, for the lists) and, on two threads, where
  // the second half of the lists goes while the first is written (aside). Memory
  // is slow to touch for the first time on this host (0.4 s for 200 MB), so the
  // helper touches both while this thread shuffles the ring.
  const scatter = options.listsBy === "scatter"; // bench:decisions no. 8 only
  const forward = temp(scatter ? 0 : E);
  const aside = helper && !scatter ? temp(E) : null;
  if (helper && aside) helper.start({ stage: "touch", arrays: [forward, aside] });
  const { perm, pStart } = ringOrder(model, pop, k1, k2, { n: 0 }, temp);
  if (helper && aside) helper.finish();
  lap("ring");
  const pairs = ints(2 * E);
  const outDegree = temp(N);
  const pos = temp(N).fill(-1);
  const middle = P >>> 1;
  split(helper, { stage: "positions", perm, pos, from: 0, to: middle }, { stage: "positions", perm, pos, from: middle, to: P });
  const spec = tieSpec(model, pop, pStart);
  // the second half is written from where it would start if no tie of the first were dropped, then moved down
  const gap = middle * half;
  const [e0, e1] = split(
    helper,
    { stage: "ties", spec, perm, pos, pairs, E, outDegree, from: 0, to: middle, at: 0 },
    { stage: "ties", spec, perm, pos, pairs, E, outDegree, from: middle, to: P, at: gap },
  );
  if (e0 < gap) {
    pairs.copyWithin(e0, gap, e1);
    pairs.copyWithin(E + e0, E + gap, E + e1);
  }
  const e = e0 + (e1 - gap);
  lap("ties");
  if (scatter) return scatterLists(N, pairs, E, e, outDegree);
  const outStart = prefixSums(outDegree, temp);
  forward.set(pairs.subarray(0, e)); // agent i's own ties at [outStart[i], outStart[i + 1])
  // Each tie also goes on its other end's list. Sorting the pairs by other end,
  // first by blocks of agents, then within each block, lists those ties too,
  // without a write to a random agent per tie (a cache miss each).
  const inStart = sortPairsByKey(pairs, E, e, N, shift, helper, temp); // agent j's ties from others at pairs[E + inStart[j] …]
  lap("sort");
  const start = ints(N + 1);
  let length: number;
  if (helper && aside) {
    // the agent behind which half of the tie ends are (to the nearest 4,096)
    let cut = 0;
    while (cut < N && outStart[cut] + inStart[cut] < e) cut += 1 << 12;
    cut = Math.min(cut, N);
    // The second half writes aside (the first is still reading where it would go),
    // then is copied in: at most 2e − (outStart[cut] + inStart[cut]) ≤ e ≤ E ends.
    const [w0, w1] = split(
      helper,
      { stage: "lists", outStart, forward, inStart, pairs, E, from: 0, to: cut, out: pairs, start },
      { stage: "lists", outStart, forward, inStart, pairs, E, from: cut, to: N, out: aside, start },
    );
    pairs.set(aside.subarray(0, w1), w0);
    for (let i = cut; i < N; i++) start[i] += w0;
    length = w0 + w1;
  } else {
    length = mergeRange(outStart, forward, inStart, pairs, E, 0, N, pairs, start);
  }
  start[N] = length;
  lap("lists");
  return { start, adj: pairs.subarray(0, length) };
}

function tieSpec(model: Model, pop: Population, pStart: Int32Array): TieSpec {
  const net = model.network;
  if (!net) throw new Error("tieSpec called without a network");
  return {
    seed: model.seed,
    half: net.degree / 2,
    homophily: net.homophily,
    rewire: net.rewire,
    groupStart: pop.groupStart,
    personEnd: pop.personEnd,
    pStart,
  };
}

/** Writes to each 4 KiB page of `array`, which holds nothing yet, so that the system backs it with memory now. */
function touchPages(array: Int32Array): void {
  for (let x = 0; x < array.length; x += 1024) array[x] = 0;
}

/** Where each person of perm[from, to) sits on the ring. */
function placePersons(perm: Int32Array, pos: Int32Array, from: number, to: number): void {
  for (let p = from; p < to; p++) pos[perm[p]] = p;
}

// persons whose places on the ring warmRing reads ahead at a time
const WARM_BATCH = 32;

/**
 * Reads the ring around persons [from, to) (where their next persons are) in a
 * loop that does nothing else, so that those cache misses overlap, and returns
 * `to` (decision 17 in docs/performance.md, applied to the build).
 */
function warmRing(perm: Int32Array, pos: Int32Array, from: number, to: number, half: number): number {
  let x = 0;
  for (let i = from; i < to; i++) {
    const at = pos[i];
    x |= perm[at + 1 < perm.length ? at + 1 : 0] | perm[at + half < perm.length ? at + half : 0];
  }
  keepRead(x);
  return to;
}

/** Each person's degree/2 ties to later persons on the ring, some rewired (see buildNetwork); returns how many. */
export function drawTies(model: Model, pop: Population, perm: Int32Array, pStart: Int32Array, pairs: Int32Array, E: number, outDegree: Int32Array): number {
  if (!model.network) return 0;
  const P = pStart[model.G];
  const pos = new Int32Array(model.agents).fill(-1);
  placePersons(perm, pos, 0, P);
  return drawTiesRange(tieSpec(model, pop, pStart), perm, pos, pairs, E, outDegree, 0, P, 0);
}

/**
 * The ties of persons [from, to) in group order (the k-th person of all groups'
 * persons), written from pairs[at] on (and pairs[E + at]); returns where they end.
 */
function drawTiesRange(
  spec: TieSpec,
  perm: Int32Array,
  pos: Int32Array,
  pairs: Int32Array,
  E: number,
  outDegree: Int32Array,
  from: number,
  to: number,
  at0: number,
): number {
  const { seed, half, homophily, rewire, groupStart, personEnd, pStart } = spec;
  const G = pStart.length - 1;
  const P = pStart[G];
  /** The k-th person (k in [0, P)) in group order, for uniform draws. */
  const personAt = (k: number) => {
    let g = 0;
    while (k >= pStart[g + 1]) g++;
    return groupStart[g] + (k - pStart[g]);
  };
  let e = at0;
  for (let g = 0; g < G; g++) {
    const gs = pStart[g];
    const gn = pStart[g + 1] - gs;
    // this range's persons of group g
    const first = groupStart[g] + Math.max(0, from - gs);
    const end = Math.min(personEnd[g], groupStart[g] + Math.max(0, to - gs));
    for (let i = first, warmTo = i; i < end; i++) {
      if (i >= warmTo) warmTo = warmRing(perm, pos, i, Math.min(end, i + WARM_BATCH), half);
      const a1 = streamKey1(seed, i, Purpose.network);
      const a2 = streamKey2(a1, seed);
      const at = pos[i];
      let n = 0;
      for (let m = 1; m <= half; m++) {
        let j: number;
        if (homophily === null) {
          j = perm[(at + m) % P];
          if (uniform(a1, a2, n++) < rewire) j = personAt(Math.floor(uniform(a1, a2, n++) * P));
        } else if (uniform(a1, a2, n++) < homophily || gn === P) {
          j = perm[gs + ((at - gs + m) % gn)];
          if (uniform(a1, a2, n++) < rewire) j = perm[gs + Math.floor(uniform(a1, a2, n++) * gn)];
        } else {
          // uniform over persons outside the group
          let r = Math.floor(uniform(a1, a2, n++) * (P - gn));
          if (r >= gs) r += gn;
          j = personAt(r);
        }
        if (j === i) continue;
        pairs[e] = j;
        pairs[E + e] = i;
        outDegree[i]++;
        e++;
      }
    }
  }
  return e;
}

/**
 * The lists of agents [from, to): each agent's own ties and the ties from others,
 * sorted, duplicates dropped, written to out from 0 on; start[i] is where list i
 * begins in `out`. Returns where the last ends. With out = pairs, the lists are
 * written over the pairs from the front: list i ends by outStart[i + 1] +
 * inStart[i + 1], before the ties from others of the agents after i, which start
 * at E + inStart[i + 1].
 */
function mergeRange(
  outStart: Int32Array,
  forward: Int32Array,
  inStart: Int32Array,
  pairs: Int32Array,
  E: number,
  from: number,
  to: number,
  out: Int32Array,
  start: Int32Array,
): number {
  let maxDegree = 0;
  for (let i = from; i < to; i++) maxDegree = Math.max(maxDegree, outStart[i + 1] - outStart[i] + inStart[i + 1] - inStart[i]);
  const list = new Int32Array(maxDegree);
  let w = 0;
  for (let i = from; i < to; i++) {
    let k = 0;
    for (let x = outStart[i]; x < outStart[i + 1]; x++) list[k++] = forward[x];
    for (let x = E + inStart[i]; x < E + inStart[i + 1]; x++) list[k++] = pairs[x];
    sortSmall(list, k);
    start[i] = w;
    let last = -1;
    for (let r = 0; r < k; r++) {
      const j = list[r];
      if (j !== last) out[w++] = j;
      last = j;
    }
  }
  return w;
}

/**
 * The lists built as before decision 12 (docs/performance.md): each tie written to
 * both of its ends directly, a random agent per tie, then each list sorted. Kept
 * for `npm run bench:decisions` no. 8; gives the same network.
 */
function scatterLists(N: number, pairs: Int32Array, E: number, e: number, degree: Int32Array): Network {
  for (let x = 0; x < e; x++) degree[pairs[x]]++;
  const start = prefixSums(degree);
  const fill = start.slice(0, N);
  const adj = new Int32Array(start[N]);
  for (let x = 0; x < e; x++) adj[fill[pairs[E + x]]++] = pairs[x];
  for (let x = 0; x < e; x++) adj[fill[pairs[x]]++] = pairs[E + x];
  let w = 0;
  let readStart = 0;
  for (let i = 0; i < N; i++) {
    const readEnd = start[i + 1];
    const list = adj.subarray(readStart, readEnd);
    list.sort();
    start[i] = w;
    let last = -1;
    for (let r = 0; r < list.length; r++) {
      if (list[r] !== last) adj[w++] = list[r];
      last = list[r];
    }
    readStart = readEnd;
  }
  start[N] = w;
  return { start, adj: adj.slice(0, w) };
}

function prefixSums(counts: Int32Array, ints: Ints = newInts): Int32Array {
  const out = ints(counts.length + 1);
  for (let i = 0; i < counts.length; i++) out[i + 1] = out[i] + counts[i];
  return out;
}

/**
 * The first pass of sortPairsByKey moves each pair through a write cursor per
 * block of keys. At most 2^10 blocks keep those cursors (two cache lines each)
 * in the second-level cache: with 6,104 blocks at 10^8 agents they were not,
 * and the sort took 53 times as long as at 10^7 (decision 19). Blocks of 2^14
 * keys keep a block's counts and lists in cache in the second pass; beyond 2^24
 * agents the blocks grow and the second pass's counts leave the first-level
 * cache (2^17 keys, 512 KiB at 10^8), which costs less than the cursors did.
 */
export function blockShift(N: number): number {
  return Math.max(14, Math.ceil(Math.log2(Math.max(N, 2))) - 10);
}

/**
 * Sorts the pairs (key pairs[x], value pairs[offset + x]), x < count, by key in [0, N):
 * first in place by blocks of keys (an American flag sort: each pair moves
 * once, through one cursor per block), then within each block through a small
 * buffer (half of the blocks on the helper, if any). Returns where each key's
 * pairs start.
 */
function sortPairsByKey(
  pairs: Int32Array,
  offset: number,
  count: number,
  N: number,
  shift: number,
  helper: NetworkHelper | null = null,
  ints: Ints = newInts,
): Int32Array {
  const blocks = ((N - 1) >>> shift) + 1;
  const blockStart = ints(blocks + 1);
  for (let x = 0; x < count; x++) blockStart[(pairs[x] >>> shift) + 1]++;
  for (let b = 0; b < blocks; b++) blockStart[b + 1] += blockStart[b];
  // the block behind which half of the pairs are
  let middle = 0;
  while (middle < blocks && blockStart[middle] < count / 2) middle++;
  if (helper) {
    // each thread sorts the pairs of half the blocks, once they are on its side
    partition(pairs, offset, count, shift, middle);
    split(
      helper,
      { stage: "flag", pairs, offset, blockStart, shift, from: 0, to: middle },
      { stage: "flag", pairs, offset, blockStart, shift, from: middle, to: blocks },
    );
  } else {
    sortByBlocks(pairs, offset, blockStart, shift, 0, blocks);
  }
  const keyStart = ints(N + 1);
  split(
    helper,
    { stage: "blocks", pairs, offset, blockStart, keyStart, N, shift, from: 0, to: middle },
    { stage: "blocks", pairs, offset, blockStart, keyStart, N, shift, from: middle, to: blocks },
  );
  keyStart[N] = count;
  return keyStart;
}

/**
 * The first pass of sortPairsByKey over blocks [from, to), whose pairs are at
 * [blockStart[from], blockStart[to]): an American flag sort, in place, each
 * pair moved once through its block's cursor. The order within a block depends
 * on the order of the moves; the lists are sorted in the end.
 */
function sortByBlocks(pairs: Int32Array, offset: number, blockStart: Int32Array, shift: number, from: number, to: number): void {
  const head = blockStart.slice(from, to + 1);
  for (let b = from; b < to; b++) {
    const end = blockStart[b + 1];
    while (head[b - from] < end) {
      let key = pairs[head[b - from]];
      let value = pairs[offset + head[b - from]];
      let d = key >>> shift;
      while (d !== b) {
        const at = head[d - from]++;
        const k = pairs[at];
        const v = pairs[offset + at];
        pairs[at] = key;
        pairs[offset + at] = value;
        key = k;
        value = v;
        d = key >>> shift;
      }
      pairs[head[b - from]] = key;
      pairs[offset + head[b - from]] = value;
      head[b - from]++;
    }
  }
}

/** Moves the pairs with keys in blocks below `middle` before the others, in place (a two-ended swap). */
function partition(pairs: Int32Array, offset: number, count: number, shift: number, middle: number): void {
  let lo = 0;
  let hi = count - 1;
  for (;;) {
    while (lo <= hi && pairs[lo] >>> shift < middle) lo++;
    while (lo <= hi && pairs[hi] >>> shift >= middle) hi--;
    if (lo >= hi) return;
    const k = pairs[lo];
    const v = pairs[offset + lo];
    pairs[lo] = pairs[hi];
    pairs[offset + lo] = pairs[offset + hi];
    pairs[hi] = k;
    pairs[offset + hi] = v;
    lo++;
    hi--;
  }
}

/**
 * Blocks [from, to) of sortPairsByKey's second pass: the values of each block in
 * key order (stable), and keyStart for the keys of those blocks.
 */
function sortBlocks(pairs: Int32Array, offset: number, blockStart: Int32Array, keyStart: Int32Array, N: number, shift: number, from: number, to: number): void {
  const fill = new Int32Array(1 << shift);
  let buffer = new Int32Array(0);
  for (let b = from; b < to; b++) {
    const lo = blockStart[b];
    const n = blockStart[b + 1] - lo;
    const first = b << shift;
    const keys = Math.min(N, first + (1 << shift)) - first;
    fill.fill(0, 0, keys);
    for (let x = lo; x < lo + n; x++) fill[pairs[x] - first]++;
    // fill[j] becomes where key first + j's values go in the buffer
    let at = 0;
    for (let j = 0; j < keys; j++) {
      const c = fill[j];
      keyStart[first + j] = lo + at;
      fill[j] = at;
      at += c;
    }
    if (buffer.length < n) buffer = new Int32Array(n);
    for (let x = lo; x < lo + n; x++) buffer[fill[pairs[x] - first]++] = pairs[offset + x];
    pairs.set(buffer.subarray(0, n), offset + lo);
  }
}

/** Sorts list[0, n) ascending: insertion sort for the short lists of a contact network. */
function sortSmall(list: Int32Array, n: number): void {
  if (n > 48) {
    list.subarray(0, n).sort();
    return;
  }
  for (let r = 1; r < n; r++) {
    const v = list[r];
    let q = r - 1;
    while (q >= 0 && list[q] > v) {
      list[q + 1] = list[q];
      q--;
    }
    list[q + 1] = v;
  }
}

/**
 * The persons in ring order (group by group when there is homophily): the small
 * world's lattice joins neighbours in this order. The lab lays the network out on
 * this ring, so lattice ties are short chords and rewired ties cross the circle.
 */
export function ringOrder(
  model: Model,
  pop: Population,
  k1 = streamKey1(model.seed, 0, Purpose.network),
  k2 = streamKey2(k1, model.seed),
  counter = { n: 0 },
  ints: Ints = newInts,
): { perm: Int32Array; pStart: Int32Array } {
  const G = model.G;
  // Persons, listed group by group: persons of group g sit at [pStart[g], pStart[g+1]) of `perm`.
  const pStart = new Int32Array(G + 1);
  for (let g = 0; g < G; g++) pStart[g + 1] = pStart[g] + (pop.personEnd[g] - pop.groupStart[g]);
  const P = pStart[G];
  const perm = ints(P);
  for (let g = 0; g < G; g++) for (let x = 0; x < pStart[g + 1] - pStart[g]; x++) perm[pStart[g] + x] = pop.groupStart[g] + x;
  const homophily = model.network?.homophily ?? null;
  if (homophily === null) shuffleRange(perm, 0, P, k1, k2, counter);
  else for (let g = 0; g < G; g++) shuffleRange(perm, pStart[g], pStart[g + 1], k1, k2, counter);
  return { perm, pStart };
}
