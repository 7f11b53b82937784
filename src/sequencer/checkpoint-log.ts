/**
 * The leader's side of the log view (docs/LOG.md): the tree's right border over the chain, and a
 * signed checkpoint for each cut. A term rebuilds the border from the ledger before it signs
 * anything (a log never signs two inconsistent checkpoints): from the tail cut's stored border
 * when it is SCM2 and signed by this key, else from every cut's digests since the genesis (the
 * log view switched on for an existing chain).
 */
import type { Kafka } from 'kafkajs';
import { SeqchainError } from '../errors.js';
import { readLedger } from '../kafka/ledger-reader.js';
import type { ChainHead } from '../kafka/ledger-tail.js';
import type { Logger } from '../log.js';
import { TreeBorder } from '../tlog/border.js';
import { openCheckpoint, signCheckpoint } from '../tlog/checkpoint.js';
import type { NoteSigner } from '../tlog/note-key.js';
import type { CutEntry, CutLogView } from '../wire/ledger-v1.js';

export class CheckpointLog {
  #border: TreeBorder | null = null;
  /**
   * The borders of cuts signed but not committed yet, in order (the sequencer prepares one cut
   * while the one before commits): each next cut extends the last of them.
   */
  #pending: TreeBorder[] = [];

  /** The log's name (the checkpoint origin), which every signer's key carries. */
  readonly origin: string;

  /** Several signers while a key is rotated: each checkpoint carries a signature by each. */
  constructor(readonly signers: readonly NoteSigner[]) {
    if (signers.length === 0) throw new TypeError('CheckpointLog needs at least one signer');
    this.origin = signers[0]!.name;
  }

  /** Forgets the border: the next term rebuilds it from the ledger. */
  reset(): void {
    this.#border = null;
    this.#pending = [];
  }

  get size(): number | null {
    return this.#border?.size ?? null;
  }

  /**
   * Rebuilds the border for a term whose head was read from the ledger tail. Returns how it was
   * rebuilt ('genesis', 'tail' or 'ledger') and how long it took.
   */
  async recover(opts: { head: ChainHead; kafka: Kafka; ledgerTopic: string; groupPrefix: string; logger: Logger }): Promise<{ from: string; ms: number }> {
    const started = Date.now();
    const { head } = opts;
    this.reset();
    if (head.seq === 0n) {
      this.#border = TreeBorder.empty();
      return { from: 'genesis', ms: 0 };
    }
    if (head.log !== undefined) {
      this.#border = this.fromTail(head, head.log);
      return { from: 'tail', ms: Date.now() - started };
    }
    const border = TreeBorder.empty();
    let failure: Error | null = null;
    await readLedger({
      kafka: opts.kafka,
      ledgerTopic: opts.ledgerTopic,
      from: 0n,
      to: head.ledgerOffset + 1n,
      groupPrefix: opts.groupPrefix,
      logger: opts.logger,
      onMessage: (offset, msg) => {
        if (failure !== null) return;
        if (msg instanceof Error) {
          failure = msg;
          return;
        }
        if (msg.kind !== 'cut') return;
        if (msg.firstSeq !== BigInt(border.size) + 1n) {
          failure = new Error(`cut ${msg.cutId} at ledger offset ${offset} starts at seq ${msg.firstSeq}, the tree has ${border.size} leaves`);
          return;
        }
        border.appendRecords(msg.firstSeq, msg.entries);
      },
    });
    if (failure !== null || BigInt(border.size) !== head.seq) {
      const why =
        failure === null ? `the ledger up to offset ${head.ledgerOffset} gives ${border.size} leaves, the head is seq ${head.seq}` : (failure as Error).message;
      throw new SeqchainError('SEQCHAIN_ERR_CHAIN_BROKEN', `log view: cannot rebuild the tree from ${opts.ledgerTopic}: ${why}; refusing to sign`, {
        details: { topic: opts.ledgerTopic, seq: head.seq.toString() },
      });
    }
    this.#border = border;
    return { from: 'ledger', ms: Date.now() - started };
  }

  /**
   * The tail's stored border, if its checkpoint is signed by one of this leader's keys and says what
   * the border says. A rotation therefore overlaps: the new key joins before the old one leaves.
   */
  private fromTail(head: ChainHead, log: CutLogView): TreeBorder {
    const refuse = (why: string): never => {
      throw new SeqchainError(
        'SEQCHAIN_ERR_CHAIN_BROKEN',
        `log view: the checkpoint of the ledger tail (offset ${head.ledgerOffset}, seq ${head.seq}) ${why}; refusing to sign`,
        {
          details: { ledgerOffset: head.ledgerOffset.toString(), seq: head.seq.toString() },
        },
      );
    };
    let border: TreeBorder;
    try {
      border = TreeBorder.decode(Number(head.seq), log.border);
    } catch (err) {
      return refuse(`holds no usable border: ${(err as Error).message}`);
    }
    let opened;
    try {
      opened = openCheckpoint(
        log.checkpoint,
        this.signers.map((s) => s.verifier),
        this.origin,
      );
    } catch (err) {
      // Written by a writer without these keys (or under another key): never build on it.
      return refuse(`is not signed by ${this.signers.map((s) => s.verifierKey).join(' or ')}: ${(err as Error).message}`);
    }
    if (opened.checkpoint.size !== border.size || !opened.checkpoint.root.equals(border.root())) refuse('does not match its stored border');
    return border;
  }

  /** The log view of the next cut: appends its leaves to a copy of the last border and signs the checkpoint. */
  next(firstSeq: bigint, entries: readonly CutEntry[]): CutLogView {
    const current = this.#pending.at(-1) ?? this.#border;
    if (current === null) throw new SeqchainError('SEQCHAIN_ERR_CHAIN_BROKEN', 'log view: no tree border (the term did not rebuild it): refusing to sign');
    const next = current.clone();
    next.appendRecords(firstSeq, entries);
    this.#pending.push(next);
    return { checkpoint: signCheckpoint({ origin: this.origin, size: next.size, root: next.root() }, this.signers), border: next.encode() };
  }

  /** The oldest signed cut's transaction committed: its border is the tree's. */
  committed(): void {
    const next = this.#pending.shift();
    if (next !== undefined) this.#border = next;
  }
}
