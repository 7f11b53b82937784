import { describe, expect, it } from 'vitest';
import { ProgressTrace } from '../../../bench/lib/trace.js';

describe('progress trace', () => {
  it('interpolates crossing times between samples', () => {
    const tr = new ProgressTrace();
    tr.add(0, 0);
    tr.add(1_000, 100);
    tr.add(2_000, 300);
    expect(tr.crossing(50)).toBe(500);
    expect(tr.crossing(200)).toBe(1_500);
    expect(tr.crossing(0)).toBe(0);
    expect(tr.crossing(301)).toBeNaN();
  });

  it('takes the sustained rate over the middle 80%, leaving out a slow start and tail', () => {
    const tr = new ProgressTrace();
    // 5 s of start-up with nothing done, then 1,000 records/s, then a 10 s tail for the last 10.
    tr.add(0, 0);
    tr.add(5_000, 0);
    for (let s = 1; s <= 99; s++) tr.add(5_000 + s * 10, s * 10);
    tr.add(16_000, 1_000);
    expect(tr.sustainedRate(1_000)).toBeCloseTo(1_000, 6);
    expect(tr.sustainedRate(1_000, 0, 1)).toBeCloseTo(1000 / 16, 6);
  });

  it('ignores samples that go back in time or count, and keeps only the ends of a flat stretch', () => {
    const tr = new ProgressTrace();
    tr.add(0, 0);
    tr.add(10, 5);
    tr.add(5, 6);
    tr.add(20, 4);
    for (let t = 30; t < 100; t += 10) tr.add(t, 5);
    tr.add(100, 15);
    expect(tr.samples).toBe(4);
    expect(tr.crossing(10)).toBe(95);
  });

  it('is NaN until the window is reached, and refuses a window outside [0, 1]', () => {
    const tr = new ProgressTrace();
    tr.add(0, 0);
    tr.add(1_000, 50);
    expect(tr.sustainedRate(100)).toBeNaN();
    expect(() => tr.sustainedRate(100, 0.5, 0.4)).toThrow(RangeError);
  });
});
