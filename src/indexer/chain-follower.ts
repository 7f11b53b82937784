import { breakDetails, hex } from '../chain/breaks.js';
import { checkCut } from '../chain/cut-check.js';
import { checkGenesisMessage } from '../chain/genesis-check.js';
import { ChainBrokenError, MalformedMessageError } from '../errors.js';
import { rejectedLedgerDetails } from '../wire/rejected-message.js';
import type { CutMessage, GenesisMessage, LedgerMessage } from '../wire/ledger-v1.js';

/** Where a follower stands: the last ledger message it has checked and the chain head there. */
export interface FollowPoint {
  seq: bigint;
  hash: Buffer;
  /** -1 before the genesis message. */
  ledgerOffset: bigint;
}

export type FollowStep =
  /** At or below the point already followed (a redelivery, or before the starting point). */
  | { kind: 'skip' }
  /** The message at the starting point matched the index head the follower started from. */
  | { kind: 'confirmed' }
  | { kind: 'genesis'; ledgerOffset: bigint }
  /** A cut that follows the chain; `hashes[i]` is h_(firstSeq+i), recomputed. */
  | { kind: 'cut'; ledgerOffset: bigint; cut: CutMessage; hashes: Buffer[] }
  /** The index head the follower started from is not what the ledger holds there: rebuild it. */
  | { kind: 'mismatch'; reason: string };

/**
 * Follows the chain through the ledger, message by message, recomputing every link
 * (h_g = SHA-256("SCL1" ‖ h_(g-1) ‖ u64 g ‖ d_g)) from the genesis or from a trusted starting
 * point. Pure: no I/O. A message that breaks the chain throws ChainBrokenError and one that does
 * not decode throws MalformedMessageError, both with the chain, seq and ledger offset: the caller
 * stops, and nothing of that message is indexed.
 *
 * Started from an index head (ledgerOffset ≥ 0), the first message it expects is the one at that
 * offset, which must be the head's own message (same last seq and head hash); anything else is a
 * `mismatch`: the index does not describe this ledger.
 */
export class ChainFollower {
  private at: FollowPoint;
  private confirmAt: bigint | null;

  constructor(
    private readonly chain: string,
    private readonly genesisHash: Buffer,
    start: FollowPoint,
  ) {
    this.at = { ...start };
    this.confirmAt = start.ledgerOffset >= 0n ? start.ledgerOffset : null;
  }

  get point(): FollowPoint {
    return this.at;
  }

  next(offset: bigint, message: LedgerMessage | MalformedMessageError): FollowStep {
    if (this.confirmAt !== null) return this.confirm(offset, message);
    if (offset <= this.at.ledgerOffset) return { kind: 'skip' };
    if (message instanceof MalformedMessageError) {
      throw new MalformedMessageError('ledger message v1', `at ledger offset ${offset} of chain ${this.chain} does not decode: ${message.message}`, {
        chain: this.chain,
        ledgerOffset: offset.toString(),
        afterSeq: this.at.seq.toString(),
        ...rejectedLedgerDetails(message, offset),
      });
    }
    if (message.kind === 'genesis') return this.genesis(offset, message);
    return this.cut(offset, message);
  }

  private confirm(offset: bigint, message: LedgerMessage | MalformedMessageError): FollowStep {
    const at = this.confirmAt!;
    if (offset < at) return { kind: 'skip' };
    this.confirmAt = null;
    if (offset > at) return { kind: 'mismatch', reason: `the index head names ledger offset ${at}, which holds no committed message` };
    if (message instanceof MalformedMessageError) return { kind: 'mismatch', reason: `the index head names ledger offset ${at}, which does not decode` };
    const { seq, hash } = this.at;
    const matches =
      message.kind === 'genesis'
        ? seq === 0n && message.hash.equals(this.genesisHash) && hash.equals(this.genesisHash)
        : message.lastSeq === seq && message.headHash.equals(hash);
    if (!matches) return { kind: 'mismatch', reason: `the index head (seq ${seq}, hash ${hex(hash)}) is not what ledger offset ${at} holds` };
    return { kind: 'confirmed' };
  }

  private genesis(offset: bigint, message: GenesisMessage): FollowStep {
    this.checkGenesisRules(offset, message, this.context(offset));
    this.at = { seq: 0n, hash: this.genesisHash, ledgerOffset: offset };
    return { kind: 'genesis', ledgerOffset: offset };
  }

  private cut(offset: bigint, cut: CutMessage): FollowStep {
    const ctx = { ...this.context(offset), cutId: cut.cutId.toString(), epoch: cut.epoch.toString() };
    this.checkGenesisRules(offset, cut, ctx);
    // The same invariants, in the same order, as `seqchain verify` checks (the verifier adds its own).
    const hashes = new Array<Buffer>(cut.entries.length);
    const checked = checkCut(this.at, { ledgerOffset: offset, ...cut }, undefined, hashes);
    if (!checked.ok) throw new ChainBrokenError(`chain ${this.chain}: ${checked.brk.message}`, { ...ctx, ...breakDetails(checked.brk) });
    this.at = { seq: cut.lastSeq, hash: checked.head, ledgerOffset: offset };
    return { kind: 'cut', ledgerOffset: offset, cut, hashes };
  }

  /** The ledger's genesis rules, as `seqchain verify` checks them. */
  private checkGenesisRules(offset: bigint, message: LedgerMessage, ctx: Record<string, unknown>): void {
    const brk = checkGenesisMessage({ hash: this.genesisHash }, { sawGenesis: this.at.ledgerOffset >= 0n, seq: this.at.seq }, offset, message);
    if (brk) throw new ChainBrokenError(`chain ${this.chain}: ${brk.message}`, { ...ctx, ...breakDetails(brk) });
  }

  private context(offset: bigint): Record<string, unknown> {
    return { chain: this.chain, ledgerOffset: offset.toString(), seq: (this.at.seq + 1n).toString() };
  }
}
