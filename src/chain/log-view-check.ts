/**
 * The log view's checks over the ledger (issue 12, docs/LOG.md): the tree is recomputed from the
 * ledger's digests, one leaf per record, and every cut that carries a checkpoint (SCM2) must say
 * what the recomputed tree says — size = lastSeq, root, border — and, when verifier keys are
 * pinned, be signed by one of them. Pure: no I/O. Cost: one leaf hash per record, node hashes
 * amortised to about one more, plus popcount(size) node hashes for each checkpoint's root.
 */
import { isSeqchainError } from '../errors.js';
import { TreeBorder } from '../tlog/border.js';
import { type Checkpoint, openCheckpoint, parseCheckpoint } from '../tlog/checkpoint.js';
import type { NoteVerifier } from '../tlog/note-key.js';
import { parseNote } from '../tlog/signed-note.js';
import { type Break, hex } from './breaks.js';
import { type CutView, cutAt } from './cut-check.js';

export class LogViewCheck {
  readonly #border = TreeBorder.empty();
  readonly #keys: readonly NoteVerifier[] | null;
  /** Cuts that carried a checkpoint, and how many of them had their signature checked. */
  checkpoints = 0;
  signed = 0;
  /** The last checkpoint seen (size, root, and the note as written). */
  last: { checkpoint: Checkpoint; note: string; ledgerOffset: bigint } | null = null;

  /** `keys`: check each checkpoint's signature under these (null: structure, size, root and border only). */
  constructor(keys: readonly NoteVerifier[] | null) {
    this.#keys = keys === null || keys.length === 0 ? null : [...keys];
  }

  get signaturesChecked(): boolean {
    return this.#keys !== null;
  }

  /** The tree over the cuts added so far. */
  get size(): number {
    return this.#border.size;
  }

  root(): Buffer {
    return this.#border.root();
  }

  /** Appends the cut's leaves (a cut the chain checks passed) and checks its checkpoint, if it carries one. */
  add(cut: CutView): Break | null {
    // The leader's in-place path (no Buffer per leaf or node): about half the ledger pass of verify
    // was this tree when each leaf was a Buffer of its own (docs/PERFORMANCE.md, "verify").
    this.#border.appendRecords(cut.firstSeq, cut.entries);
    const log = cut.log;
    if (log === undefined) {
      // With a pinned key, a cut without a checkpoint after signed ones is what a writer without
      // the key would append: the signature guarantee holds only if every later cut is signed.
      if (this.#keys !== null && this.last !== null) {
        return this.brk(
          cut,
          'checkpoint-signature',
          'a signed checkpoint',
          'none',
          'carries no checkpoint after signed cuts (a writer without the signing key?)',
        );
      }
      return null;
    }
    let checkpoint: Checkpoint;
    try {
      checkpoint = parseCheckpoint(parseNote(log.checkpoint).text);
    } catch (err) {
      return this.brk(cut, 'checkpoint', 'a tlog-checkpoint signed note', 'malformed', `checkpoint does not parse: ${(err as Error).message}`);
    }
    const size = this.#border.size;
    if (BigInt(checkpoint.size) !== cut.lastSeq || checkpoint.size !== size) {
      return this.brk(
        cut,
        'checkpoint',
        String(size),
        String(checkpoint.size),
        `checkpoint size ${checkpoint.size} is not the tree size ${size} (lastSeq ${cut.lastSeq})`,
      );
    }
    const root = this.#border.root();
    if (!checkpoint.root.equals(root)) {
      return this.brk(
        cut,
        'checkpoint',
        hex(root),
        hex(checkpoint.root),
        `checkpoint root differs from the root recomputed from the ledger's digests at size ${size}`,
      );
    }
    const border = this.#border.encode();
    if (!log.border.equals(border)) {
      return this.brk(cut, 'checkpoint', hex(border), hex(log.border), `stored tree border differs from the border recomputed at size ${size}`);
    }
    if (this.#keys !== null) {
      try {
        openCheckpoint(log.checkpoint, this.#keys, this.#keys[0]!.name);
      } catch (err) {
        const why = isSeqchainError(err) ? `${err.code}: ${err.message}` : (err as Error).message;
        return this.brk(
          cut,
          'checkpoint-signature',
          `signed by ${this.#keys.map((k) => k.verifierKey).join(' or ')}`,
          'not',
          `checkpoint is not signed by the pinned key (${why})`,
        );
      }
      this.signed++;
    }
    this.checkpoints++;
    this.last = { checkpoint, note: log.checkpoint, ledgerOffset: cut.ledgerOffset };
    return null;
  }

  private brk(cut: CutView, kind: 'checkpoint' | 'checkpoint-signature', expected: string, actual: string, what: string): Break {
    return { kind, seq: cut.lastSeq, ledgerOffset: cut.ledgerOffset, expected, actual, message: `${cutAt(cut)} (seq ${cut.lastSeq}): ${what}` };
  }
}
