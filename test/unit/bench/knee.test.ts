import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../bench/lib/report.js';
import { kneeBracket, kneeOf, nextKneeRate, passes } from '../../../bench/lib/knee.js';

const run = (offeredRps: number, p99Ms: number, sentRps = offeredRps, complete = true) => ({ offeredRps, sentRps, p99Ms, complete });

describe('the knee search', () => {
  it('passes a run only with p99 ≤ 100 ms, the offer actually sent (≥ 95%) and every record in the ledger', () => {
    expect(passes(run(20_000, 100))).toBe(true);
    expect(passes(run(20_000, 101))).toBe(false);
    expect(passes(run(50_000, 60, 37_000))).toBe(false);
    expect(passes(run(20_000, 60, 20_000, false))).toBe(false);
  });

  it('bisects between the highest passing and the lowest failing rate above it', () => {
    const runs = [run(5_000, 60), run(20_000, 90), run(50_000, 3_000)];
    expect(kneeBracket(runs)).toEqual({ lo: 20_000, hi: 50_000 });
    expect(nextKneeRate(runs, 0)).toBe(35_000);
    const more = [...runs, run(35_000, 150)];
    expect(nextKneeRate(more, 1)).toBe(28_000);
    const done = [...more, run(28_000, 95)];
    expect(nextKneeRate(done, 2)).toBe(32_000);
    expect(kneeOf(done)).toBe(28_000);
  });

  it('stops when the steps run out or the bracket is within the resolution', () => {
    const runs = [run(20_000, 90), run(50_000, 3_000)];
    expect(nextKneeRate(runs, 3)).toBeNull();
    expect(nextKneeRate([run(20_000, 90), run(21_000, 200)], 0)).toBeNull();
    expect(nextKneeRate([], 0)).toBeNull();
  });

  it('doubles while nothing failed and halves while nothing passed', () => {
    expect(nextKneeRate([run(5_000, 40), run(20_000, 60)], 0)).toBe(40_000);
    expect(nextKneeRate([run(20_000, 400), run(50_000, 900)], 0)).toBe(10_000);
    expect(kneeOf([run(20_000, 400)])).toBeNull();
    expect(nextKneeRate([run(1_000, 400)], 0)).toBeNull();
    expect(nextKneeRate([run(300_000, 10)], 0, { maxRps: 400_000 })).toBe(400_000);
    expect(nextKneeRate([run(400_000, 10)], 0, { maxRps: 400_000 })).toBeNull();
  });

  it('reports kneeRecordsPerSec as the median of the repetitions, 0 for one where no rate passed', () => {
    const r = buildReport({
      meta: {},
      repetitions: [
        { knee: { rps: 28_000, runs: [run(20_000, 90), run(50_000, 3_000), run(35_000, 150), run(28_000, 95)] } },
        { knee: { rps: 35_000, runs: [run(35_000, 99)] } },
        { knee: { rps: null, runs: [run(5_000, 120)] } },
      ],
      rssMb: null,
      extra: {},
    });
    expect(r.json.kneeRecordsPerSec).toBe(28_000);
    expect(r.table).toContain('knee, highest offered rate with e2e p99 ≤ 100 ms, records/s: 28,000, 35,000, none (median 28,000)');
    expect(buildReport({ meta: {}, repetitions: [{}], rssMb: null, extra: {} }).json.kneeRecordsPerSec).toBeNull();
  });
});
