import { describe, expect, it } from 'vitest';
import {
  BUCKET_BYTES,
  ENTRIES_PER_BUCKET,
  ENTRY_BYTES,
  bucketSpans,
  entrySlot,
  readEntry,
  readEntryHash,
  writeEntry,
  type IndexEntry,
} from '../../../src/index-store/entry-codec.js';

const entry: IndexEntry = {
  partition: 0x01020304,
  offset: 2n ** 40n + 5n,
  timestampMs: -2n,
  digest: Buffer.alloc(32, 0xaa),
  hash: Buffer.alloc(32, 0xbb),
  epoch: 7n,
  cutId: 2n ** 33n,
};

describe('index entry layout 1', () => {
  it('is 100 bytes, 1310 per bucket, a full bucket fits the 128 KiB allocation class', () => {
    expect(ENTRY_BYTES).toBe(100);
    expect(ENTRIES_PER_BUCKET).toBe(1310);
    expect(BUCKET_BYTES).toBe(131_000);
    // sds header (9) + NUL (1) must still fit in 131,072 bytes
    expect(BUCKET_BYTES + 10).toBeLessThanOrEqual(128 * 1024);
  });

  it('packs the fields big-endian at fixed positions (byte-exact)', () => {
    const buf = Buffer.alloc(ENTRY_BYTES);
    writeEntry(buf, 0, entry);
    const expected = Buffer.concat([
      Buffer.from('01020304', 'hex'),
      Buffer.from('0000010000000005', 'hex'),
      Buffer.from('fffffffffffffffe', 'hex'),
      Buffer.alloc(32, 0xaa),
      Buffer.alloc(32, 0xbb),
      Buffer.from('0000000000000007', 'hex'),
      Buffer.from('0000000200000000', 'hex'),
    ]);
    expect(buf.toString('hex')).toBe(expected.toString('hex'));
  });

  it('round-trips at any slot of a bucket', () => {
    const buf = Buffer.alloc(3 * ENTRY_BYTES);
    writeEntry(buf, 2 * ENTRY_BYTES, entry);
    expect(readEntry(buf, 2 * ENTRY_BYTES)).toEqual(entry);
    expect(readEntryHash(buf, 2 * ENTRY_BYTES)).toEqual(entry.hash);
  });

  it('reads a never-written (zero) or truncated entry as null', () => {
    const buf = Buffer.alloc(2 * ENTRY_BYTES);
    expect(readEntry(buf, 0)).toBeNull();
    expect(readEntryHash(buf, ENTRY_BYTES)).toBeNull();
    writeEntry(buf, ENTRY_BYTES, entry);
    expect(readEntry(buf.subarray(0, 2 * ENTRY_BYTES - 1), ENTRY_BYTES)).toBeNull();
  });
});

describe('bucket addressing', () => {
  it('puts seq s at bucket s / 1310, byte (s % 1310) * 100', () => {
    expect(entrySlot(0n)).toEqual({ bucket: 0n, byteOffset: 0 });
    expect(entrySlot(1309n)).toEqual({ bucket: 0n, byteOffset: 130_900 });
    expect(entrySlot(1310n)).toEqual({ bucket: 1n, byteOffset: 0 });
    expect(entrySlot(10n ** 12n)).toEqual({ bucket: 10n ** 12n / 1310n, byteOffset: Number(10n ** 12n % 1310n) * 100 });
  });

  it('splits a seq range into per-bucket runs that cover it exactly', () => {
    expect(bucketSpans(5n, 5n)).toEqual([{ bucket: 0n, firstSeq: 5n, count: 1, byteOffset: 500 }]);
    expect(bucketSpans(1300n, 2630n)).toEqual([
      { bucket: 0n, firstSeq: 1300n, count: 10, byteOffset: 130_000 },
      { bucket: 1n, firstSeq: 1310n, count: 1310, byteOffset: 0 },
      { bucket: 2n, firstSeq: 2620n, count: 11, byteOffset: 0 },
    ]);
    const spans = bucketSpans(17n, 9_999n);
    expect(spans.reduce((n, s) => n + s.count, 0)).toBe(9_983);
  });
});
