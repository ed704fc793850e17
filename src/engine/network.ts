import type { Model } from "./model.js";
import type { Population } from "./population.js";
import { Purpose, streamKey1, streamKey2, uniform } from "./rng.js";

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
export function buildNetwork(model: Model, pop: Population): Network {
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
  const homophily = net.homophily;
  const pos = new Int32Array(N).fill(-1);
  for (let p = 0; p < P; p++) pos[perm[p]] = p;
  /** The k-th person (k in [0, P)) in group order, for uniform draws. */
  const personAt = (k: number) => {
    let g = 0;
    while (k >= pStart[g + 1]) g++;
    return pop.groupStart[g] + (k - pStart[g]);
  };

  const E = P * half;
  const from = new Int32Array(E);
  const to = new Int32Array(E);
  const degree = new Int32Array(N);
  let e = 0;
  for (let g = 0; g < G; g++) {
    const gs = pStart[g];
    const gn = pStart[g + 1] - gs;
    for (let i = pop.groupStart[g]; i < pop.personEnd[g]; i++) {
      const a1 = streamKey1(model.seed, i, Purpose.network);
      const a2 = streamKey2(a1, model.seed);
      let n = 0;
      for (let m = 1; m <= half; m++) {
        let j: number;
        if (homophily === null) {
          j = perm[(pos[i] + m) % P];
          if (uniform(a1, a2, n++) < net.rewire) j = personAt(Math.floor(uniform(a1, a2, n++) * P));
        } else if (uniform(a1, a2, n++) < homophily || gn === P) {
          j = perm[gs + ((pos[i] - gs + m) % gn)];
          if (uniform(a1, a2, n++) < net.rewire) j = perm[gs + Math.floor(uniform(a1, a2, n++) * gn)];
        } else {
          // uniform over persons outside the group
          let r = Math.floor(uniform(a1, a2, n++) * (P - gn));
          if (r >= gs) r += gn;
          j = personAt(r);
        }
        if (j === i) continue;
        from[e] = i;
        to[e] = j;
        degree[i]++;
        e++;
      }
    }
  }
  // The other ends' degrees, and below their lists, in loops of their own: these
  // writes land at random agents, and with nothing else in the loop the CPU
  // overlaps their cache misses (the build 1.3–1.45× faster at 3·10^6 agents,
  // same network).
  for (let x = 0; x < e; x++) degree[to[x]]++;
  const start = new Int32Array(N + 1);
  for (let i = 0; i < N; i++) start[i + 1] = start[i] + degree[i];
  const fill = start.slice(0, N);
  const adj = new Int32Array(start[N]);
  for (let x = 0; x < e; x++) adj[fill[from[x]]++] = to[x];
  for (let x = 0; x < e; x++) adj[fill[to[x]]++] = from[x];
  // Sort each list, drop duplicates, compact.
  let w = 0;
  let readStart = 0;
  for (let i = 0; i < N; i++) {
    const readEnd = start[i + 1];
    const list = adj.subarray(readStart, readEnd);
    list.sort();
    start[i] = w;
    let last = -1;
    for (let r = 0; r < list.length; r++) {
      const j = list[r];
      if (j !== last) adj[w++] = j;
      last = j;
    }
    readStart = readEnd;
  }
  start[N] = w;
  return { start, adj: adj.slice(0, w) };
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
