/**
 * Matches the ledger against the source topic, streaming: per partition, the ledger's entries
 * (in offset order, with their seq) are queued by `expect`, and the source records, recomputed
 * to digests by the caller, are fed by `observe` in offset order. Only ledger entries not yet
 * matched are held in memory, never the source.
 *
 * Contract per partition p:
 *  - `expect(p, entries, coveredUntil)`: the next ledger entries of p, and the ledger's coverage
 *    end for p after them (every ledger entry of p below `coveredUntil` has now been expected).
 *  - `observe(p, offset, digest)`: a source record, read from start[p] on, strictly increasing,
 *    below the coverage declared so far.
 *  - `finish(p, endOffset)`: the source holds no further records below `endOffset` (≤ coverage).
 *  - `skipDeleted(p, until)`: retention deleted the source below `until`; matching goes on from there.
 *  - `addPartition(start)`: a partition added to the source topic after the genesis, starting at
 *    `start` (from the first ledger cut that covers it). Its source is read from the partition's
 *    earliest offset, which may be below `start`: the sequencer starts a new partition at its
 *    earliest offset, so a record below `start` was never sequenced, and is a break.
 * A caller that breaks the contract gets a `SeqchainError` (SEQCHAIN_ERR_USAGE); a ledger that
 * does not match the source gets a `Break`. The first break is kept and returned from then on.
 */
import { SeqchainError } from '../errors.js';
import { checkU64 } from './bytes.js';
import { type Break, hex } from './breaks.js';

const DIGEST_BYTES = 32;

export interface MatchEntry {
  seq: bigint;
  offset: bigint;
  digest: Buffer;
}

interface PartitionState {
  readonly start: bigint;
  /** The expected ledger entries not yet matched, in offset order (entry 0 is the next). */
  readonly queue: EntryQueue;
  /** Offset of the last expected ledger entry. */
  lastExpected: bigint | null;
  /** Every ledger entry below this offset has been expected. */
  covered: bigint;
  /** The source may deliver only offsets at or above this. */
  sourceNext: bigint;
  /** Added after the genesis: the source is read from below `start`, and records there are missing. */
  readonly added: boolean;
}

export class SourceMatcher {
  private readonly partitions: PartitionState[];
  private broken: Break | null = null;
  private matchedCount = 0n;

  constructor(start: readonly bigint[]) {
    if (start.length < 1) throw new SeqchainError('SEQCHAIN_ERR_USAGE', 'SourceMatcher: start must list at least one partition');
    this.partitions = start.map((s, p) => {
      checkU64(s, `start[${p}]`);
      return { start: s, queue: new EntryQueue(), lastExpected: null, covered: s, sourceNext: s, added: false };
    });
  }

  /** Partitions known so far (the genesis's, then those added). */
  get partitionCount(): number {
    return this.partitions.length;
  }

  /** Adds the next partition (number partitionCount), which starts at `start`; see the contract above. */
  addPartition(start: bigint): void {
    checkU64(start, `start[${this.partitions.length}]`);
    this.partitions.push({ start, queue: new EntryQueue(), lastExpected: null, covered: start, sourceNext: 0n, added: true });
  }

  get firstBreak(): Break | null {
    return this.broken;
  }

  /** Ledger entries matched against a source record with the same digest. */
  get matched(): bigint {
    return this.matchedCount;
  }

  /** Ledger entries of `partition` expected but not yet matched. */
  pending(partition: number): number {
    return this.state(partition).queue.length;
  }

  expect(partition: number, entries: readonly MatchEntry[], coveredUntil: bigint): Break | null {
    if (this.broken !== null) return this.broken;
    const st = this.state(partition);
    for (const e of entries) {
      // The checks alone per entry; a break's fields and message are built only for the entry that fails.
      if (e.offset < st.start || (st.lastExpected !== null && e.offset <= st.lastExpected)) return this.fail(this.entryBreak(st, partition, e));
      st.lastExpected = e.offset;
      st.queue.push(e.seq, e.offset, e.digest);
    }
    if (coveredUntil < st.covered || (st.lastExpected !== null && coveredUntil <= st.lastExpected)) {
      const need = st.lastExpected !== null && st.lastExpected + 1n > st.covered ? st.lastExpected + 1n : st.covered;
      return this.fail({
        kind: 'partition-order',
        partition,
        expected: `>= ${need}`,
        actual: String(coveredUntil),
        message: `partition ${partition}: ledger coverage end ${coveredUntil} is below ${need} (coverage went backwards or excludes a sequenced offset)`,
      });
    }
    st.covered = coveredUntil;
    return null;
  }

  /** Why `e` cannot be expected next in `partition`: below the start, or not after the last one expected. */
  private entryBreak(st: PartitionState, partition: number, e: MatchEntry): Break {
    const pos = { seq: e.seq, partition, offset: e.offset };
    const where = `ledger seq ${e.seq} (partition ${partition}, offset ${e.offset})`;
    if (e.offset < st.start) {
      return {
        kind: 'below-start',
        ...pos,
        expected: `>= ${st.start}`,
        actual: String(e.offset),
        message: `${where}: offset is below start[${partition}] = ${st.start}`,
      };
    }
    return e.offset === st.lastExpected
      ? {
          kind: 'duplicate-position',
          ...pos,
          actual: String(e.offset),
          message: `${where}: position is in the ledger twice`,
        }
      : {
          kind: 'partition-order',
          ...pos,
          expected: `> ${st.lastExpected}`,
          actual: String(e.offset),
          message: `${where}: offset comes after offset ${st.lastExpected} of the same partition`,
        };
  }

  observe(partition: number, offset: bigint, digest: Buffer): Break | null {
    if (this.broken !== null) return this.broken;
    const st = this.state(partition);
    if (offset < st.sourceNext) {
      throw new SeqchainError(
        'SEQCHAIN_ERR_USAGE',
        `SourceMatcher: source offset ${offset} of partition ${partition} is below ${st.sourceNext} (read from start[p], in order)`,
      );
    }
    if (offset >= st.covered) {
      throw new SeqchainError(
        'SEQCHAIN_ERR_USAGE',
        `SourceMatcher: source offset ${offset} of partition ${partition} is beyond the ledger coverage ${st.covered} expected so far`,
      );
    }
    st.sourceNext = offset + 1n;
    if (offset < st.start) {
      return this.fail({
        kind: 'missing-in-ledger',
        partition,
        offset,
        expected: hex(digest),
        message: `source record (partition ${partition}, offset ${offset}) is below ${st.start}, where the ledger starts the partition (added to the source topic after the genesis): it was never sequenced`,
      });
    }
    const skipped = this.notInSourceBelow(st, partition, offset);
    if (skipped !== null) return skipped;

    const q = st.queue;
    if (q.length === 0 || q.offset(0) !== offset) {
      return this.fail({
        kind: 'missing-in-ledger',
        partition,
        offset,
        expected: hex(digest),
        message: `source record (partition ${partition}, offset ${offset}) is not in the ledger, which covers the partition up to offset ${st.covered}`,
      });
    }
    if (!q.digestEquals(0, digest)) {
      const seq = q.seq(0);
      return this.fail({
        kind: 'digest-mismatch',
        seq,
        partition,
        offset,
        expected: hex(digest),
        actual: hex(q.digest(0)),
        message: `ledger seq ${seq} (partition ${partition}, offset ${offset}): digest differs from the source record's digest`,
      });
    }
    q.shift();
    this.matchedCount++;
    return null;
  }

  /**
   * The source no longer holds `partition` below `until` (retention deleted it): the ledger
   * entries there cannot be matched and are dropped unchecked (their links were checked by the
   * ledger verifier); the source is read on from `until`. Returns how many entries were dropped.
   */
  skipDeleted(partition: number, until: bigint): number {
    const st = this.state(partition);
    if (until < st.sourceNext) {
      throw new SeqchainError(
        'SEQCHAIN_ERR_USAGE',
        `SourceMatcher: skipDeleted(${partition}, ${until}) is below ${st.sourceNext}, where the source was read to`,
      );
    }
    const end = until < st.covered ? until : st.covered;
    let dropped = 0;
    while (st.queue.length > 0 && st.queue.offset(0) < end) {
      st.queue.shift();
      dropped++;
    }
    st.sourceNext = end;
    return dropped;
  }

  finish(partition: number, endOffset: bigint): Break | null {
    if (this.broken !== null) return this.broken;
    const st = this.state(partition);
    if (endOffset > st.covered) {
      throw new SeqchainError(
        'SEQCHAIN_ERR_USAGE',
        `SourceMatcher: finish(${partition}, ${endOffset}) is beyond the ledger coverage ${st.covered} expected so far`,
      );
    }
    if (endOffset > st.sourceNext) st.sourceNext = endOffset;
    return this.notInSourceBelow(st, partition, endOffset);
  }

  private notInSourceBelow(st: PartitionState, partition: number, offset: bigint): Break | null {
    const q = st.queue;
    if (q.length === 0 || q.offset(0) >= offset) return null;
    const seq = q.seq(0);
    const at = q.offset(0);
    return this.fail({
      kind: 'not-in-source',
      seq,
      partition,
      offset: at,
      actual: hex(q.digest(0)),
      message: `ledger seq ${seq} (partition ${partition}, offset ${at}) has no record in the source topic`,
    });
  }

  private state(partition: number): PartitionState {
    const st = Number.isInteger(partition) && partition >= 0 ? this.partitions[partition] : undefined;
    if (st === undefined) {
      throw new SeqchainError('SEQCHAIN_ERR_USAGE', `SourceMatcher: partition ${partition} is not one of the chain's ${this.partitions.length} partitions`);
    }
    return st;
  }

  private fail(b: Break): Break {
    this.broken = b;
    return b;
  }
}

/**
 * A FIFO of expected entries held in three typed arrays (seq, offset, 32-byte digest), not as one
 * object per entry: verify expects a whole ledger's entries before it reads the source, and a
 * million small objects surviving into V8's old generation made a fifth of its time garbage
 * collection (docs/PERFORMANCE.md, "verify"). The digests are copied, so no ledger fetch buffer
 * stays referenced either.
 */
class EntryQueue {
  private seqs = new BigUint64Array(16);
  private offsets = new BigUint64Array(16);
  private digests = Buffer.allocUnsafe(16 * DIGEST_BYTES);
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(seq: bigint, offset: bigint, digest: Buffer): void {
    if (digest.length !== DIGEST_BYTES) throw new SeqchainError('SEQCHAIN_ERR_USAGE', `SourceMatcher: a digest is ${DIGEST_BYTES} bytes, got ${digest.length}`);
    if (this.tail === this.seqs.length) this.makeRoom();
    this.seqs[this.tail] = seq;
    this.offsets[this.tail] = offset;
    digest.copy(this.digests, this.tail * DIGEST_BYTES);
    this.tail++;
  }

  /** Entry `i` after the head (0 = the next to match); the caller checks `length` first. */
  seq(i: number): bigint {
    return this.seqs[this.head + i]!;
  }

  offset(i: number): bigint {
    return this.offsets[this.head + i]!;
  }

  digest(i: number): Buffer {
    const at = (this.head + i) * DIGEST_BYTES;
    return Buffer.from(this.digests.subarray(at, at + DIGEST_BYTES));
  }

  digestEquals(i: number, digest: Buffer): boolean {
    const at = (this.head + i) * DIGEST_BYTES;
    return digest.length === DIGEST_BYTES && this.digests.compare(digest, 0, DIGEST_BYTES, at, at + DIGEST_BYTES) === 0;
  }

  shift(): void {
    this.head++;
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  /** Moves the live entries to the front, or doubles the arrays when more than half are live. */
  private makeRoom(): void {
    const live = this.length;
    if (live * 2 > this.seqs.length) {
      const seqs = new BigUint64Array(this.seqs.length * 2);
      const offsets = new BigUint64Array(this.seqs.length * 2);
      const digests = Buffer.allocUnsafe(this.seqs.length * 2 * DIGEST_BYTES);
      seqs.set(this.seqs.subarray(this.head, this.tail));
      offsets.set(this.offsets.subarray(this.head, this.tail));
      this.digests.copy(digests, 0, this.head * DIGEST_BYTES, this.tail * DIGEST_BYTES);
      this.seqs = seqs;
      this.offsets = offsets;
      this.digests = digests;
    } else {
      this.seqs.copyWithin(0, this.head, this.tail);
      this.offsets.copyWithin(0, this.head, this.tail);
      this.digests.copy(this.digests, 0, this.head * DIGEST_BYTES, this.tail * DIGEST_BYTES);
    }
    this.head = 0;
    this.tail = live;
  }
}
