/**
 * A growable list of rows of `width` ints, kept from day to day: the lists a
 * lane of the calendar engine hands to the other (simulate.ts) and the slots of
 * work it keeps for later in the day.
 */
export class IntRows {
  readonly width: number;
  buf: Int32Array<ArrayBuffer>;
  /** Rows held. */
  count = 0;

  constructor(width: number, rows = 256) {
    this.width = width;
    this.buf = new Int32Array(rows * width);
  }

  push1(a: number): void {
    if (this.count === this.buf.length) this.grow(1);
    this.buf[this.count++] = a;
  }

  push2(a: number, b: number): void {
    const at = this.count * 2;
    if (at + 2 > this.buf.length) this.grow(2);
    this.buf[at] = a;
    this.buf[at + 1] = b;
    this.count++;
  }

  /** A copy of the rows held, to post to another thread. */
  copy(): Int32Array<ArrayBuffer> {
    return this.buf.slice(0, this.count * this.width);
  }

  private grow(least: number): void {
    const grown = new Int32Array(Math.max(this.buf.length * 2, this.buf.length + least));
    grown.set(this.buf);
    this.buf = grown;
  }
}
