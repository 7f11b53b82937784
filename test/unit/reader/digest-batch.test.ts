import { afterAll, describe, expect, it } from 'vitest';
import { type SourceRecord, recordDigest, recordDigestInto } from '../../../src/chain/record-digest.js';
import { SeqchainError } from '../../../src/errors.js';
import { toRecord, vectors } from '../chain/chain-vectors.js';
import { BatchPacker } from '../../../src/reader/digest-batch.js';
import { HashPool } from '../../../src/reader/hash-pool.js';
import { digestPacked } from '../../../src/reader/hash-worker.js';

/**
 * The packed batch a hashing thread digests: every record's digest out of it equals SCR1's, as
 * pinned by the independent Python vectors (test/vectors/chain-v1.json), through the real thread.
 */
const records: SourceRecord[] = vectors.records.map(toRecord);
const expected = vectors.records.map((c) => c.digest);

function pack(rs: readonly SourceRecord[], capacity = rs.length, bytesGuess?: number) {
  const p = new BatchPacker(capacity, bytesGuess);
  for (const r of rs) p.add(r);
  return p.finish();
}

function digestsOf(count: number, out: Buffer): string[] {
  return Array.from({ length: count }, (_, i) => out.subarray(i * 32, i * 32 + 32).toString('hex'));
}

describe('packed digest batches', () => {
  it('the vectors packed and digested give their SCR1 digests, in order', () => {
    expect(records.length).toBeGreaterThanOrEqual(14);
    const batch = pack(records);
    expect(batch.count).toBe(records.length);
    const out = Buffer.alloc(batch.count * 32);
    digestPacked(batch.count, batch.ends, batch.data, out);
    expect(digestsOf(batch.count, out)).toEqual(expected);
  });

  it('grows past its first guesses (records and bytes), large values included', () => {
    // Capacity 1 and 256 bytes for every vector (some hold values of tens of KiB).
    const batch = pack([...records, ...records], 1, 1);
    const out = Buffer.alloc(batch.count * 32);
    digestPacked(batch.count, batch.ends, batch.data, out);
    expect(digestsOf(batch.count, out)).toEqual([...expected, ...expected]);
  });

  it('the preimages are delimited exactly: one changed byte changes that digest only', () => {
    const batch = pack(records.slice(0, 3));
    const start = batch.ends[0]!;
    batch.data[start + 10] = batch.data[start + 10]! ^ 1;
    const out = Buffer.alloc(3 * 32);
    digestPacked(3, batch.ends, batch.data, out);
    const got = digestsOf(3, out);
    expect(got[0]).toBe(expected[0]);
    expect(got[1]).not.toBe(expected[1]);
    expect(got[2]).toBe(expected[2]);
  });

  it('refuses ends outside the data, too few ends, or too small an output', () => {
    const batch = pack(records.slice(0, 2));
    expect(() => digestPacked(2, Uint32Array.of(batch.ends[0]!, batch.data.length + 1), batch.data, Buffer.alloc(64))).toThrow(/record 1 ends at/);
    expect(() => digestPacked(2, Uint32Array.of(10, 5), batch.data, Buffer.alloc(64))).toThrow(/record 1 ends at 5/);
    expect(() => digestPacked(3, batch.ends, batch.data, Buffer.alloc(96))).toThrow(/3 records but 2 ends/);
    expect(() => digestPacked(2, batch.ends, batch.data, Buffer.alloc(63))).toThrow(/do not fit/);
  });

  it('recordDigestInto writes the digest recordDigest returns', () => {
    const out = Buffer.alloc(32 * records.length);
    records.forEach((r, i) => {
      recordDigestInto(r, out, i * 32);
    });
    expect(digestsOf(records.length, out)).toEqual(records.map((r) => recordDigest(r).toString('hex')));
    expect(digestsOf(records.length, out)).toEqual(expected);
  });
});

describe('HashPool (real worker threads)', () => {
  const pool = new HashPool(2);
  afterAll(() => pool.close());

  it('digests batches on its threads, each answer to its own batch', async () => {
    const batches = [records, records.slice(3), records.slice(0, 1), [...records].reverse()];
    const answers = await Promise.all(batches.map((rs) => pool.digests(pack(rs))));
    answers.forEach((out, i) => {
      const rs = batches[i]!;
      expect(digestsOf(rs.length, out)).toEqual(rs.map((r) => recordDigest(r).toString('hex')));
    });
  });

  it('a closed pool refuses new batches with a typed error', async () => {
    const p = new HashPool(1);
    await p.close();
    const err = await p.digests(pack(records.slice(0, 1))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SeqchainError);
    expect((err as SeqchainError).code).toBe('SEQCHAIN_ERR_UNEXPECTED');
  });
});
