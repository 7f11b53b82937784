import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../bench/lib/report.js';
import { digestSentAt, HOPS, hopShares } from '../../../bench/lib/hops.js';

const sample = (partition: number, offset: number, producedAt: number) => ({
  partition,
  offset,
  producedAt,
  closedAt: producedAt + 30,
  ledgerSentAt: producedAt + 40,
  visibleAt: producedAt + 50,
});

describe('per-hop latency', () => {
  it('finds the earliest digest batch covering a position, redelivered copies included', () => {
    const at = digestSentAt([
      { partition: 0, from: 0, to: 10, sentAt: 100 },
      { partition: 0, from: 10, to: 20, sentAt: 200 },
      { partition: 1, from: 0, to: 50, sentAt: 150 },
      // A copy sent again after a rebalance, later, and one that starts lower and reaches further.
      { partition: 0, from: 10, to: 20, sentAt: 900 },
      { partition: 0, from: 5, to: 25, sentAt: 950 },
    ]);
    expect(at(0, 0)).toBe(100);
    expect(at(0, 19)).toBe(200);
    expect(at(0, 22)).toBe(950);
    expect(at(1, 49)).toBe(150);
    expect(at(0, 25)).toBeUndefined();
    expect(at(2, 0)).toBeUndefined();
  });

  it('splits produce → visible into the four hops; their shares add up to 1', () => {
    const sends = [
      { partition: 0, from: 0, to: 100, sentAt: 1_010 },
      { partition: 1, from: 0, to: 100, sentAt: 2_020 },
    ];
    const s = hopShares([sample(0, 5, 1_000), sample(1, 7, 2_000), sample(3, 1, 5_000)], sends)!;
    // The partition-3 record has no digest batch: left out.
    expect(s.samples).toBe(2);
    expect(s.meanMs).toBe(50);
    expect(s.hops[HOPS[0]]).toMatchObject({ meanMs: 15, p50: 10, p99: 20 });
    expect(s.hops[HOPS[1]]).toMatchObject({ meanMs: 15 });
    expect(s.hops[HOPS[2]].meanMs).toBe(10);
    expect(s.hops[HOPS[3]].meanMs).toBe(10);
    expect(HOPS.reduce((n, h) => n + s.hops[h].share, 0)).toBeCloseTo(1, 10);
    expect(s.hops[HOPS[0]].share).toBeCloseTo(0.3, 10);
    expect(hopShares([sample(3, 1, 0)], sends)).toBeNull();
  });

  it('reports hopShares per offered load, medians of the repetitions, and a table', () => {
    const h = hopShares([sample(0, 5, 1_000)], [{ partition: 0, from: 0, to: 10, sentAt: 1_010 }]);
    const r = buildReport({ meta: {}, repetitions: [{ hops: { '20000': h } }, { hops: { '20000': h } }], rssMb: null, extra: {} });
    expect(r.json.hopShares).toEqual({ '20000': { [HOPS[0]]: 0.2, [HOPS[1]]: 0.4, [HOPS[2]]: 0.2, [HOPS[3]]: 0.2 } });
    expect((r.json.hopMs as Record<string, { samples: number }>)['20000']!.samples).toBe(2);
    expect(r.table).toMatch(/20,000\s+20\.0% \(10\)\s+40\.0% \(20\)\s+20\.0% \(10\)\s+20\.0% \(10\)\s+50/);
    expect(buildReport({ meta: {}, repetitions: [{}], rssMb: null, extra: {} }).json.hopShares).toBeNull();
  });
});
