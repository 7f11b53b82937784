/**
 * Progress for long work: periodic lines with count, rate and ETA on stderr (one line redrawn
 * in place on a terminal), so stdout stays for results.
 */
export class Progress {
  private readonly startedAt = Date.now();
  private lastPrint = this.startedAt;
  private done: number;
  private printed = false;

  /** `initial`: work already done before this progress started (not counted in the rate). */
  constructor(
    private readonly label: string,
    private readonly total: number | null,
    private readonly initial = 0,
    private readonly intervalMs = 1_000,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.done = initial;
  }

  update(done: number): void {
    this.done = done;
    const now = Date.now();
    if (now - this.lastPrint >= this.intervalMs) {
      this.lastPrint = now;
      this.print(false);
    }
  }

  /** Whether a line was printed yet: a short task can skip its final line and stay silent. */
  get shown(): boolean {
    return this.printed;
  }

  finish(done = this.done): void {
    this.done = done;
    this.print(true);
  }

  private print(final: boolean): void {
    this.printed = true;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const rate = elapsed > 0 ? (this.done - this.initial) / elapsed : 0;
    let line = `${this.label}: ${fmt(this.done)}`;
    if (this.total !== null) {
      const pct = this.total > 0 ? (100 * this.done) / this.total : 100;
      const eta = rate > 0 ? Math.max(0, (this.total - this.done) / rate) : NaN;
      line += `/${fmt(this.total)} (${pct.toFixed(1)}%)`;
      if (!final) line += ` ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)}s` : '?'}`;
    }
    line += ` ${fmt(Math.round(rate))}/s ${elapsed.toFixed(1)}s`;
    if (this.out.isTTY) this.out.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
    else this.out.write(`${line}\n`);
  }
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
