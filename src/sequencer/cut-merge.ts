import type { CoverageSlot, CutEntry } from '../wire/ledger-v1.js';
import type { PendingBatch, PendingDigests } from './pending-digests.js';

export interface CutContent {
  entries: CutEntry[];
  /** Coverage after this cut, for every source partition. */
  coverage: CoverageSlot[];
}

/**
 * Takes up to `maxRecords` pending records into one cut. Partitions are merged by record
 * timestamp, ties by partition then offset; each partition's records are only ever taken from
 * the head of its queue, so the order inside a partition is kept even when its timestamps are
 * not monotonic. Returns null when no record is pending: a record cut holds at least one record,
 * even when coverage moved.
 */
export function takeCut(pending: PendingDigests, maxRecords: number): CutContent | null {
  pending.settle();
  const queues = pending.queues;
  const entries: CutEntry[] = [];
  // Head cursor per partition: [batch index, entry index] into that partition's queue.
  const batchAt = new Array<number>(queues.length).fill(0);

  while (entries.length < maxRecords) {
    let best = -1;
    let bestTs = 0n;
    for (let p = 0; p < queues.length; p++) {
      const head = headOf(queues[p]!, batchAt, p);
      if (!head) continue;
      const ts = head.entries[head.taken]!.timestampMs;
      // Ties keep the lower partition, because partitions are scanned in order.
      if (best === -1 || ts < bestTs) {
        best = p;
        bestTs = ts;
      }
    }
    if (best === -1) break;
    const batch = queues[best]![batchAt[best]!]!;
    const entry = batch.entries[batch.taken++]!;
    pending.noteTaken();
    entries.push({ partition: best, offset: entry.offset, timestampMs: entry.timestampMs, digest: entry.digest });
  }
  pending.settle();
  if (entries.length === 0) return null;
  return { entries, coverage: pending.sequenced.map((slot) => ({ ...slot })) };
}

function headOf(queue: readonly PendingBatch[], batchAt: number[], p: number): PendingBatch | undefined {
  let i = batchAt[p]!;
  while (i < queue.length && queue[i]!.taken === queue[i]!.entries.length) i++;
  batchAt[p] = i;
  return i < queue.length ? queue[i]! : undefined;
}
