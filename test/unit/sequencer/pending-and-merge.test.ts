import { describe, expect, it } from 'vitest';
import { takeCut } from '../../../src/sequencer/cut-merge.js';
import { PendingDigests } from '../../../src/sequencer/pending-digests.js';
import type { DigestBatch } from '../../../src/wire/digest-batch-v1.js';

const d = (n: number) => Buffer.alloc(32, n);
function batch(partition: number, from: number, to: number, offsets: number[], ts: (o: number) => number = (o) => o): DigestBatch {
  return {
    partition,
    from: BigInt(from),
    to: BigInt(to),
    entries: offsets.map((o) => ({ offset: BigInt(o), timestampMs: BigInt(ts(o)), digest: d(o % 256) })),
  };
}
const fresh = (partitions: number, start = 0n) => new PendingDigests(Array.from({ length: partitions }, () => ({ sourceNext: start, digestNext: 0n })));
const positions = (cut: ReturnType<typeof takeCut>) => cut!.entries.map((e) => `${e.partition}:${e.offset}`);

describe('coverage rules (invariant 4)', () => {
  it('accepts a contiguous batch and advances next[p] to its end, holes included', () => {
    const p = fresh(1);
    expect(p.accept(batch(0, 0, 10, [0, 1, 5, 9]), 0n)).toEqual({ kind: 'accepted', trimmed: 0 });
    expect(p.acceptedNext(0)).toBe(10n);
    expect(p.pendingRecords).toBe(4);
  });

  it('trims the part of an overlapping batch that is already accepted', () => {
    const p = fresh(1);
    p.accept(batch(0, 0, 5, [0, 1, 2, 3, 4]), 0n);
    expect(p.accept(batch(0, 3, 8, [3, 4, 5, 6, 7]), 1n)).toEqual({ kind: 'accepted', trimmed: 2 });
    expect(p.pendingRecords).toBe(8);
    expect(positions(takeCut(p, 100))).toEqual(['0:0', '0:1', '0:2', '0:3', '0:4', '0:5', '0:6', '0:7']);
  });

  it('ignores a batch entirely below next[p] (at-least-once repeat)', () => {
    const p = fresh(1);
    p.accept(batch(0, 0, 5, [0, 1, 2, 3, 4]), 0n);
    expect(p.accept(batch(0, 0, 5, [0, 1, 2, 3, 4]), 1n)).toEqual({ kind: 'duplicate' });
    expect(p.pendingRecords).toBe(5);
  });

  it('drops a batch that starts above next[p] and names the gap', () => {
    const p = fresh(1, 100n);
    expect(p.accept(batch(0, 105, 110, [105]), 0n)).toEqual({ kind: 'ahead', gapFrom: 100n, gapTo: 105n });
    expect(p.pendingRecords).toBe(0);
    expect(p.acceptedNext(0)).toBe(100n);
  });

  it('trims records below the genesis start of a partition', () => {
    const p = fresh(1, 3n);
    p.accept(batch(0, 0, 6, [0, 1, 2, 3, 4, 5]), 0n);
    expect(positions(takeCut(p, 100))).toEqual(['0:3', '0:4', '0:5']);
  });

  it('rejects a batch for a partition the chain does not have', () => {
    expect(() => fresh(2).accept(batch(5, 0, 1, [0]), 0n)).toThrow(/partition 5/);
  });
});

describe('cut merge', () => {
  it('merges partitions by timestamp, ties by partition then offset', () => {
    const p = fresh(3);
    p.accept(
      batch(0, 0, 3, [0, 1, 2], (o) => [10, 20, 30][o]!),
      0n,
    );
    p.accept(
      batch(1, 0, 2, [0, 1], (o) => [15, 20][o]!),
      0n,
    );
    p.accept(
      batch(2, 0, 1, [0], () => 10),
      0n,
    );
    expect(positions(takeCut(p, 100))).toEqual(['0:0', '2:0', '1:0', '0:1', '1:1', '0:2']);
  });

  it('never reorders records of one partition, even with timestamps going backwards', () => {
    const p = fresh(2);
    p.accept(
      batch(0, 0, 3, [0, 1, 2], (o) => [50, 5, 1][o]!),
      0n,
    );
    p.accept(
      batch(1, 0, 1, [0], () => 10),
      0n,
    );
    const order = positions(takeCut(p, 100));
    expect(order.filter((s) => s.startsWith('0:'))).toEqual(['0:0', '0:1', '0:2']);
    expect(order).toEqual(['1:0', '0:0', '0:1', '0:2']);
  });

  it('stops at maxRecords and records a partly taken batch so a new leader re-reads it', () => {
    const p = fresh(1);
    p.accept(batch(0, 0, 10, [0, 2, 4, 6, 8]), 7n);
    const first = takeCut(p, 2)!;
    expect(first.entries.map((e) => e.offset)).toEqual([0n, 2n]);
    expect(first.coverage[0]).toEqual({ sourceNext: 3n, digestNext: 7n });
    const second = takeCut(p, 100)!;
    expect(second.entries.map((e) => e.offset)).toEqual([4n, 6n, 8n]);
    expect(second.coverage[0]).toEqual({ sourceNext: 10n, digestNext: 8n });
    expect(takeCut(p, 100)).toBeNull();
  });

  it('advances coverage past empty batches (holes only) once a cut is taken', () => {
    const p = fresh(2);
    p.accept(batch(0, 0, 4, []), 3n);
    p.accept(batch(1, 0, 1, [0]), 0n);
    const cut = takeCut(p, 100)!;
    expect(cut.coverage).toEqual([
      { sourceNext: 4n, digestNext: 4n },
      { sourceNext: 1n, digestNext: 1n },
    ]);
  });

  it('coverage follows a partly taken batch behind a drained one', () => {
    const p = fresh(1);
    p.accept(batch(0, 0, 2, [0, 1]), 0n);
    p.accept(batch(0, 2, 6, [2, 3, 4, 5]), 1n);
    const cut = takeCut(p, 4)!;
    expect(cut.coverage[0]).toEqual({ sourceNext: 4n, digestNext: 1n });
  });

  it('takes every pending record exactly once across many cuts', () => {
    const p = fresh(4);
    let expected = 0;
    for (let part = 0; part < 4; part++) {
      for (let b = 0; b < 5; b++) {
        const offs = Array.from({ length: 7 }, (_, i) => b * 10 + i);
        expected += offs.length;
        p.accept(
          batch(part, b * 10, b * 10 + 10, offs, (o) => (o * 7919 + part * 31) % 97),
          BigInt(b),
        );
      }
    }
    const seen = new Set<string>();
    let cut;
    while ((cut = takeCut(p, 13))) for (const s of positions(cut)) seen.add(s);
    expect(seen.size).toBe(expected);
    expect(p.sequenced.map((s) => s.sourceNext)).toEqual([50n, 50n, 50n, 50n]);
  });
});
