import { describe, expect, it } from 'vitest';
import { backoffDelayMs, type BackoffPolicy } from '../../../src/retry/backoff.js';
import { sleep } from '../../../src/retry/sleep.js';

const attempts = [1, 2, 3, 4, 5, 6, 50];

describe('backoffDelayMs', () => {
  it('backs off doubling, capped', () => {
    expect(attempts.map((a) => backoffDelayMs({ initialMs: 500, maxMs: 10_000 }, a))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('counts attempt 0 (and below) as the first, and stays finite for huge attempts', () => {
    const p = { initialMs: 200, maxMs: 5_000 };
    expect(backoffDelayMs(p, 0)).toBe(200);
    expect(backoffDelayMs(p, -3)).toBe(200);
    expect(backoffDelayMs(p, 1e9)).toBe(5_000);
    expect(backoffDelayMs({ initialMs: 0, maxMs: 5_000 }, 1e9)).toBe(0);
  });

  it('grows linearly when asked, capped', () => {
    expect(attempts.map((a) => backoffDelayMs({ initialMs: 2, maxMs: 50, growth: 'linear' }, a))).toEqual([2, 4, 6, 8, 10, 12, 50]);
  });

  it('keeps equal jitter within [wait/2, wait) and full jitter within [0, wait)', () => {
    const equal: BackoffPolicy = { initialMs: 200, maxMs: 5_000, jitter: 'equal' };
    const full: BackoffPolicy = { initialMs: 2, maxMs: 50, growth: 'linear', jitter: 'full' };
    for (const a of attempts) {
      const wait = backoffDelayMs({ ...equal, jitter: 'none' }, a);
      expect(backoffDelayMs(equal, a, () => 0)).toBe(wait / 2);
      expect(backoffDelayMs(equal, a, () => 0.999_999)).toBeLessThan(wait);
      const fullWait = backoffDelayMs({ ...full, jitter: 'none' }, a);
      expect(backoffDelayMs(full, a, () => 0)).toBe(0);
      expect(backoffDelayMs(full, a, () => 0.999_999)).toBeLessThan(fullWait);
      for (let i = 0; i < 50; i++) {
        const e = backoffDelayMs(equal, a);
        expect(e).toBeGreaterThanOrEqual(wait / 2);
        expect(e).toBeLessThan(wait);
        const f = backoffDelayMs(full, a);
        expect(f).toBeGreaterThanOrEqual(0);
        expect(f).toBeLessThan(fullWait);
      }
    }
  });
});

describe('sleep', () => {
  it('waits about the given time', async () => {
    const t0 = performance.now();
    await sleep(30);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it('ends early, without throwing, when its signal aborts', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    const waiting = sleep(10_000, { signal: ac.signal, unref: true });
    setTimeout(() => ac.abort(), 10);
    await expect(waiting).resolves.toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it('does not wait at all on an already aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    const t0 = performance.now();
    await sleep(10_000, { signal: ac.signal });
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});
