/**
 * Verifies the ledger on its own (no source topic needed): cut after cut, the chain's own
 * invariants (`checkCut`: sequence, counts, hash continuity, every link recomputed from the
 * recorded digests) and the verifier's on top (epochs, copies of cuts, cut ids, positions). It
 * stops at the first break and names it.
 */
import { MalformedMessageError } from '../errors.js';
import { checkU64 } from './bytes.js';
import type { Break } from './breaks.js';
import { checkCut, type CutRules, type CutView, cutAt, entryAt, type LedgerEntry } from './cut-check.js';
import { HASH_BYTES } from './link.js';
import { LogViewCheck } from './log-view-check.js';
import type { NoteVerifier } from '../tlog/note-key.js';

/**
 * How many recent cuts are kept (by reference) to tell a position sequenced twice from one that
 * merely arrived out of order. Offsets must strictly increase per partition either way; this
 * only chooses the name of the break, so memory stays bounded on a ledger of any length.
 */
const RECENT_CUTS = 16;

/** What is kept of a verified cut: enough to recognise a copy of it. */
interface RecentCut {
  cutId: bigint;
  firstSeq: bigint;
  lastSeq: bigint;
  headHash: Buffer;
  ledgerOffset: bigint;
  entries: readonly LedgerEntry[];
}

export class ChainVerifier {
  private readonly start: bigint[];
  private nextSeq = 1n;
  private headHash: Buffer;
  private lastEpoch: bigint | null = null;
  /** seqchain numbers cuts 1, 2, 3, … across epochs (a new leader continues from the ledger tail). */
  private lastCutId = 0n;
  private readonly lastOffset = new Map<number, bigint>();
  private readonly recent: RecentCut[] = [];
  private broken: Break | null = null;
  /** The verifier's own invariants on top of the chain's (`checkCut`): bound once, not per cut. */
  private readonly rules: CutRules = { cut: (cut) => this.checkCutId(cut), entries: (cut) => this.checkPositions(cut) };

  /** The log view's tree over the ledger and its checkpoints' checks (docs/LOG.md); null when not asked for. */
  readonly logView: LogViewCheck | null;

  /**
   * `logView`: also recompute the log view's tree and check every checkpoint against it, and, with
   * `keys`, their signatures. Decided here, once: the tree costs about two more SHA-256 calls per
   * record, which a reader that does not check checkpoints does not pay (null: as before the log view).
   */
  constructor(genesisHash: Buffer, start: readonly bigint[], logView: { keys: readonly NoteVerifier[] | null } | null = null) {
    this.logView = logView === null ? null : new LogViewCheck(logView.keys);
    if (!Buffer.isBuffer(genesisHash) || genesisHash.length !== HASH_BYTES) {
      throw new MalformedMessageError('SCG1', `genesis hash must be ${HASH_BYTES} bytes`, { field: 'genesisHash' });
    }
    if (start.length < 1) {
      throw new MalformedMessageError('SCG1', 'start must list at least one partition (P ≥ 1)', { field: 'start' });
    }
    start.forEach((s, p) => {
      checkU64(s, `start[${p}]`);
    });
    this.start = [...start];
    this.headHash = Buffer.from(genesisHash);
  }

  /** The last verified link (seq 0 and the genesis hash before any cut). */
  get head(): { seq: bigint; hash: Buffer } {
    return { seq: this.nextSeq - 1n, hash: Buffer.from(this.headHash) };
  }

  get firstBreak(): Break | null {
    return this.broken;
  }

  /** Where sequencing of each partition starts: the genesis's, then those the ledger added. */
  get starts(): readonly bigint[] {
    return this.start;
  }

  /**
   * Verifies the next cut. Returns the first break; once broken, returns that break, except
   * that the cuts after a gap are still looked at: if the missing cut turns up later, the gap is
   * renamed 'cut-order' (cuts reordered, not removed). Feed the rest of the ledger to get it.
   * `hashes[i]`, when given, receives h_(firstSeq+i) of a cut that verifies (as in `checkCut`).
   */
  addCut(cut: CutView, hashes?: Buffer[]): Break | null {
    if (this.broken !== null) return this.refine(cut);
    const b = this.check(cut, hashes);
    if (b !== null) this.broken = b;
    return b;
  }

  private refine(cut: CutView): Break {
    const b = this.broken!;
    // Only a gap (seqs missing here) can turn out to be a reordering: the cut that should have
    // come here appears later, with the seq and cut id the chain was waiting for.
    // Naming only: the break keeps its position, and the late cut is not verified further.
    if (
      b.kind !== 'seq-gap' ||
      b.ledgerOffset === undefined ||
      cut.firstSeq !== this.nextSeq ||
      cut.cutId !== this.lastCutId + 1n ||
      !cut.prevHash.equals(this.headHash)
    )
      return b;
    this.broken = {
      ...b,
      kind: 'cut-order',
      message: `cut ${cut.cutId} (seqs ${cut.firstSeq}..${cut.lastSeq}) is at ledger offset ${cut.ledgerOffset}, after a later cut at ledger offset ${b.ledgerOffset} (cuts reordered)`,
    };
    return this.broken;
  }

  private check(cut: CutView, hashes: Buffer[] | undefined): Break | null {
    const at = cutAt(cut);
    const ledgerOffset = cut.ledgerOffset;

    if (this.lastEpoch !== null && cut.epoch < this.lastEpoch) {
      return {
        kind: 'epoch-regressed',
        seq: cut.firstSeq,
        ledgerOffset,
        expected: `>= ${this.lastEpoch}`,
        actual: String(cut.epoch),
        message: `${at}: epoch ${cut.epoch} is below the previous cut's epoch ${this.lastEpoch}`,
      };
    }
    if (cut.firstSeq < this.nextSeq) {
      const copy = this.recent.find(
        (r) => r.cutId === cut.cutId && r.firstSeq === cut.firstSeq && r.lastSeq === cut.lastSeq && r.headHash.equals(cut.headHash),
      );
      if (copy !== undefined) {
        return {
          kind: 'duplicate-cut',
          seq: cut.firstSeq,
          ledgerOffset,
          expected: String(this.nextSeq),
          actual: String(cut.firstSeq),
          message: `${at}: a copy of cut ${copy.cutId} at ledger offset ${copy.ledgerOffset} (seqs ${cut.firstSeq}..${cut.lastSeq}, same head hash) is in the ledger a second time`,
        };
      }
    }
    const checked = checkCut({ seq: this.nextSeq - 1n, hash: this.headHash, cutId: this.lastCutId }, cut, this.rules, hashes);
    if (!checked.ok) return checked.brk;
    const logBreak = this.logView?.add(cut) ?? null;
    if (logBreak !== null) return logBreak;

    this.nextSeq = cut.lastSeq + 1n;
    this.headHash = checked.head;
    this.lastEpoch = cut.epoch;
    this.lastCutId = cut.cutId;
    this.recent.push({ cutId: cut.cutId, firstSeq: cut.firstSeq, lastSeq: cut.lastSeq, headHash: cut.headHash, ledgerOffset, entries: cut.entries });
    if (this.recent.length > RECENT_CUTS) this.recent.shift();
    return null;
  }

  /** Only seqchain's own cuts number on without gaps. */
  private checkCutId(cut: CutView): Break | null {
    if (cut.cutId === this.lastCutId + 1n) return null;
    return {
      kind: 'cut-id',
      seq: cut.firstSeq,
      ledgerOffset: cut.ledgerOffset,
      expected: String(this.lastCutId + 1n),
      actual: String(cut.cutId),
      message: `${cutAt(cut)}: cut id ${cut.cutId} does not follow cut ${this.lastCutId} (seqchain numbers cuts without gaps: a cut from another writer)`,
    };
  }

  /** Every position is in a partition of the chain, at or above its start, once, in offset order. */
  private checkPositions(cut: CutView): Break | null {
    // Partitions added to the source topic: the first cut whose coverage includes one says where
    // it starts (the sequencer writes that in an expansion cut, which has no records).
    if (cut.coverage) for (let p = this.start.length; p < cut.coverage.length; p++) this.start.push(cut.coverage[p]!.sourceNext);

    for (let i = 0; i < cut.entries.length; i++) {
      const e = cut.entries[i]!;
      const start = Number.isInteger(e.partition) && e.partition >= 0 ? this.start[e.partition] : undefined;
      const last = this.lastOffset.get(e.partition);
      // The checks alone per entry; the break (a seq, its fields, its message) only for the one that fails.
      if (start === undefined || e.offset < start || (last !== undefined && e.offset <= last)) return this.positionBreak(cut, i, start, last);
      this.lastOffset.set(e.partition, e.offset);
    }
    return null;
  }

  /** Why entry `i` of the cut fails checkPositions, given its partition's start and last offset. */
  private positionBreak(cut: CutView, i: number, start: bigint | undefined, last: bigint | undefined): Break {
    const e = cut.entries[i]!;
    const seq = cut.firstSeq + BigInt(i);
    const pos = { seq, partition: e.partition, offset: e.offset, ledgerOffset: cut.ledgerOffset };
    if (start === undefined) {
      return {
        kind: 'below-start',
        ...pos,
        expected: `a partition in [0, ${this.start.length})`,
        actual: String(e.partition),
        message: `${entryAt(cut, seq, e)}: partition ${e.partition} is not one of the chain's ${this.start.length} partitions`,
      };
    }
    if (e.offset < start) {
      return {
        kind: 'below-start',
        ...pos,
        expected: `>= ${start}`,
        actual: String(e.offset),
        message: `${entryAt(cut, seq, e)}: offset is below start[${e.partition}] = ${start}, where sequencing of the partition begins`,
      };
    }
    const dup = e.offset === last || this.seenRecently(e.partition, e.offset, cut.entries, i);
    return dup
      ? {
          kind: 'duplicate-position',
          ...pos,
          actual: String(e.offset),
          message: `${entryAt(cut, seq, e)}: position (partition ${e.partition}, offset ${e.offset}) is sequenced a second time`,
        }
      : {
          kind: 'partition-order',
          ...pos,
          expected: `> ${last}`,
          actual: String(e.offset),
          message: `${entryAt(cut, seq, e)}: offset comes after offset ${last} of the same partition (offsets must strictly increase)`,
        };
  }

  private seenRecently(partition: number, offset: bigint, current: readonly LedgerEntry[], before: number): boolean {
    for (let i = 0; i < before; i++) {
      const e = current[i]!;
      if (e.partition === partition && e.offset === offset) return true;
    }
    for (const { entries } of this.recent) {
      for (const e of entries) if (e.partition === partition && e.offset === offset) return true;
    }
    return false;
  }
}
