/**
 * A day-bucketed event calendar: push(day, value) and drain(day). Each day is a
 * linked list of fixed-size chunks from a shared pool, so an entry costs 4 bytes
 * (plus `width` − 1 payload ints) and freed chunks are reused by later days.
 * Stale entries are allowed: callers check on drain whether an entry still holds.
 */
export class Calendar {
  private static readonly CHUNK = 256;
  readonly width: number;
  private pool: Int32Array;
  private chunkNext: Int32Array;
  private chunkFill: Int32Array;
  private freeHead = -1;
  private chunks = 0;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;

  constructor(days: number, width = 1, initialEntries = 1024) {
    this.width = width;
    const chunks = Math.max(4, Math.ceil(initialEntries / Calendar.CHUNK));
    this.pool = new Int32Array(chunks * Calendar.CHUNK * width);
    this.chunkNext = new Int32Array(chunks);
    this.chunkFill = new Int32Array(chunks);
    this.head = new Int32Array(days + 1).fill(-1);
    this.tail = new Int32Array(days + 1).fill(-1);
  }

  get bytes(): number {
    return this.pool.byteLength + this.chunkNext.byteLength * 2 + this.head.byteLength * 2;
  }

  private newChunk(): number {
    if (this.freeHead >= 0) {
      const c = this.freeHead;
      this.freeHead = this.chunkNext[c];
      return c;
    }
    if (this.chunks === this.chunkNext.length) {
      const grown = Math.ceil(this.chunkNext.length * 1.5);
      const pool = new Int32Array(grown * Calendar.CHUNK * this.width);
      pool.set(this.pool);
      this.pool = pool;
      const next = new Int32Array(grown);
      next.set(this.chunkNext);
      this.chunkNext = next;
      const fill = new Int32Array(grown);
      fill.set(this.chunkFill);
      this.chunkFill = fill;
    }
    return this.chunks++;
  }

  push(day: number, a: number): void {
    let c = this.tail[day];
    if (c < 0 || this.chunkFill[c] === Calendar.CHUNK) {
      const n = this.newChunk();
      this.chunkNext[n] = -1;
      this.chunkFill[n] = 0;
      if (c < 0) this.head[day] = n;
      else this.chunkNext[c] = n;
      this.tail[day] = n;
      c = n;
    }
    this.pool[(c * Calendar.CHUNK + this.chunkFill[c]++) * this.width] = a;
  }

  push3(day: number, a: number, b: number, c3: number): void {
    this.push(day, a);
    const c = this.tail[day];
    const at = (c * Calendar.CHUNK + this.chunkFill[c] - 1) * this.width;
    this.pool[at + 1] = b;
    this.pool[at + 2] = c3;
  }

  /** Copies the entries of `day`, `width` ints each and in push order, into `out` from row 0; returns their number. Frees the day. */
  drainRows(day: number, out: { buf: Int32Array }): number {
    let c = this.head[day];
    const w = this.width;
    let n = 0;
    while (c >= 0) {
      const base = c * Calendar.CHUNK * w;
      const fill = this.chunkFill[c];
      if ((n + fill) * w > out.buf.length) {
        const grown = new Int32Array(Math.max(out.buf.length * 2, (n + fill) * w));
        grown.set(out.buf);
        out.buf = grown;
      }
      out.buf.set(this.pool.subarray(base, base + fill * w), n * w);
      n += fill;
      const next = this.chunkNext[c];
      this.chunkNext[c] = this.freeHead;
      this.freeHead = c;
      c = next;
    }
    this.head[day] = -1;
    this.tail[day] = -1;
    return n;
  }

  /** Copies the values (first ints) of `day` into `out` from `at`; returns the new length. Frees the day. */
  drainInto(day: number, out: { buf: Int32Array }, at: number): number {
    let c = this.head[day];
    const w = this.width;
    let n = at;
    while (c >= 0) {
      const base = c * Calendar.CHUNK * w;
      const fill = this.chunkFill[c];
      if (n + fill > out.buf.length) {
        const grown = new Int32Array(Math.max(out.buf.length * 2, n + fill));
        grown.set(out.buf);
        out.buf = grown;
      }
      for (let k = 0; k < fill; k++) out.buf[n++] = this.pool[base + k * w];
      const next = this.chunkNext[c];
      this.chunkNext[c] = this.freeHead;
      this.freeHead = c;
      c = next;
    }
    this.head[day] = -1;
    this.tail[day] = -1;
    return n;
  }
}
