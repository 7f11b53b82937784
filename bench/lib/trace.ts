/**
 * A run's progress over time (samples of records done), and the sustained rate read from it:
 * the rate between the moments `lo` and `hi` of the total were done (default the middle 80%),
 * which leaves out the start (group joins, a new leader's first cuts, JIT warm-up) and the tail
 * (the last partitions finishing one by one). Crossing times are interpolated between samples.
 * Pure: the caller passes the clock.
 */
export class ProgressTrace {
  private readonly t: number[] = [];
  private readonly done: number[] = [];

  /** Records `done` at time `atMs` (ms); samples must come in time order, counts never go down. */
  add(atMs: number, done: number): void {
    const last = this.done.length - 1;
    if (last >= 0 && (atMs < this.t[last]! || done < this.done[last]!)) return;
    if (last >= 0 && done === this.done[last]) {
      // A flat stretch: keep its first and latest sample only.
      if (last >= 1 && this.done[last - 1] === done) {
        this.t[last] = atMs;
        return;
      }
    }
    this.t.push(atMs);
    this.done.push(done);
  }

  get samples(): number {
    return this.t.length;
  }

  /** When `target` records were first done (ms, interpolated), or NaN if never. */
  crossing(target: number): number {
    for (let i = 0; i < this.done.length; i++) {
      if (this.done[i]! >= target) {
        if (i === 0) return this.t[0]!;
        const d0 = this.done[i - 1]!;
        const d1 = this.done[i]!;
        const t0 = this.t[i - 1]!;
        const t1 = this.t[i]!;
        return t0 + ((target - d0) / (d1 - d0)) * (t1 - t0);
      }
    }
    return Number.NaN;
  }

  /** Records/s between the moments lo × total and hi × total were done; NaN if not both reached. */
  sustainedRate(total: number, lo = 0.1, hi = 0.9): number {
    if (!(lo >= 0 && hi > lo && hi <= 1)) throw new RangeError(`window [${lo}, ${hi}] is not inside [0, 1]`);
    const a = this.crossing(lo * total);
    const b = this.crossing(hi * total);
    const ms = b - a;
    return Number.isFinite(ms) && ms > 0 ? ((hi - lo) * total * 1000) / ms : Number.NaN;
  }
}
