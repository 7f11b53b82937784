/**
 * Statistics for the benchmark: latency percentiles (nearest rank), and the median and spread
 * of repeated measurements. Pure.
 */

/** p-th percentile (0 < p ≤ 100) of values sorted ascending, nearest-rank method; NaN when empty. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n, Math.max(1, rank)) - 1]!;
}

export interface LatencySummary {
  /** Samples the percentiles were taken over. */
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** p50, p99 and max of a set of latency samples (ms). Sorts a copy; the input is not changed. */
export function summarizeLatencies(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples as ArrayLike<number>).sort();
  return {
    count: sorted.length,
    p50: percentileSorted(sorted, 50),
    p99: percentileSorted(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** (max − min) ÷ median: how far apart the repetitions were, as a fraction of the median. */
  relative: number;
  /** Every repetition, in the order measured. */
  values: number[];
}

/** Median, range and relative spread of repeated measurements of one figure. */
export function spreadOf(values: readonly number[]): Spread {
  const m = median(values);
  const min = values.length === 0 ? Number.NaN : Math.min(...values);
  const max = values.length === 0 ? Number.NaN : Math.max(...values);
  return { median: m, min, max, relative: m === 0 || !Number.isFinite(m) ? Number.NaN : (max - min) / m, values: [...values] };
}

/** a ÷ b, or NaN when b is 0 or either is not a finite number. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN;
}

/**
 * The steady rate of a run that starts with a warm-up (consumer-group joins, rebalances): from
 * the moment `steadyAt` (ms) when `doneAtSteady` records were already done, to `endAt` when
 * `total` were done. Records/s; NaN when the window is empty.
 */
export function steadyRate(window: { steadyAt: number; doneAtSteady: number; endAt: number; total: number }): number {
  const ms = window.endAt - window.steadyAt;
  const records = window.total - window.doneAtSteady;
  return ms > 0 && records > 0 ? (records * 1000) / ms : Number.NaN;
}

/**
 * CPU per record, µs: `cores` (each process's CPU over the window, 1 = one core busy) summed,
 * times the window's seconds, over the records done in it. NaN when a share is unknown.
 */
export function perRecordUs(cores: readonly number[], windowS: number, records: number): number {
  const busy = cores.reduce((a, b) => a + b, 0);
  return records > 0 ? (busy * windowS * 1e6) / records : Number.NaN;
}

/** Index of the first value ≥ x in an ascending array, or its length (a binary search). */
export function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
