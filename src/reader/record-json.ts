/**
 * The JSON form of a sequenced record, shared by `seqchain tail --json`, the API's payload
 * routes and the NDJSON stream: 64-bit values as decimal strings (JSON numbers lose precision
 * past 2^53), bytes as standard base64 (null stays null), hashes as lowercase hex, headers in
 * wire order. A record the reader opened (`keyring`) adds `sealed: { keyId }`: `value` is then
 * the plaintext (the stored envelope is left out: the digest still says which bytes the chain holds).
 * No I/O.
 */
import type { SequencedRecord } from './window.js';

export interface SequencedRecordJson {
  seq: string;
  /** The chain's source topic, which the digest covers: with it, the line alone is enough to recompute the digest (`seqchain check-proof`). */
  topic: string;
  partition: number;
  offset: string;
  timestampMs: string;
  key: string | null;
  value: string | null;
  headers: { name: string; value: string | null }[];
  digest: string;
  hash: string;
  /** Only on a record opened with a keyring. */
  sealed?: { keyId: string };
}

const base64 = (b: Buffer | null): string | null => (b === null ? null : b.toString('base64'));

/** Key, value and headers only: what `?payload=true` adds to an index entry. */
export function payloadJson(r: Pick<SequencedRecord, 'key' | 'value' | 'headers'>): Pick<SequencedRecordJson, 'key' | 'value' | 'headers'> {
  return { key: base64(r.key), value: base64(r.value), headers: r.headers.map((h) => ({ name: h.name, value: base64(h.value) })) };
}

export function sequencedRecordJson(r: SequencedRecord): SequencedRecordJson {
  return {
    seq: r.seq.toString(),
    topic: r.topic,
    partition: r.partition,
    offset: r.offset.toString(),
    timestampMs: r.timestampMs.toString(),
    ...payloadJson(r),
    digest: r.digest.toString('hex'),
    hash: r.hash.toString('hex'),
    ...(r.sealed ? { sealed: { keyId: r.sealed.keyId } } : {}),
  };
}

/** One NDJSON line, newline included. */
export function sequencedRecordJsonLine(r: SequencedRecord): string {
  return `${JSON.stringify(sequencedRecordJson(r))}\n`;
}
