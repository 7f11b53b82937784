/**
 * Record digest, format "SCR1" (frozen: pinned by test/vectors/chain-v1.json).
 *
 * d = SHA-256("SCR1" ‖ u32(len topic) ‖ topic(UTF-8) ‖ u32(partition) ‖ u64(offset) ‖
 *             i64(timestampMs) ‖ i32(len key | -1) ‖ key ‖ i32(len value | -1) ‖ value ‖
 *             u32(headerCount) ‖ for each header, sorted by name bytewise (stable, so
 *             duplicate names keep their wire order): u32(len name) ‖ name ‖ i32(len val | -1) ‖ val)
 *
 * All integers big-endian. Payloads are hashed as stored (never interpreted or decrypted).
 */
import { utf8 } from './bytes.js';
import { Sha256Writer } from './hash-writer.js';

export const RECORD_DIGEST_FORMAT = 'SCR1';

export interface RecordHeader {
  name: Buffer;
  value: Buffer | null;
}

export interface SourceRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestampMs: bigint;
  key: Buffer | null;
  value: Buffer | null;
  /** In wire order. */
  headers: readonly RecordHeader[];
}

const PREFIX = Buffer.from(RECORD_DIGEST_FORMAT, 'ascii');
const writer = new Sha256Writer();

// Records of one chain all carry the same topic: encode it once.
let cachedTopic: string | null = null;
let cachedTopicBytes: Buffer = Buffer.alloc(0);

function topicBytes(topic: string): Buffer {
  if (topic !== cachedTopic) {
    cachedTopicBytes = utf8(topic, 'SCR1 topic');
    cachedTopic = topic;
  }
  return cachedTopicBytes;
}

/**
 * Bytewise order of two names, as Buffer.compare (unsigned bytes, a prefix first), in plain JS:
 * header names are a few bytes, where a call into Buffer.compare costs more than the comparison.
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareHeaderNames(a: RecordHeader, b: RecordHeader): number {
  return compareBytes(a.name, b.name);
}

/** Headers in SCR1 order. Array.prototype.sort is stable (ES2019), so duplicates keep wire order. */
function sortedHeaders(headers: readonly RecordHeader[]): readonly RecordHeader[] {
  for (let i = 1; i < headers.length; i++) {
    if (compareBytes(headers[i - 1]!.name, headers[i]!.name) > 0) {
      return headers.slice().sort(compareHeaderNames);
    }
  }
  return headers; // already in order (the common case: zero or one header)
}

/** Where an SCR1 preimage is written: a hash (`Sha256Writer`) or a packed batch for a hashing thread. */
export interface PreimageSink {
  bytes(data: Buffer): void;
  u32(value: number, field: string): void;
  u64(value: bigint, field: string): void;
  i64(value: bigint, field: string): void;
  nullableBytes(data: Buffer | null, lengthField: string): void;
}

/** Writes the SCR1 preimage of `r` (everything the digest hashes, in order) to `w`. */
export function writeRecordPreimage(w: PreimageSink, r: SourceRecord): void {
  const topic = topicBytes(r.topic);
  const headers = sortedHeaders(r.headers);
  w.bytes(PREFIX);
  w.u32(topic.length, 'SCR1 topic length');
  w.bytes(topic);
  w.u32(r.partition, 'SCR1 partition');
  w.u64(r.offset, 'SCR1 offset');
  w.i64(r.timestampMs, 'SCR1 timestampMs');
  w.nullableBytes(r.key, 'SCR1 key length');
  w.nullableBytes(r.value, 'SCR1 value length');
  w.u32(headers.length, 'SCR1 headerCount');
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    w.u32(h.name.length, 'SCR1 header name length');
    w.bytes(h.name);
    w.nullableBytes(h.value, 'SCR1 header value length');
  }
}

export function recordDigest(r: SourceRecord): Buffer {
  const w = writer.begin();
  writeRecordPreimage(w, r);
  return w.digest();
}

/** `recordDigest(r)` written into `out` at `offset` (32 bytes), allocating nothing. */
export function recordDigestInto(r: SourceRecord, out: Buffer, offset: number): void {
  const w = writer.begin();
  writeRecordPreimage(w, r);
  w.digestInto(out, offset);
}
