/**
 * The reader's pure parts: the check of one source record against its ledger entry, and the
 * error of one whose bytes retention deleted. No I/O.
 */
import type { KafkaMessage } from 'kafkajs';
import { type Break, hex } from '../chain/breaks.js';
import { SourceDeletedError } from '../errors.js';
import { recordDigest } from '../chain/record-digest.js';
import { headerNameString, toSourceRecord } from '../kafka/source-record.js';

/** A sequenced record as the verified ledger names it, before its source bytes are read. */
export interface LedgerRecord {
  seq: bigint;
  partition: number;
  offset: bigint;
  /** The digest the ledger holds for it. */
  digest: Buffer;
  /** h_seq, recomputed from the genesis through every link before it. */
  hash: Buffer;
}

/** One header of a source record, in the order Kafka delivered it (names grouped). */
export interface SequencedHeader {
  name: string;
  value: Buffer | null;
}

/** A source record in global order, checked: its digest recomputed and equal to the ledger's, its link recomputed. */
export interface SequencedRecord {
  /** Global sequence number, 1, 2, 3, … */
  seq: bigint;
  /** The chain's source topic: the SCR1 digest covers it (a record read from a mirror still names the chain's). */
  topic: string;
  partition: number;
  offset: bigint;
  timestampMs: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: SequencedHeader[];
  /** SCR1 digest of the record (recomputed from its bytes; equal to the ledger's). */
  digest: Buffer;
  /** SCL1 hash h_seq: persist it with `seq` to resume (`resume: { seq, hash }`). */
  hash: Buffer;
  /**
   * Set when the reader opened a sealed payload (the `keyring` option): `value` above is then the
   * plaintext, and this holds the key id and the value as stored, which `digest` covers.
   */
  sealed?: SealedInfo;
}

/** How a sealed record was stored: the key it was sealed with and the SCE1 envelope the chain hashed. */
export interface SealedInfo {
  keyId: string;
  value: Buffer;
}

/**
 * Checks one sequenced record against the source record at its position (undefined: the source
 * does not hold it). Digests are computed over the chain's topic (`topic`), whatever topic the
 * bytes were read from. Returns the record, or the break at its seq.
 */
export function checkRecord(topic: string, entry: LedgerRecord, message: KafkaMessage | undefined): SequencedRecord | Break {
  if (message === undefined) return notInSource(entry);
  const source = toSourceRecord(topic, entry.partition, message);
  const digest = recordDigest(source);
  if (!digest.equals(entry.digest)) return digestMismatch(entry, digest);
  const headers = source.headers.map((h) => ({ name: headerNameString(h.name), value: h.value }));
  return sequencedRecord(topic, entry, { ...source, headers });
}

/** The break of a sequenced position the source does not hold. */
export function notInSource(entry: LedgerRecord): Break {
  const { seq, partition, offset } = entry;
  return {
    kind: 'not-in-source',
    seq,
    partition,
    offset,
    actual: hex(entry.digest),
    message: `ledger seq ${seq} (partition ${partition}, offset ${offset}) has no record in the source topic`,
  };
}

/** The break of a record whose bytes hash to `recomputed`, not to the ledger's digest. */
export function digestMismatch(entry: LedgerRecord, recomputed: Uint8Array): Break {
  const { seq, partition, offset } = entry;
  return {
    kind: 'digest-mismatch',
    seq,
    partition,
    offset,
    expected: hex(Buffer.from(recomputed)),
    actual: hex(entry.digest),
    message: `ledger seq ${seq} (partition ${partition}, offset ${offset}): digest differs from the source record's digest`,
  };
}

/** What the source says of a record: its fields, header names as strings, in wire order. */
export interface RecordFields {
  timestampMs: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: SequencedHeader[];
}

/** The record handed out, once its digest equals the ledger's (`digest` is then the ledger's bytes). */
export function sequencedRecord(topic: string, entry: LedgerRecord, source: RecordFields): SequencedRecord {
  return {
    seq: entry.seq,
    topic,
    partition: entry.partition,
    offset: entry.offset,
    timestampMs: source.timestampMs,
    key: source.key,
    value: source.value,
    headers: source.headers,
    digest: entry.digest,
    hash: entry.hash,
  };
}

/**
 * A sequenced record whose source bytes retention deleted: the partition's earliest offset `low`
 * is above its offset. Named as such, never as tampering (docs/VERIFY.md).
 */
export function deletedByRetention(topic: string, entry: Pick<LedgerRecord, 'seq' | 'partition' | 'offset'>, low: bigint): SourceDeletedError {
  const { seq, partition, offset } = entry;
  return new SourceDeletedError(
    `seq ${seq} (partition ${partition}, offset ${offset}): the source topic ${topic} no longer holds partition ${partition} below offset ${low} (deleted by retention)`,
    { partition, from: offset.toString(), to: low.toString(), seq: seq.toString() },
  );
}

export function isBreak(x: SequencedRecord | Break): x is Break {
  return 'kind' in x;
}
