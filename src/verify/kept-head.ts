/**
 * A head kept from an earlier look at the chain (`verify --json`, `GET /v1/head`), checked the
 * way a transparency-log client checks a tree head it saw before: the chain must still reach
 * that seq, and hold that hash there. On its own a ledger cut short at the end is a consistent,
 * shorter chain; only someone who kept a later head can tell. Pure: parsing and comparison.
 */
import { hex, type Break } from '../chain/breaks.js';
import type { CutView } from '../chain/cut-check.js';
import { HASH_BYTES, linkEntries } from '../chain/link.js';
import { ConfigError, SeqchainError } from '../errors.js';

export interface KeptHead {
  seq: bigint;
  hash: Buffer;
}

/** `<seq>:<hash hex>`, as `formatHead` writes it (and the head file holds, one line). */
export function parseHead(text: string, source = 'head'): KeptHead {
  const m = /^\s*(\d{1,20}):([0-9a-fA-F]+)\s*$/.exec(text);
  if (m === null || m[2]!.length !== HASH_BYTES * 2) {
    throw new ConfigError(`${source} ${JSON.stringify(text.trim().slice(0, 100))} is not <seq>:<64 hex digits>`, { source });
  }
  return { seq: BigInt(m[1]!), hash: Buffer.from(m[2]!, 'hex') };
}

export function formatHead(head: KeptHead): string {
  return `${head.seq}:${hex(head.hash)}`;
}

/** h_seq recomputed inside a cut that verified (firstSeq - 1 ≤ seq ≤ lastSeq). */
export function hashInCut(cut: Pick<CutView, 'firstSeq' | 'lastSeq' | 'prevHash' | 'entries'>, seq: bigint): Buffer {
  if (seq < cut.firstSeq - 1n || seq > cut.lastSeq) {
    throw new SeqchainError('SEQCHAIN_ERR_USAGE', `hashInCut: seq ${seq} is not in [${cut.firstSeq - 1n}, ${cut.lastSeq}]`);
  }
  return linkEntries(cut.prevHash, cut.firstSeq, cut.entries, Number(seq - cut.firstSeq + 1n));
}

/**
 * Compares the kept head with the chain as verified: `lastSeq` is the chain's last seq, and
 * `hashAtKept` the chain's hash at `kept.seq` (null when the chain ends before it).
 */
export function checkKeptHead(kept: KeptHead, lastSeq: bigint, hashAtKept: Buffer | null): Break | null {
  if (lastSeq < kept.seq || hashAtKept === null) {
    return {
      kind: 'truncated',
      seq: kept.seq,
      expected: `a chain reaching seq ${kept.seq}`,
      actual: `ends at seq ${lastSeq}`,
      message: `the chain ends at seq ${lastSeq}, before seq ${kept.seq} of the kept head: the ledger was cut short (or rolled back) since that head was seen`,
    };
  }
  if (!hashAtKept.equals(kept.hash)) {
    return {
      kind: 'fork',
      seq: kept.seq,
      expected: hex(kept.hash),
      actual: hex(hashAtKept),
      message: `seq ${kept.seq}: the chain's hash differs from the kept head's: the ledger was rewritten since that head was seen (a fork)`,
    };
  }
  return null;
}
