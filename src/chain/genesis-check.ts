/**
 * The ledger's genesis-message rules, which every reader of the ledger checks on each message
 * before the message's own rules: the ledger verifier (`seqchain verify`) and the index's chain
 * follower. The ledger starts with one genesis message, the chain's, and holds no second one.
 * One checker, one report (`Break`). Pure: no I/O.
 */
import { type Break, hex } from './breaks.js';
import type { GenesisParams } from './genesis.js';

/** The chain's genesis as a reader knows it: its hash, and its fields when the reader has them. */
export interface ChainGenesisRef {
  hash: Buffer;
  /** When given, a ledger genesis that is not the chain's names the fields that differ. */
  params?: GenesisParams;
}

/** What the rules look at in one ledger message. */
export type LedgerMessageHead = ({ kind: 'genesis'; hash: Buffer } & GenesisParams) | { kind: 'cut'; cutId: bigint };

/** Where the reader stands before the message. */
export interface GenesisPosition {
  /** A genesis message has been read. */
  sawGenesis: boolean;
  /** The last seq of the chain so far (0 before any cut). */
  seq: bigint;
}

/**
 * Checks one ledger message against the genesis rules: a cut before any genesis message, a
 * genesis message once the chain has begun (a genesis read, or seqs already there), and a genesis
 * message whose hash is not the chain's are each a 'genesis' break at the message's ledger offset.
 */
export function checkGenesisMessage(chain: ChainGenesisRef, at: GenesisPosition, ledgerOffset: bigint, msg: LedgerMessageHead): Break | null {
  if (msg.kind === 'cut') {
    if (at.sawGenesis) return null;
    return {
      kind: 'genesis',
      ledgerOffset,
      message: `ledger offset ${ledgerOffset}: cut ${msg.cutId} before the genesis message (the ledger does not start with the genesis)`,
    };
  }
  const expected = hex(chain.hash);
  const actual = hex(msg.hash);
  if (at.sawGenesis || at.seq !== 0n) {
    return { kind: 'genesis', ledgerOffset, expected, actual, message: `ledger offset ${ledgerOffset}: a second genesis message, after seq ${at.seq}` };
  }
  if (msg.hash.equals(chain.hash)) return null;
  const fields = chain.params ? genesisFieldsDiffering(chain.params, msg) : [];
  const which = fields.length > 0 ? ` (in ${fields.join(', ')})` : '';
  return {
    kind: 'genesis',
    ledgerOffset,
    expected,
    actual,
    message: `ledger offset ${ledgerOffset}: the ledger's genesis ${actual} is not the chain's genesis ${expected}${which}`,
  };
}

/**
 * Which fields of two genesis descriptions differ (the ZooKeeper znode vs the ledger's first
 * message), so a 'genesis' break can say what was changed rather than only that hashes differ.
 */
export function genesisFieldsDiffering(a: GenesisParams, b: GenesisParams): string[] {
  const out: string[] = [];
  if (a.chainId !== b.chainId) out.push('chainId');
  if (a.topic !== b.topic) out.push('topic');
  if (a.start.length !== b.start.length || a.start.some((s, p) => s !== b.start[p])) out.push('start');
  if (a.createdAtMs !== b.createdAtMs) out.push('createdAtMs');
  if (!a.nonce.equals(b.nonce)) out.push('nonce');
  return out;
}
