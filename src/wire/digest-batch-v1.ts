import { elementField, WireReader } from './reader.js';

/**
 * Digest batch, format "SCD1": what a worker publishes to `<chain>.digests` partition p for
 * source partition p. It claims the contiguous source range [from, to): every record of p in
 * that range is listed (offsets inside may have holes: compaction, transaction markers,
 * aborted records).
 *
 *   "SCD1" ‖ u32 partition ‖ u64 from ‖ u64 to ‖ u32 count ‖ count × (u64 offset ‖ i64 timestampMs ‖ digest[32])
 */
export const DIGEST_BATCH_MAGIC = 'SCD1';
const FORMAT = 'digest batch v1';
const HEADER_BYTES = 4 + 4 + 8 + 8 + 4;
const ENTRY_BYTES = 8 + 8 + 32;

export interface DigestEntry {
  offset: bigint;
  timestampMs: bigint;
  digest: Buffer;
}

export interface DigestBatch {
  partition: number;
  from: bigint;
  to: bigint;
  entries: DigestEntry[];
}

export function encodeDigestBatch(batch: DigestBatch): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_BYTES + ENTRY_BYTES * batch.entries.length);
  buf.write(DIGEST_BATCH_MAGIC, 0, 'latin1');
  buf.writeUInt32BE(batch.partition, 4);
  buf.writeBigUInt64BE(batch.from, 8);
  buf.writeBigUInt64BE(batch.to, 16);
  buf.writeUInt32BE(batch.entries.length, 24);
  let pos = HEADER_BYTES;
  for (const e of batch.entries) {
    buf.writeBigUInt64BE(e.offset, pos);
    buf.writeBigInt64BE(e.timestampMs, pos + 8);
    e.digest.copy(buf, pos + 16);
    pos += ENTRY_BYTES;
  }
  return buf;
}

/** Decodes and checks the batch's own promises: range, order, bounds. */
export function decodeDigestBatch(buf: Buffer): DigestBatch {
  const r = new WireReader(buf, FORMAT);
  r.magic(DIGEST_BATCH_MAGIC);
  const partition = r.u32('partition');
  const from = r.u64('from');
  const to = r.u64('to');
  if (to <= from) r.fail('to', `(${to}) must be greater than from (${from})`);
  const count = r.count('count', ENTRY_BYTES);
  if (BigInt(count) > to - from) r.fail('count', `${count} exceeds the range [${from}, ${to})`);
  const entries: DigestEntry[] = new Array(count);
  let previous = from - 1n;
  for (let i = 0; i < count; i++) {
    const offset = r.u64Of('entries', i, 'offset');
    if (offset <= previous || offset >= to) r.fail(elementField('entries', i, 'offset'), `${offset} is out of order or outside [${from}, ${to})`);
    previous = offset;
    entries[i] = { offset, timestampMs: r.i64Of('entries', i, 'timestampMs'), digest: Buffer.from(r.bytesOf(32, 'entries', i, 'digest')) };
  }
  r.end();
  return { partition, from, to, entries };
}
