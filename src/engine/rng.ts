// Counter-based random streams: draw n of stream (key1, key2) is a pure function of
// (seed, stream, n). Each agent owns a stream and a counter, so what an agent
// draws never depends on which thread runs it or in which order agents are visited.

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

const TWO_POW_32 = 4294967296;

/** First key of a stream. Streams are agents (id ≥ 0) or named global purposes (id < 0). */
export function streamKey1(seed: number, stream: number, purpose: number): number {
  return mix32(mix32(stream ^ mix32(seed + 0x9e3779b9)) ^ Math.imul(purpose + 1, 0x27d4eb2f));
}

/** Second key, mixed separately so that two streams never become shifted copies of each other. */
export function streamKey2(key1: number, seed: number): number {
  return mix32(key1 ^ mix32(seed ^ 0x5bd1e995));
}

/** Uniform in [0, 1): draw `counter` of the stream (key1, key2). */
export function uniform(key1: number, key2: number, counter: number): number {
  return mix32(mix32((Math.imul(counter, 0x9e3779b9) + key1) | 0) ^ key2) / TWO_POW_32;
}

/** Uniform in (0, 1], for logarithms. */
export function uniformPositive(key1: number, key2: number, counter: number): number {
  return (draw32(key1, key2, counter) + 1) / TWO_POW_32;
}

/** The 32-bit integer x behind draw `counter`: uniform is x / 2^32, uniformPositive (x + 1) / 2^32. */
export function draw32(key1: number, key2: number, counter: number): number {
  return mix32(mix32((Math.imul(counter, 0x9e3779b9) + key1) | 0) ^ key2);
}

/**
 * Days until the next success of a daily Bernoulli(p) process, counting today as 0:
 * P(gap = k) = (1−p)^k p. `logOneMinusP` is Math.log1p(−p), precomputed by callers.
 * Returns a huge number when p is 0.
 */
export function geometricGap(u: number, logOneMinusP: number): number {
  if (logOneMinusP === 0) return 0x3fffffff;
  if (!Number.isFinite(logOneMinusP)) return 0; // p = 1
  const g = Math.floor(Math.log(u) / logOneMinusP);
  return g > 0x3fffffff ? 0x3fffffff : g;
}

/** Purposes of global (non-agent) streams. */
export const Purpose = {
  agent: 0,
  population: 1,
  network: 2,
  insiders: 3,
  households: 4,
  breach: 5,
  tracking: 7,
  region: 9,
} as const;

/** A sequential stream for setup work and global actors: counter kept inside. */
export class Stream {
  private readonly k1: number;
  private readonly k2: number;
  private n = 0;
  constructor(seed: number, stream: number, purpose: number) {
    this.k1 = streamKey1(seed, stream, purpose);
    this.k2 = streamKey2(this.k1, seed);
  }
  next(): number {
    return uniform(this.k1, this.k2, this.n++);
  }
  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}
