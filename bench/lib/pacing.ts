/**
 * Open-loop rate pacing for the latency runs: record i of a run at `rate` records/s is due at
 * `startMs + i × 1000 / rate`, whatever happened to earlier sends. Each record is stamped with
 * that intended time, so a producer that falls behind shows up as latency instead of hiding it
 * (no coordinated omission). Pure: the caller passes the clock.
 */
export class Pacer {
  private next = 0;

  constructor(
    readonly rate: number,
    readonly total: number,
    readonly startMs: number,
  ) {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`rate ${rate} must be a positive number of records/s`);
    if (!Number.isInteger(total) || total < 0) throw new RangeError(`total ${total} must be a whole number ≥ 0`);
  }

  /** Records handed out so far. */
  get issued(): number {
    return this.next;
  }

  get done(): boolean {
    return this.next >= this.total;
  }

  /** When record `i` is due, ms. */
  intendedAt(i: number): number {
    return this.startMs + (i * 1000) / this.rate;
  }

  /** How many records are due by `nowMs` in all (never more than total). */
  dueBy(nowMs: number): number {
    if (nowMs < this.startMs) return 0;
    return Math.min(this.total, Math.floor(((nowMs - this.startMs) * this.rate) / 1000) + 1);
  }

  /**
   * The next range of due records [from, to), at most `max` of them; empty (from === to) when
   * none is due yet.
   */
  take(nowMs: number, max: number): { from: number; to: number } {
    const from = this.next;
    const to = Math.min(this.dueBy(nowMs), from + max);
    if (to > from) this.next = to;
    return { from, to: Math.max(from, to) };
  }

  /** ms from `nowMs` until the next record is due (0 if one is due already, Infinity when done). */
  waitMs(nowMs: number): number {
    if (this.done) return Number.POSITIVE_INFINITY;
    return Math.max(0, this.intendedAt(this.next) - nowMs);
  }
}
