/**
 * What a verifier reports: the first place where the chain does not hold, named precisely.
 * Convention: `expected` is what the verifier recomputed (or what the rules require), `actual`
 * is what the ledger holds. Hashes and digests are lowercase hex.
 */
import { ChainBrokenError } from '../errors.js';

export type BreakKind =
  | 'seq-gap'
  | 'prev-hash'
  | 'head-hash'
  /** A record's stored hash (index) differs from the hash recomputed from its predecessor. */
  | 'record-hash'
  | 'epoch-regressed'
  | 'partition-order'
  | 'count'
  | 'below-start'
  | 'digest-mismatch'
  | 'missing-in-ledger'
  | 'not-in-source'
  | 'duplicate-position'
  | 'genesis'
  /** A ledger message that is not a seqchain ledger message at all. */
  | 'malformed'
  /** A cut whose id does not follow the previous cut's (seqchain numbers cuts 1, 2, 3, …). */
  | 'cut-id'
  /** A copy of a cut already in the ledger (same cut id, seqs and head hash), appended again. */
  | 'duplicate-cut'
  /** A cut that is in the ledger, but after a later cut (cuts reordered). */
  | 'cut-order'
  /**
   * A ledger message that seqchain's sequencer did not write: outside a Kafka transaction, from
   * another Kafka producer than the rest of its epoch, or with an epoch ZooKeeper never issued.
   */
  | 'foreign-writer'
  /**
   * A cut's checkpoint (log view) differs from the tree recomputed from the ledger: its size,
   * root or stored border, or it does not parse.
   */
  | 'checkpoint'
  /** A checkpoint not signed by the pinned verifier key, or a cut without one after signed cuts. */
  | 'checkpoint-signature'
  /** The chain ends before a head kept from an earlier verification (cut short at the end). */
  | 'truncated'
  /** The chain holds another hash at the seq of a head kept from an earlier verification. */
  | 'fork';

export interface Break {
  kind: BreakKind;
  seq?: bigint;
  partition?: number;
  offset?: bigint;
  ledgerOffset?: bigint;
  expected?: string;
  actual?: string;
  /** One readable line: what differs, where. */
  message: string;
}

export function hex(bytes: Buffer): string {
  return bytes.toString('hex');
}

/** The break's fields as error details (bigints as decimal strings). */
export function breakDetails(b: Break): Record<string, unknown> {
  const details: Record<string, unknown> = { kind: b.kind };
  if (b.seq !== undefined) details['seq'] = b.seq.toString();
  if (b.partition !== undefined) details['partition'] = b.partition;
  if (b.offset !== undefined) details['offset'] = b.offset.toString();
  if (b.ledgerOffset !== undefined) details['ledgerOffset'] = b.ledgerOffset.toString();
  if (b.expected !== undefined) details['expected'] = b.expected;
  if (b.actual !== undefined) details['actual'] = b.actual;
  return details;
}

/** The break as a (never retried) `ChainBrokenError`, its fields in `details`. */
export function breakToError(b: Break): ChainBrokenError {
  return new ChainBrokenError(b.message, breakDetails(b));
}
