/**
 * Index entry, layout 1: the fixed-size binary record the query index keeps for every global seq.
 * Entries are packed in seq order into Redis string buckets (see ./keys.ts and docs/INDEX.md).
 *
 *   u32 partition ‖ u64 offset ‖ i64 timestampMs ‖ digest[32] ‖ hash[32] ‖ u64 epoch ‖ u64 cutId
 *
 * 100 bytes, big-endian. `hash` is h_seq (SCL1), recomputed by the indexer; prevHash is not
 * stored: it is the hash of the entry before (or the genesis hash for seq 1). An entry whose
 * hash is all zeros was never written (a bucket is zero-filled when it is created).
 */
import { HASH_BYTES } from '../chain/link.js';

export const ENTRY_BYTES = 4 + 8 + 8 + HASH_BYTES + HASH_BYTES + 8 + 8;

/**
 * Entries per bucket: as many as fit in 128 KiB minus the 9-byte sds header and the trailing NUL,
 * so a full bucket is exactly one jemalloc size class (131,072 bytes) with 62 bytes spare.
 */
export const ENTRIES_PER_BUCKET = Math.floor((128 * 1024 - 16) / ENTRY_BYTES);
/** Size of every bucket string; a bucket is created at this size, zero-filled, and never grows. */
export const BUCKET_BYTES = ENTRIES_PER_BUCKET * ENTRY_BYTES;

const PARTITION_AT = 0;
const OFFSET_AT = 4;
const TIMESTAMP_AT = 12;
const DIGEST_AT = 20;
const HASH_AT = DIGEST_AT + HASH_BYTES;
const EPOCH_AT = HASH_AT + HASH_BYTES;
const CUT_AT = EPOCH_AT + 8;

export interface IndexEntry {
  partition: number;
  offset: bigint;
  timestampMs: bigint;
  digest: Buffer;
  hash: Buffer;
  epoch: bigint;
  cutId: bigint;
}

/** Writes one entry at byte `at` of `buf` (the caller sizes the buffer). */
export function writeEntry(buf: Buffer, at: number, e: IndexEntry): void {
  buf.writeUInt32BE(e.partition, at + PARTITION_AT);
  buf.writeBigUInt64BE(e.offset, at + OFFSET_AT);
  buf.writeBigInt64BE(e.timestampMs, at + TIMESTAMP_AT);
  e.digest.copy(buf, at + DIGEST_AT, 0, HASH_BYTES);
  e.hash.copy(buf, at + HASH_AT, 0, HASH_BYTES);
  buf.writeBigUInt64BE(e.epoch, at + EPOCH_AT);
  buf.writeBigUInt64BE(e.cutId, at + CUT_AT);
}

/** The entry at byte `at`, or null when it is missing (buffer too short) or was never written. */
export function readEntry(buf: Buffer, at: number): IndexEntry | null {
  if (at < 0 || at + ENTRY_BYTES > buf.length) return null;
  const hash = buf.subarray(at + HASH_AT, at + HASH_AT + HASH_BYTES);
  if (isZero(hash)) return null;
  return {
    partition: buf.readUInt32BE(at + PARTITION_AT),
    offset: buf.readBigUInt64BE(at + OFFSET_AT),
    timestampMs: buf.readBigInt64BE(at + TIMESTAMP_AT),
    digest: Buffer.from(buf.subarray(at + DIGEST_AT, at + DIGEST_AT + HASH_BYTES)),
    hash: Buffer.from(hash),
    epoch: buf.readBigUInt64BE(at + EPOCH_AT),
    cutId: buf.readBigUInt64BE(at + CUT_AT),
  };
}

/** The hash stored in the entry at byte `at`, or null when that entry was never written. */
export function readEntryHash(buf: Buffer, at: number): Buffer | null {
  if (at < 0 || at + ENTRY_BYTES > buf.length) return null;
  const hash = buf.subarray(at + HASH_AT, at + HASH_AT + HASH_BYTES);
  return isZero(hash) ? null : Buffer.from(hash);
}

function isZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

const PER_BUCKET = BigInt(ENTRIES_PER_BUCKET);

/** Which bucket holds `seq`, and the byte position of its entry inside that bucket. */
export function entrySlot(seq: bigint): { bucket: bigint; byteOffset: number } {
  return { bucket: seq / PER_BUCKET, byteOffset: Number(seq % PER_BUCKET) * ENTRY_BYTES };
}

/** A run of consecutive seqs inside one bucket. */
export interface BucketSpan {
  bucket: bigint;
  firstSeq: bigint;
  count: number;
  /** Byte position of firstSeq's entry inside the bucket. */
  byteOffset: number;
}

/** Splits [from, to] (inclusive, from ≤ to) into per-bucket runs, in seq order. */
export function bucketSpans(from: bigint, to: bigint): BucketSpan[] {
  const spans: BucketSpan[] = [];
  let seq = from;
  while (seq <= to) {
    const { bucket, byteOffset } = entrySlot(seq);
    const bucketEnd = (bucket + 1n) * PER_BUCKET - 1n;
    const last = to < bucketEnd ? to : bucketEnd;
    const count = Number(last - seq + 1n);
    spans.push({ bucket, firstSeq: seq, count, byteOffset });
    seq = last + 1n;
  }
  return spans;
}
