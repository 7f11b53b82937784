import { describe, expect, it } from 'vitest';
import { takeCut } from '../../../src/sequencer/cut-merge.js';
import { expandCoverage, newPartitionStarts, PartitionDemand } from '../../../src/sequencer/expansion.js';
import { PendingDigests } from '../../../src/sequencer/pending-digests.js';
import type { DigestBatch } from '../../../src/wire/digest-batch-v1.js';

const d = (n: number) => Buffer.alloc(32, n);
function batch(partition: number, from: number, to: number, offsets: number[]): DigestBatch {
  return { partition, from: BigInt(from), to: BigInt(to), entries: offsets.map((o) => ({ offset: BigInt(o), timestampMs: BigInt(o), digest: d(o % 256) })) };
}
const offsets = (lows: number[]) => lows.map((low, partition) => ({ partition, low: BigInt(low), high: BigInt(low + 100) }));

describe('partition expansion (pure part)', () => {
  it('new partitions start at their earliest offset; none when the source has no more', () => {
    expect(newPartitionStarts(2, offsets([0, 0, 0, 5]))).toEqual([0n, 5n]);
    expect(newPartitionStarts(4, offsets([0, 0, 0, 5]))).toEqual([]);
    expect(newPartitionStarts(6, offsets([0, 0]))).toEqual([]);
  });

  it('refuses a hole in the source offsets (a partition number without offsets)', () => {
    const holed = offsets([0, 0, 0]);
    delete (holed as unknown[])[1];
    expect(() => newPartitionStarts(0, holed)).toThrow(/partition 1/);
  });

  it('addPartitions extends coverage, acceptance and queues without touching existing partitions', () => {
    const p = new PendingDigests([{ sourceNext: 10n, digestNext: 3n }]);
    p.accept(batch(0, 10, 12, [10, 11]), 3n);
    p.addPartitions([
      { sourceNext: 0n, digestNext: 0n },
      { sourceNext: 4n, digestNext: 0n },
    ]);
    expect(p.partitions).toBe(3);
    expect(p.sequenced).toEqual([
      { sourceNext: 10n, digestNext: 3n },
      { sourceNext: 0n, digestNext: 0n },
      { sourceNext: 4n, digestNext: 0n },
    ]);
    expect(p.acceptedNext(0)).toBe(12n);
    expect(p.acceptedNext(2)).toBe(4n);
    expect(p.pendingRecords).toBe(2);
  });

  it('an expansion cut has no entries and the longer coverage; old partitions keep the coverage of the last cut', () => {
    const p = new PendingDigests([
      { sourceNext: 0n, digestNext: 0n },
      { sourceNext: 0n, digestNext: 0n },
    ]);
    p.accept(batch(0, 0, 2, [0, 1]), 0n);
    expect(takeCut(p, 100)!.coverage).toEqual([
      { sourceNext: 2n, digestNext: 1n },
      { sourceNext: 0n, digestNext: 0n },
    ]);
    // Accepted after the last cut but not yet taken: not in the expansion cut's coverage.
    p.accept(batch(1, 0, 3, [0, 2]), 0n);
    const cut = expandCoverage(p, [0n, 7n]);
    expect(cut.entries).toEqual([]);
    expect(cut.coverage).toEqual([
      { sourceNext: 2n, digestNext: 1n },
      { sourceNext: 0n, digestNext: 0n },
      { sourceNext: 0n, digestNext: 0n },
      { sourceNext: 7n, digestNext: 0n },
    ]);
    // The cut's coverage is a copy: later cuts do not change what was written.
    p.accept(batch(3, 7, 9, [7, 8]), 0n);
    takeCut(p, 100);
    expect(cut.coverage[3]).toEqual({ sourceNext: 7n, digestNext: 0n });
    expect(() => expandCoverage(p, [])).toThrow(RangeError);
  });

  it('after expansion, new partitions follow the coverage rules and merge into cuts like the others', () => {
    const p = new PendingDigests([{ sourceNext: 0n, digestNext: 0n }]);
    expect(() => p.accept(batch(1, 0, 1, [0]), 0n)).toThrow(/partition 1/);
    expandCoverage(p, [5n]);
    expect(p.accept(batch(1, 6, 8, [6, 7]), 0n)).toEqual({ kind: 'ahead', gapFrom: 5n, gapTo: 6n });
    expect(p.accept(batch(1, 0, 7, [3, 5, 6]), 0n)).toEqual({ kind: 'accepted', trimmed: 1 });
    expect(p.accept(batch(1, 0, 7, [5, 6]), 1n)).toEqual({ kind: 'duplicate' });
    p.accept(batch(0, 0, 2, [0, 1]), 0n);
    const cut = takeCut(p, 100)!;
    expect(cut.entries.map((e) => `${e.partition}:${e.offset}`)).toEqual(['0:0', '0:1', '1:5', '1:6']);
    expect(cut.coverage).toEqual([
      { sourceNext: 2n, digestNext: 1n },
      { sourceNext: 7n, digestNext: 1n },
    ]);
  });
});

describe('PartitionDemand', () => {
  it('is open while more partitions are wanted than covered, and remembers since when', () => {
    const demand = new PartitionDemand();
    expect(demand.beyond(4)).toBe(0);
    demand.want(6, 1_000);
    demand.want(5, 1_500);
    expect(demand.beyond(4)).toBe(6);
    demand.want(7, 2_000);
    expect(demand.beyond(6)).toBe(7);
    expect(demand.openFor(3_000)).toBe(2_000);
    expect(demand.beyond(7)).toBe(0);
    expect(demand.openFor(3_000)).toBe(0);
  });

  it('a demand the coverage already meets closes at once', () => {
    const demand = new PartitionDemand();
    demand.want(3, 0);
    expect(demand.beyond(3)).toBe(0);
    demand.want(3, 10);
    expect(demand.beyond(2)).toBe(3);
    expect(demand.openFor(15)).toBe(5);
  });
});
