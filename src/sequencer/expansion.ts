import type { PartitionOffsets } from '../kafka/offsets.js';
import type { CutContent } from './cut-merge.js';
import type { PendingDigests } from './pending-digests.js';

/**
 * Partition expansion, the pure part. Partitions added to the source topic (admin
 * createPartitions) are numbered after the existing ones. The leader starts covering them with
 * an *expansion cut*: a cut with no records whose coverage vector is longer than the previous
 * one. Its slot for each new partition records where sequencing of that partition begins, as
 * the genesis does for the first P partitions. Pure: no I/O, no clock.
 */

/**
 * Where each source partition in [covered, source.length) starts: its earliest offset (0 unless
 * retention already deleted records). Workers read a partition that has no committed offset
 * from its earliest offset too, so nothing produced into a new partition is skipped.
 * Empty when the source has no partition beyond `covered`.
 */
export function newPartitionStarts(covered: number, source: readonly (PartitionOffsets | undefined)[]): bigint[] {
  const starts: bigint[] = [];
  for (let p = covered; p < source.length; p++) {
    const offsets = source[p];
    if (offsets === undefined) throw new RangeError(`no offsets for source partition ${p} (have ${source.length} partitions)`);
    starts.push(offsets.low);
  }
  return starts;
}

/**
 * Extends the pending state with one slot per new partition (digest partition read from 0) and
 * returns the expansion cut: no entries, the coverage of every partition, old ones unchanged.
 */
export function expandCoverage(pending: PendingDigests, starts: readonly bigint[]): CutContent {
  if (starts.length === 0) throw new RangeError('an expansion cut needs at least one new partition');
  pending.addPartitions(starts.map((sourceNext) => ({ sourceNext, digestNext: 0n })));
  return { entries: [], coverage: pending.sequenced.map((slot) => ({ ...slot })) };
}

/**
 * What the leader has been asked to cover: by its periodic check of the source topic, or by a
 * digest batch for a partition beyond its coverage (whose intake then waits). Remembers since
 * when a demand is open, so a demand the source topic never backs (a digest batch for a
 * partition the source does not have) ends in an error instead of a wait forever.
 */
export class PartitionDemand {
  private wanted = 0;
  private since: number | null = null;

  /** Asks for at least `partitions` partitions, at time `now` (ms). */
  want(partitions: number, now: number): void {
    if (partitions <= this.wanted) return;
    this.wanted = partitions;
    this.since ??= now;
  }

  /** Partitions asked for, when more than `covered`; otherwise 0 (and the demand is closed). */
  beyond(covered: number): number {
    if (this.wanted <= covered) {
      this.wanted = 0;
      this.since = null;
      return 0;
    }
    return this.wanted;
  }

  /** How long the open demand has waited at `now`, ms (0 when none is open). */
  openFor(now: number): number {
    return this.since === null ? 0 : now - this.since;
  }
}
