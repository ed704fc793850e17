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
 * Small world (Watts–Strogatz) over a random ring of the persons (firms have no
 * contacts): each person ties to the next degree/2 persons on the ring, each tie
 * rewired with probability β to a uniform person. With homophily h, each tie is an
 * in-group tie with probability h (ring and rewiring inside the group) and
 * otherwise goes to a uniform person of another group. Duplicate ties and
 * self-ties are dropped, so the mean degree is slightly below `degree` (by about
 * degree²/N).
 */
export function buildNetwork(model: Model, pop: Population, options: { listsBy?: "sort" | "scatter"; blockShift?: number } = {}): Network {
  const net = model.network;
  if (!net) throw new Error("buildNetwork called without a network");
  const N = model.agents;
  const G = model.G;
  const half = net.degree / 2;
  const k1 = streamKey1(model.seed, 0, Purpose.network);
  const k2 = streamKey2(k1, model.seed);
  const counter = { n: 0 };

  const { perm, pStart } = ringOrder(model, pop, k1, k2, counter);
  const P = pStart[G];
  // Ties as pairs: the other end at pairs[x], this end at pairs[E + x]. Agents are
  // visited in id order, so the first half lists each agent's own ties together.
  const E = P * half;
  if (2 * E > MAX_TIE_ENDS)
    throw new Error(`a network of ${P} persons with degree ${net.degree} has more tie ends than 32-bit offsets reach (${MAX_TIE_ENDS})`);
  const pairs = new Int32Array(2 * E);
  const outDegree = new Int32Array(N);
  const e = drawTies(model, pop, perm, pStart, pairs, E, outDegree);
  if (options.listsBy === "scatter") return scatterLists(N, pairs, E, e, outDegree);
  const outStart = prefixSums(outDegree);
  const forward = pairs.slice(0, e); // agent i's own ties at [outStart[i], outStart[i + 1])
  // Each tie also goes on its other end's list. Sorting the pairs by other end,
  // first by blocks of agents, then within each block, lists those ties too,
  // without a write to a random agent per tie (a cache miss each).
  const shift = options.blockShift ?? blockShift(N);
  if (!Number.isInteger(shift) || shift < 1 || shift > 30) throw new Error(`blockShift: expected a whole number from 1 to 30, got ${shift}`);
  const inStart = sortPairsByKey(pairs, E, e, N, shift); // agent j's ties from others at pairs[E + inStart[j] …]
  const { start, length } = mergeLists(N, outStart, forward, inStart, pairs, E);
  return { start, adj: pairs.subarray(0, length) };
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
  const net = model.network;
  if (!net) return 0;
  const N = model.agents;
  const G = model.G;
  const P = pStart[G];
  const half = net.degree / 2;
  const homophily = net.homophily;
  const rewire = net.rewire;
  const seed = model.seed;
  const groupStart = pop.groupStart;
  const pos = new Int32Array(N).fill(-1);
  for (let p = 0; p < P; p++) pos[perm[p]] = p;
  /** The k-th person (k in [0, P)) in group order, for uniform draws. */
  const personAt = (k: number) => {
    let g = 0;
    while (k >= pStart[g + 1]) g++;
    return groupStart[g] + (k - pStart[g]);
  };
  let e = 0;
  for (let g = 0; g < G; g++) {
    const gs = pStart[g];
    const gn = pStart[g + 1] - gs;
    const end = pop.personEnd[g];
    for (let i = groupStart[g], warmTo = i; i < end; i++) {
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
 * Each agent's list: its own ties and the ties from others, sorted, duplicates
 * dropped. Written over the pairs from the front: list i ends by
 * outStart[i + 1] + inStart[i + 1], before the ties from others of the agents
 * after i, which start at E + inStart[i + 1].
 */
function mergeLists(
  N: number,
  outStart: Int32Array,
  forward: Int32Array,
  inStart: Int32Array,
  pairs: Int32Array,
  E: number,
): { start: Int32Array; length: number } {
  const start = new Int32Array(N + 1);
  let maxDegree = 0;
  for (let i = 0; i < N; i++) maxDegree = Math.max(maxDegree, outStart[i + 1] - outStart[i] + inStart[i + 1] - inStart[i]);
  const list = new Int32Array(maxDegree);
  let w = 0;
  for (let i = 0; i < N; i++) {
    let k = 0;
    for (let x = outStart[i]; x < outStart[i + 1]; x++) list[k++] = forward[x];
    for (let x = E + inStart[i]; x < E + inStart[i + 1]; x++) list[k++] = pairs[x];
    sortSmall(list, k);
    start[i] = w;
    let last = -1;
    for (let r = 0; r < k; r++) {
      const j = list[r];
      if (j !== last) pairs[w++] = j;
      last = j;
    }
  }
  start[N] = w;
  return { start, length: w };
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

function prefixSums(counts: Int32Array): Int32Array {
  const out = new Int32Array(counts.length + 1);
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
 * buffer. Returns where each key's pairs start.
 */
function sortPairsByKey(pairs: Int32Array, offset: number, count: number, N: number, shift: number): Int32Array {
  const blocks = ((N - 1) >>> shift) + 1;
  const head = new Int32Array(blocks + 1);
  for (let x = 0; x < count; x++) head[(pairs[x] >>> shift) + 1]++;
  for (let b = 0; b < blocks; b++) head[b + 1] += head[b];
  const blockStart = head.slice();
  for (let b = 0; b < blocks; b++) {
    const end = blockStart[b + 1];
    while (head[b] < end) {
      let key = pairs[head[b]];
      let value = pairs[offset + head[b]];
      let d = key >>> shift;
      while (d !== b) {
        const to = head[d]++;
        const k = pairs[to];
        const v = pairs[offset + to];
        pairs[to] = key;
        pairs[offset + to] = value;
        key = k;
        value = v;
        d = key >>> shift;
      }
      pairs[head[b]] = key;
      pairs[offset + head[b]] = value;
      head[b]++;
    }
  }
  const degree = new Int32Array(N);
  for (let x = 0; x < count; x++) degree[pairs[x]]++;
  const keyStart = prefixSums(degree);
  const fill = new Int32Array(1 << shift);
  let buffer = new Int32Array(0);
  for (let b = 0; b < blocks; b++) {
    const from = blockStart[b];
    const n = blockStart[b + 1] - from;
    const first = b << shift;
    const last = Math.min(N, first + (1 << shift));
    for (let j = first; j < last; j++) fill[j - first] = keyStart[j] - from;
    if (buffer.length < n) buffer = new Int32Array(n);
    for (let x = from; x < from + n; x++) buffer[fill[pairs[x] - first]++] = pairs[offset + x];
    pairs.set(buffer.subarray(0, n), offset + from);
  }
  return keyStart;
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
): { perm: Int32Array; pStart: Int32Array } {
  const G = model.G;
  // Persons, listed group by group: persons of group g sit at [pStart[g], pStart[g+1]) of `perm`.
  const pStart = new Int32Array(G + 1);
  for (let g = 0; g < G; g++) pStart[g + 1] = pStart[g] + (pop.personEnd[g] - pop.groupStart[g]);
  const P = pStart[G];
  const perm = new Int32Array(P);
  for (let g = 0; g < G; g++) for (let x = 0; x < pStart[g + 1] - pStart[g]; x++) perm[pStart[g] + x] = pop.groupStart[g] + x;
  const homophily = model.network?.homophily ?? null;
  if (homophily === null) shuffleRange(perm, 0, P, k1, k2, counter);
  else for (let g = 0; g < G; g++) shuffleRange(perm, pStart[g], pStart[g + 1], k1, k2, counter);
  return { perm, pStart };
}
