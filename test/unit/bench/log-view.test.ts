import { describe, expect, it } from 'vitest';
import { checkpointLags, indexBytes, indexKeyKind } from '../../../bench/lib/log-view.js';

describe('checkpoint lag (bench/lib/log-view.ts)', () => {
  it('takes, for each cut, the first answer that covers its end, from the moment the cut was visible', () => {
    const cuts = [
      { lastSeq: 100, visibleAt: 1_000, closedAt: 990 },
      { lastSeq: 250, visibleAt: 1_010, closedAt: 1_000 },
      { lastSeq: 400, visibleAt: 1_020, closedAt: 1_012 },
    ];
    const polls = [
      { at: 1_001, size: 50 },
      { at: 1_004, size: 100 },
      { at: 1_011, size: 100 },
      // one answer covers two cuts: the second's lag is from its own visibility
      { at: 1_016, size: 400 },
    ];
    expect(checkpointLags(cuts, polls)).toEqual({ lagMs: [4, 6, 0], fromCloseMs: [14, 16, 4], uncovered: 0 });
  });

  it('counts an answer that came before the reader saw the cut as lag 0, and cuts after the last answer as uncovered', () => {
    const cuts = [
      { lastSeq: 10, visibleAt: 2_000, closedAt: 1_990 },
      { lastSeq: 20, visibleAt: 2_010, closedAt: 2_005 },
    ];
    expect(checkpointLags(cuts, [{ at: 1_998, size: 10 }])).toEqual({ lagMs: [0], fromCloseMs: [8], uncovered: 1 });
  });

  it('never credits a size before it was first served, even if a later answer is smaller', () => {
    // a smaller size after a larger one (another replica's index behind) does not uncover the cut again
    const cuts = [{ lastSeq: 30, visibleAt: 100, closedAt: 90 }];
    expect(
      checkpointLags(cuts, [
        { at: 101, size: 10 },
        { at: 105, size: 30 },
        { at: 107, size: 20 },
      ]).lagMs,
    ).toEqual([5]);
  });
});

describe('index bytes by kind of key', () => {
  const prefix = 'seqchain:c1:';
  it('names the kinds of the layout-2 keys', () => {
    expect(indexKeyKind(prefix, 'seqchain:c1:meta')).toBe('meta');
    expect(indexKeyKind(prefix, 'seqchain:c1:lease')).toBe('lease');
    expect(indexKeyKind(prefix, 'seqchain:c1:a1b2c3d4e5f6:e:12')).toBe('e');
    expect(indexKeyKind(prefix, 'seqchain:c1:a1b2c3d4e5f6:p:3:77')).toBe('p');
    expect(indexKeyKind(prefix, 'seqchain:c1:a1b2c3d4e5f6:d:0:2047')).toBe('d');
    expect(indexKeyKind(prefix, 'seqchain:c1:a1b2c3d4e5f6:dx')).toBe('dx');
    expect(indexKeyKind(prefix, 'seqchain:c1:a1b2c3d4e5f6:t:0:4')).toBe('t');
    expect(indexKeyKind(prefix, 'seqchain:c1:a1b2c3d4e5f6:ck')).toBe('ck');
    expect(indexKeyKind(prefix, 'seqchain:c10:meta')).toBe('other');
  });

  it('sums the bytes by kind and gives the log view its share (tiles and checkpoints)', () => {
    const got = indexBytes(prefix, [
      ['seqchain:c1:meta', 300],
      ['seqchain:c1:i:e:0', 1_000],
      ['seqchain:c1:i:e:1', 1_000],
      ['seqchain:c1:i:t:0:0', 122_960],
      ['seqchain:c1:i:t:1:0', 122_960],
      ['seqchain:c1:i:ck', 500],
    ]);
    expect(got).toEqual({ total: 248_720, logView: 246_420, byKind: { meta: 300, e: 2_000, t: 245_920, ck: 500 } });
  });
});
