import type { DigestBatch, DigestEntry } from '../wire/digest-batch-v1.js';
import type { CoverageSlot } from '../wire/ledger-v1.js';

/** What happened to one digest batch; see docs/DESIGN.md invariant 4. */
export type AcceptOutcome =
  /** Appended; `trimmed` entries were below next[p] and dropped. */
  | { kind: 'accepted'; trimmed: number }
  /** Entirely below next[p]: a worker's at-least-once repeat. */
  | { kind: 'duplicate' }
  /** Starts above next[p]: the owning worker's in-order stream will cover the gap. */
  | { kind: 'ahead'; gapFrom: bigint; gapTo: bigint };

export interface PendingBatch {
  /** End of the source range this batch covers (exclusive). */
  to: bigint;
  /** Offset of the batch in the digest topic, so a new leader can resume from it. */
  digestOffset: bigint;
  entries: DigestEntry[];
  /** Index of the next entry not yet taken into a cut. */
  taken: number;
}

/**
 * Per-partition state of the sequencer between the digest topic and the next cut:
 *  - `accepted[p]`: next source offset not yet accepted (what the trim/drop rules compare to);
 *  - `sequenced[p]`: coverage as of the last cut taken (sourceNext, digestNext);
 *  - the queue of accepted batches not yet fully taken.
 * Pure: no I/O, no clock.
 */
export class PendingDigests {
  readonly queues: PendingBatch[][];
  readonly sequenced: CoverageSlot[];
  private readonly accepted: bigint[];
  private pending = 0;

  constructor(coverage: readonly CoverageSlot[]) {
    this.sequenced = coverage.map((slot) => ({ ...slot }));
    this.accepted = coverage.map((slot) => slot.sourceNext);
    this.queues = coverage.map(() => []);
  }

  get partitions(): number {
    return this.sequenced.length;
  }

  /** Records accepted and not yet taken into a cut. */
  get pendingRecords(): number {
    return this.pending;
  }

  acceptedNext(partition: number): bigint {
    return this.accepted[partition]!;
  }

  accept(batch: DigestBatch, digestOffset: bigint): AcceptOutcome {
    const p = batch.partition;
    const next = this.accepted[p];
    if (next === undefined) throw new RangeError(`partition ${p} is not covered by this chain (${this.partitions} partitions)`);
    if (batch.to <= next) return { kind: 'duplicate' };
    if (batch.from > next) return { kind: 'ahead', gapFrom: next, gapTo: batch.from };
    let first = 0;
    while (first < batch.entries.length && batch.entries[first]!.offset < next) first++;
    const entries = first === 0 ? batch.entries : batch.entries.slice(first);
    this.queues[p]!.push({ to: batch.to, digestOffset, entries, taken: 0 });
    this.accepted[p] = batch.to;
    this.pending += entries.length;
    return { kind: 'accepted', trimmed: first };
  }

  /**
   * Starts covering partitions added to the source topic: one slot per new partition, appended
   * after the last one (partition numbers only grow). Each starts at its own `sourceNext` (where
   * sequencing of the partition begins) and reads its digest partition from `digestNext`.
   */
  addPartitions(slots: readonly CoverageSlot[]): void {
    for (const slot of slots) {
      this.sequenced.push({ ...slot });
      this.accepted.push(slot.sourceNext);
      this.queues.push([]);
    }
  }

  /** Bookkeeping for the cut merge: one entry was taken from the head of a queue. */
  noteTaken(): void {
    this.pending--;
  }

  /**
   * Drops fully taken batches at the head of every queue (advancing coverage past their holes)
   * and records how far a partly taken head batch got.
   */
  settle(): void {
    for (let p = 0; p < this.queues.length; p++) {
      const queue = this.queues[p]!;
      let drained = 0;
      while (drained < queue.length && queue[drained]!.taken === queue[drained]!.entries.length) {
        const batch = queue[drained]!;
        this.sequenced[p] = { sourceNext: batch.to, digestNext: batch.digestOffset + 1n };
        drained++;
      }
      if (drained > 0) queue.splice(0, drained);
      const head = queue[0];
      if (head && head.taken > 0) {
        // Only partly taken: a new leader must read this batch again and trim what is sequenced.
        this.sequenced[p] = { sourceNext: head.entries[head.taken - 1]!.offset + 1n, digestNext: head.digestOffset };
      }
    }
  }
}
