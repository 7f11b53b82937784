import { describe, expect, it } from 'vitest';
import { HistoryChecker, type CheckedCut } from '../../../chaos/lib/history.js';

type Pos = [partition: number, offset: number];

/** Cuts with contiguous seqs from 1, `epochs[i]` for cut i, entries as given. */
function cuts(groups: Pos[][], epochs: number[] = groups.map(() => 1)): CheckedCut[] {
  let seq = 1;
  return groups.map((g, i) => {
    const c = {
      ledgerOffset: i + 1,
      epoch: epochs[i]!,
      firstSeq: seq,
      lastSeq: seq + g.length - 1,
      entries: g.map(([partition, offset]) => ({ partition, offset })),
    };
    seq += g.length;
    return c;
  });
}

function check(cs: CheckedCut[], source: number[][], opts: { zombies?: number[]; acked?: number[] } = {}) {
  const h = new HistoryChecker(new Set(opts.zombies ?? []));
  h.genesis(0);
  for (const c of cs) h.cut(c);
  return h.finish(source, opts.acked ?? []);
}

describe('chaos history checker', () => {
  it('accepts a clean interleaved history', () => {
    const v = check(
      cuts(
        [
          [
            [0, 0],
            [1, 0],
          ],
          [
            [1, 1],
            [0, 1],
            [2, 0],
          ],
        ],
        [1, 2],
      ),
      [[0, 1], [0, 1], [0]],
      { acked: [2, 2, 1] },
    );
    expect(v).toMatchObject({ violations: 0, records: 5, sourceRecords: 5, cuts: 2, maxEpoch: 2 });
    expect(v.list).toEqual([]);
  });

  it('names a record sequenced twice, one never sequenced and one not in the source', () => {
    const v = check(
      cuts([
        [
          [0, 0],
          [0, 1],
        ],
        [
          [0, 1],
          [1, 5],
        ],
      ]),
      [[0, 1, 2], [0]],
    );
    expect(v.list.map((x) => x.message)).toEqual(['duplicate p0@1', 'missing p0@2', 'missing p1@0', 'unknown p1@5: sequenced but not in the source topic']);
    expect(v.byKind).toEqual({ duplicate: 1, missing: 2, unknown: 1 });
  });

  it('names a per-partition order violation', () => {
    const v = check(
      cuts([
        [
          [3, 1],
          [3, 0],
        ],
      ]),
      [[], [], [], [0, 1]],
    );
    expect(v.list).toEqual([{ kind: 'order', message: 'order p3: offset 0 sequenced after 1' }]);
  });

  it('names gaps, repeats and a count that does not match the seq range', () => {
    const h = new HistoryChecker();
    h.genesis(0);
    h.cut({ ledgerOffset: 1, epoch: 1, firstSeq: 1, lastSeq: 1, entries: [{ partition: 0, offset: 0 }] });
    h.cut({ ledgerOffset: 2, epoch: 1, firstSeq: 3, lastSeq: 3, entries: [{ partition: 0, offset: 1 }] });
    h.cut({ ledgerOffset: 3, epoch: 1, firstSeq: 3, lastSeq: 4, entries: [{ partition: 0, offset: 2 }] });
    const v = h.finish([[0, 1, 2]]);
    expect(v.byKind).toEqual({ 'seq-gap': 1, 'seq-repeat': 1, 'seq-count': 1 });
    expect(v.list[0]!.message).toBe('seq 2..2 missing: cut at ledger offset 2 starts at seq 3');
  });

  it('an expansion cut (no records, seq not advanced) is fine', () => {
    const h = new HistoryChecker();
    h.genesis(0);
    h.cut({ ledgerOffset: 1, epoch: 1, firstSeq: 1, lastSeq: 1, entries: [{ partition: 0, offset: 0 }] });
    h.cut({ ledgerOffset: 2, epoch: 1, firstSeq: 2, lastSeq: 1, entries: [] });
    h.cut({ ledgerOffset: 3, epoch: 1, firstSeq: 2, lastSeq: 2, entries: [{ partition: 1, offset: 0 }] });
    expect(h.finish([[0], [0]]).violations).toBe(0);
  });

  it('an epoch going down is epoch-decrease, or zombie-wrote when the epoch belongs to a stopped leader', () => {
    const groups: Pos[][] = [[[0, 0]], [[0, 1]], [[0, 2]]];
    expect(check(cuts(groups, [1, 2, 1]), [[0, 1, 2]]).list).toEqual([
      { kind: 'epoch-decrease', message: 'epoch 1 at ledger offset 3 after epoch 2 (from ledger offset 2)' },
    ]);
    expect(check(cuts(groups, [1, 2, 1]), [[0, 1, 2]], { zombies: [1] }).list).toEqual([
      { kind: 'zombie-wrote', message: 'zombie epoch 1 wrote ledger offset 3 after epoch 2 began at ledger offset 2' },
    ]);
    // the zombie's own cuts before the new epoch are fine
    expect(check(cuts(groups, [1, 1, 2]), [[0, 1, 2]], { zombies: [1] }).violations).toBe(0);
  });

  it('names acknowledged records the topic does not hold, and genesis problems', () => {
    expect(check(cuts([[[0, 0]]]), [[0]], { acked: [3] }).list).toEqual([
      { kind: 'lost-acked', message: 'lost-acked p0: the producer had acks up to offset 2, the topic ends at 1' },
    ]);
    const h = new HistoryChecker();
    h.cut({ ledgerOffset: 0, epoch: 1, firstSeq: 1, lastSeq: 0, entries: [] });
    h.genesis(1);
    h.genesis(2);
    expect(h.finish([]).byKind).toEqual({ genesis: 3 });
  });

  it('counts every violation but keeps only the first 200 messages', () => {
    const v = check([], [Array.from({ length: 500 }, (_, i) => i)]);
    expect(v.violations).toBe(500);
    expect(v.list).toHaveLength(200);
    expect(v.list[0]!.message).toBe('missing p0@0');
  });
});
