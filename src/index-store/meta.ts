import { MalformedMessageError } from '../errors.js';

/**
 * The `meta` hash of a chain's index (./keys.ts): which genesis, layout and incarnation the index
 * belongs to, and its head. Pure parsing; the Lua scripts (./scripts.ts) write it.
 */

/** The head of the index: the last ledger message whose records are all indexed. */
export interface IndexHead {
  /** Last indexed global seq; 0 when only the genesis (or nothing) is indexed. */
  seq: bigint;
  /** h_seq; the genesis hash at seq 0. */
  hash: Buffer;
  epoch: bigint;
  cutId: bigint;
  /** Ledger offset of the last indexed message; -1 when not even the genesis message is indexed. */
  ledgerOffset: bigint;
  /** When the head last moved (ms since the epoch). */
  updatedAtMs: number;
}

export interface IndexMeta {
  inc: string;
  genesisHex: string;
  layout: string;
  head: IndexHead;
}

/** HMGET order of the fields parseMeta reads. */
export const META_FIELDS = ['inc', 'genesis', 'layout', 'seq', 'hash', 'epoch', 'cutId', 'ledgerOffset', 'updatedAtMs'] as const;

/**
 * The meta hash from an HMGET of META_FIELDS, or null when there is none (or it is incomplete).
 * A field that is present but not what the scripts write (a hand edit, another program's key)
 * is a MalformedMessageError naming it: BigInt() alone would accept "", " 7", "0x10" and "007",
 * and Buffer.from(hex) silently drops what is not hex, so a corrupt head would pass as another.
 */
export function parseMeta(values: readonly (string | null)[]): IndexMeta | null {
  const [inc, genesis, layout, seq, hash, epoch, cutId, ledgerOffset, updatedAtMs] = values;
  if (!inc || !genesis || !layout || seq == null || !hash || epoch == null || cutId == null || ledgerOffset == null) return null;
  return {
    inc,
    genesisHex: genesis,
    layout,
    head: {
      seq: decimal('seq', seq, 0n),
      hash: hex32('hash', hash),
      epoch: decimal('epoch', epoch, 0n),
      cutId: decimal('cutId', cutId, 0n),
      ledgerOffset: decimal('ledgerOffset', ledgerOffset, -1n),
      updatedAtMs: updatedAtMs == null ? 0 : Number(decimal('updatedAtMs', updatedAtMs, 0n)),
    },
  };
}

const FORMAT = 'index meta';

function decimal(field: string, v: string, min: bigint): bigint {
  if (!/^-?(0|[1-9][0-9]{0,19})$/.test(v) || v === '-0')
    throw new MalformedMessageError(FORMAT, `field ${field} must be a decimal integer, got ${JSON.stringify(v.slice(0, 40))}`, { field });
  const n = BigInt(v);
  if (n < min) throw new MalformedMessageError(FORMAT, `field ${field} is ${v}, below ${min}`, { field });
  return n;
}

function hex32(field: string, v: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(v))
    throw new MalformedMessageError(FORMAT, `field ${field} must be 64 lowercase hex digits, got ${JSON.stringify(v.slice(0, 70))}`, { field });
  return Buffer.from(v, 'hex');
}
