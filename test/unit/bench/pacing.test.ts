import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../bench/lib/pacing.js';

describe('open-loop pacer', () => {
  it('spaces intended times 1000/rate ms apart from the start', () => {
    const p = new Pacer(1_000, 10, 5_000);
    expect(p.intendedAt(0)).toBe(5_000);
    expect(p.intendedAt(3)).toBe(5_003);
    const q = new Pacer(20_000, 10, 0);
    expect(q.intendedAt(1)).toBe(0.05);
  });

  it('hands out what is due, never more than max or total, and never twice', () => {
    const p = new Pacer(1_000, 10, 0);
    expect(p.take(-1, 100)).toEqual({ from: 0, to: 0 });
    expect(p.take(0, 100)).toEqual({ from: 0, to: 1 });
    expect(p.take(0, 100)).toEqual({ from: 1, to: 1 });
    expect(p.take(4, 2)).toEqual({ from: 1, to: 3 });
    expect(p.take(4, 100)).toEqual({ from: 3, to: 5 });
    expect(p.take(1_000, 100)).toEqual({ from: 5, to: 10 });
    expect(p.done).toBe(true);
    expect(p.take(2_000, 100)).toEqual({ from: 10, to: 10 });
    expect(p.issued).toBe(10);
  });

  it('does not fall behind over a long run: the count due depends only on elapsed time', () => {
    const p = new Pacer(50_000, 1_000_000, 0);
    let t = 0;
    while (!p.done) {
      p.take(t, 200);
      t += 3;
    }
    // 1,000,000 records at 50,000/s are all due at 19,999.98 ms; batches of up to 200 every 3 ms (66,667/s) keep up.
    expect(t).toBeGreaterThanOrEqual(19_998);
    expect(t).toBeLessThanOrEqual(20_010);
  });

  it('says how long until the next record is due', () => {
    const p = new Pacer(100, 3, 1_000);
    expect(p.waitMs(990)).toBe(10);
    p.take(1_000, 10);
    expect(p.waitMs(1_004)).toBe(6);
    p.take(2_000, 10);
    expect(p.waitMs(2_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new Pacer(0, 1, 0)).toThrow(RangeError);
    expect(() => new Pacer(Number.NaN, 1, 0)).toThrow(RangeError);
    expect(() => new Pacer(10, -1, 0)).toThrow(RangeError);
  });
});
