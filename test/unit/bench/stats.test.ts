import { describe, expect, it } from 'vitest';
import { median, percentileSorted, perRecordUs, ratio, spreadOf, steadyRate, summarizeLatencies } from '../../../bench/lib/stats.js';

describe('percentiles (nearest rank)', () => {
  const hundred = Float64Array.from({ length: 100 }, (_, i) => i + 1);

  it('takes the value at rank ceil(p/100 × n)', () => {
    expect(percentileSorted(hundred, 50)).toBe(50);
    expect(percentileSorted(hundred, 99)).toBe(99);
    expect(percentileSorted(hundred, 100)).toBe(100);
    expect(percentileSorted([7], 50)).toBe(7);
    expect(percentileSorted([1, 2, 3], 50)).toBe(2);
    expect(percentileSorted([1, 2, 3, 4], 50)).toBe(2);
    expect(percentileSorted([1, 2, 3, 4], 99)).toBe(4);
  });

  it('is NaN on no samples and refuses a percentile outside (0, 100]', () => {
    expect(percentileSorted([], 50)).toBeNaN();
    expect(() => percentileSorted([1], 0)).toThrow(RangeError);
    expect(() => percentileSorted([1], 101)).toThrow(RangeError);
  });

  it('summarizes unsorted samples without changing them', () => {
    const samples = [30, 10, 20, 1000, 40];
    const s = summarizeLatencies(samples);
    expect(s).toEqual({ count: 5, p50: 30, p99: 1000, max: 1000 });
    expect(samples).toEqual([30, 10, 20, 1000, 40]);
    expect(summarizeLatencies(new Float64Array(0)).p50).toBeNaN();
  });

  it('sorts numerically, not as strings', () => {
    expect(summarizeLatencies([9, 10, 100, 2]).p50).toBe(9);
  });
});

describe('median and spread of repetitions', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('spread is (max − min) ÷ median and keeps the values in measured order', () => {
    const s = spreadOf([110, 90, 100]);
    expect(s).toEqual({ median: 100, min: 90, max: 110, relative: 0.2, values: [110, 90, 100] });
    expect(spreadOf([5]).relative).toBe(0);
  });

  it('ratio is NaN rather than Infinity', () => {
    expect(ratio(8, 10)).toBe(0.8);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });
});

describe('steady rate', () => {
  it('counts only records done after the steady moment', () => {
    expect(steadyRate({ steadyAt: 1_000, doneAtSteady: 10_000, endAt: 11_000, total: 110_000 })).toBe(10_000);
  });

  it('is NaN for an empty window', () => {
    expect(steadyRate({ steadyAt: 5, doneAtSteady: 0, endAt: 5, total: 10 })).toBeNaN();
    expect(steadyRate({ steadyAt: 0, doneAtSteady: 10, endAt: 5, total: 10 })).toBeNaN();
  });
});

describe('CPU per record', () => {
  it('sums every process, times the window, over the records done in it', () => {
    // 1.5 + 0.5 cores for 2 s = 4 CPU-seconds over 1,000,000 records: 4 µs each.
    expect(perRecordUs([1.5, 0.5], 2, 1_000_000)).toBe(4);
  });

  it('is NaN when a share is unknown or no record was done', () => {
    expect(perRecordUs([1, Number.NaN], 2, 1_000)).toBeNaN();
    expect(perRecordUs([1], 2, 0)).toBeNaN();
  });
});
