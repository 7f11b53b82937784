/**
 * The ledger invariants every reader of the chain checks, cut by cut: the ledger verifier
 * (`ChainVerifier`) and the index's chain follower. One checker, one report (`Break`); each
 * reader adds its own rules at fixed places in the order. Pure: no I/O.
 */
import { type Break, hex } from './breaks.js';
import { HASH_BYTES, linkEntries } from './link.js';

export interface LedgerEntry {
  partition: number;
  offset: bigint;
  timestampMs: bigint;
  digest: Buffer;
}

/** What a checker needs of one ledger message (one cut). */
export interface CutView {
  ledgerOffset: bigint;
  epoch: bigint;
  cutId: bigint;
  firstSeq: bigint;
  lastSeq: bigint;
  prevHash: Buffer;
  headHash: Buffer;
  /** In sequence order: entries[i] has seq firstSeq + i. */
  entries: readonly LedgerEntry[];
  /**
   * The cut's coverage vector (next source offset per partition), when known. A vector longer
   * than the partitions known so far adds partitions to the chain (source topic expansion):
   * partition p beyond them starts at coverage[p].sourceNext, as start[p] does in the genesis.
   */
  coverage?: readonly { readonly sourceNext: bigint }[];
  /** The log view an SCM2 cut carries (signed checkpoint note, tree border after the cut): checked by `LogViewCheck`. */
  log?: { readonly checkpoint: string; readonly border: Buffer };
}

/** The chain before a cut: its last link (seq 0 and the genesis hash before any cut). */
export interface ChainHead {
  seq: bigint;
  hash: Buffer;
  /** The last cut's id, when the reader knows it: a seq gap then names the cuts missing. */
  cutId?: bigint;
}

/** A reader's own invariants, checked at their place in `checkCut`'s order. */
export interface CutRules {
  /** Once the cut starts where the chain ends and holds one entry per seq; before its prev hash. */
  cut?(cut: CutView): Break | null;
  /** Once the cut hangs on the chain (prev hash); before its entries are linked. */
  entries?(cut: CutView): Break | null;
}

export type CutCheck = { ok: true; head: Buffer } | { ok: false; brk: Break };

/** `cut <id> at ledger offset <o>`: how breaks name a cut. */
export function cutAt(cut: Pick<CutView, 'cutId' | 'ledgerOffset'>): string {
  return `cut ${cut.cutId} at ledger offset ${cut.ledgerOffset}`;
}

/** `…, seq <s> (partition <p>, offset <o>)`: how breaks name an entry of a cut. */
export function entryAt(cut: Pick<CutView, 'cutId' | 'ledgerOffset'>, seq: bigint, e: LedgerEntry): string {
  return `${cutAt(cut)}, seq ${seq} (partition ${e.partition}, offset ${e.offset})`;
}

/**
 * Checks one cut against the chain before it, in this order: it starts at the seq after the head
 * (seq-gap), holds one entry per seq (count), `rules.cut`, its prev hash is the head's hash
 * (prev-hash), `rules.entries`, every digest is a SHA-256 digest (digest-mismatch), and its
 * entries link to its head hash (head-hash). Returns the first break, or the recomputed head
 * h_lastSeq; `hashes[i]`, when given, receives h_(firstSeq+i).
 */
export function checkCut(head: ChainHead, cut: CutView, rules?: CutRules, hashes?: Buffer[]): CutCheck {
  const at = cutAt(cut);
  const ledgerOffset = cut.ledgerOffset;
  const nextSeq = head.seq + 1n;

  if (cut.firstSeq !== nextSeq) {
    let missing = 'missing';
    if (head.cutId !== undefined && cut.cutId - head.cutId > 1n) {
      const cuts = cut.cutId - head.cutId === 2n ? `cut ${head.cutId + 1n} is` : `cuts ${head.cutId + 1n}..${cut.cutId - 1n} are`;
      missing = `missing: ${cuts} not here (removed, or later in the ledger)`;
    }
    const what = cut.firstSeq > nextSeq ? `seqs ${nextSeq}..${cut.firstSeq - 1n} are ${missing}` : 'it overlaps seqs already sequenced';
    return broken({
      kind: 'seq-gap',
      seq: nextSeq,
      ledgerOffset,
      expected: String(nextSeq),
      actual: String(cut.firstSeq),
      message: `${at}: starts at seq ${cut.firstSeq}, expected ${nextSeq} (${what})`,
    });
  }
  const count = cut.lastSeq - cut.firstSeq + 1n;
  if (count !== BigInt(cut.entries.length)) {
    return broken({
      kind: 'count',
      seq: cut.firstSeq,
      ledgerOffset,
      expected: String(count < 0n ? 0n : count),
      actual: String(cut.entries.length),
      message: `${at}: seqs ${cut.firstSeq}..${cut.lastSeq} need ${count} entries, the cut has ${cut.entries.length}`,
    });
  }
  const byRule = rules?.cut?.(cut);
  if (byRule) return broken(byRule);
  const first = cut.entries[0];
  if (!cut.prevHash.equals(head.hash)) {
    return broken({
      kind: 'prev-hash',
      seq: cut.firstSeq,
      ...(first === undefined ? {} : { partition: first.partition, offset: first.offset }),
      ledgerOffset,
      expected: hex(head.hash),
      actual: hex(cut.prevHash),
      message: `${at}: prevHash does not equal h_${head.seq}, ${head.seq === 0n ? 'the genesis hash' : `the head of the chain before seq ${cut.firstSeq}`}`,
    });
  }
  const byEntryRule = rules?.entries?.(cut);
  if (byEntryRule) return broken(byEntryRule);

  for (let i = 0; i < cut.entries.length; i++) {
    const e = cut.entries[i]!;
    if (e.digest.length !== HASH_BYTES) {
      const seq = cut.firstSeq + BigInt(i);
      return broken({
        kind: 'digest-mismatch',
        seq,
        partition: e.partition,
        offset: e.offset,
        ledgerOffset,
        expected: `${HASH_BYTES} bytes`,
        actual: `${e.digest.length} bytes`,
        message: `${entryAt(cut, seq, e)}: digest is ${e.digest.length} bytes, a SHA-256 digest is ${HASH_BYTES}`,
      });
    }
  }
  const h = linkEntries(head.hash, cut.firstSeq, cut.entries, cut.entries.length, hashes);

  if (!cut.headHash.equals(h)) {
    const last = cut.entries[cut.entries.length - 1];
    return broken({
      kind: 'head-hash',
      seq: cut.lastSeq,
      ...(last === undefined ? {} : { partition: last.partition, offset: last.offset }),
      ledgerOffset,
      expected: hex(h),
      actual: hex(cut.headHash),
      message:
        `${at}: headHash differs from h_${cut.lastSeq} recomputed from the cut's digests ` +
        `(a digest in seqs ${cut.firstSeq}..${cut.lastSeq} or the head hash was altered; match against the source to locate it)`,
    });
  }
  return { ok: true, head: h };
}

function broken(brk: Break): CutCheck {
  return { ok: false, brk };
}
