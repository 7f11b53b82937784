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

/** The meta hash from an HMGET of META_FIELDS, or null when there is none (or it is incomplete). */
export function parseMeta(values: readonly (string | null)[]): IndexMeta | null {
  const [inc, genesis, layout, seq, hash, epoch, cutId, ledgerOffset, updatedAtMs] = values;
  if (!inc || !genesis || !layout || seq == null || !hash || epoch == null || cutId == null || ledgerOffset == null) return null;
  return {
    inc,
    genesisHex: genesis,
    layout,
    head: {
      seq: BigInt(seq),
      hash: Buffer.from(hash, 'hex'),
      epoch: BigInt(epoch),
      cutId: BigInt(cutId),
      ledgerOffset: BigInt(ledgerOffset),
      updatedAtMs: Number(updatedAtMs ?? 0),
    },
  };
}
