/**
 * The knee (issue 14): the highest offered rate at which produce → cut visible stays at p99 ≤
 * 100 ms. A short stepped search over the latency runs of one session: the fixed loads first
 * (--loads), then, one run at a time, the midpoint between the highest rate that passed and the
 * lowest above it that failed (doubling while nothing has failed, halving while nothing has
 * passed), until the bracket is narrower than `resolution` of its low end or the steps run out.
 * A run passes when its p99 is within the bound, the generator sent at least 95% of the offered
 * rate (else the machine, not seqchain, set the rate) and every record reached the ledger. Pure.
 */

export const KNEE_P99_MS = 100;
/** A run whose generator sent less than this share of the offered rate did not offer it. */
const SENT_SHARE = 0.95;

export interface KneeRun {
  offeredRps: number;
  sentRps: number;
  p99Ms: number;
  complete: boolean;
}

export interface KneeOptions {
  /** Runs the search may add after the fixed loads. @defaultValue 3 */
  steps: number;
  /** Stop when hi − lo ≤ resolution × lo. @defaultValue 0.1 */
  resolution: number;
  /** Rates are rounded to this many records/s. @defaultValue 1000 */
  grain: number;
  /** Never offer more than this, records/s. @defaultValue 400000 */
  maxRps: number;
}

export const kneeDefaults = { steps: 3, resolution: 0.1, grain: 1_000, maxRps: 400_000 } satisfies KneeOptions;

export function passes(run: KneeRun, boundMs = KNEE_P99_MS): boolean {
  return run.complete && run.p99Ms <= boundMs && run.sentRps >= SENT_SHARE * run.offeredRps;
}

/** The bracket the runs so far give: the highest passing rate, and the lowest failing one above it. */
export function kneeBracket(runs: readonly KneeRun[]): { lo: number | null; hi: number | null } {
  let lo: number | null = null;
  for (const r of runs) if (passes(r) && (lo === null || r.offeredRps > lo)) lo = r.offeredRps;
  let hi: number | null = null;
  for (const r of runs) if (!passes(r) && (lo === null || r.offeredRps > lo) && (hi === null || r.offeredRps < hi)) hi = r.offeredRps;
  return { lo, hi };
}

/** The next rate to offer, or null when the search is done; `added`: runs the search added so far. */
export function nextKneeRate(runs: readonly KneeRun[], added: number, options: Partial<KneeOptions> = {}): number | null {
  const o = { ...kneeDefaults, ...options };
  if (added >= o.steps || runs.length === 0) return null;
  const { lo, hi } = kneeBracket(runs);
  const round = (x: number) => Math.max(o.grain, Math.round(x / o.grain) * o.grain);
  let next: number;
  if (lo === null) {
    // Nothing passed: halve below the lowest rate tried.
    next = round(Math.min(...runs.map((r) => r.offeredRps)) / 2);
    if (runs.some((r) => r.offeredRps <= next)) return null;
  } else if (hi === null) {
    next = Math.min(o.maxRps, round(lo * 2));
    if (next <= lo) return null;
  } else {
    if (hi - lo <= Math.max(o.grain, o.resolution * lo)) return null;
    next = round((lo + hi) / 2);
    if (next <= lo || next >= hi) return null;
  }
  return next;
}

/** The knee the runs give: the highest offered rate that passed (null: none did). */
export function kneeOf(runs: readonly KneeRun[]): number | null {
  return kneeBracket(runs).lo;
}
