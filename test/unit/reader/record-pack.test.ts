import { describe, expect, it } from 'vitest';
import { recordDigest, type SourceRecord } from '../../../src/chain/record-digest.js';
import { ChunkPacker, PackedChunkReader } from '../../../src/reader/record-pack.js';

const name = (s: string) => Buffer.from(s, 'utf8');

const records: SourceRecord[] = [
  {
    topic: 'orders',
    partition: 3,
    offset: 41n,
    timestampMs: 1_700_000_000_123n,
    key: Buffer.from('k1'),
    value: Buffer.from('v1'),
    // Wire order not sorted by name: the digest hashes them sorted, the caller gets them as sent.
    headers: [
      { name: name('zeta'), value: Buffer.from('z') },
      { name: name('alpha'), value: null },
      { name: name('zeta'), value: Buffer.from('z2') },
    ],
  },
  { topic: 'orders', partition: 0, offset: 0n, timestampMs: -1n, key: null, value: null, headers: [] },
  {
    topic: 'orders',
    partition: 11,
    offset: 2n ** 40n,
    timestampMs: 0n,
    key: Buffer.alloc(0),
    value: Buffer.alloc(70_000, 7),
    headers: [{ name: name('trace-ключ-🙂'), value: Buffer.from('x') }],
  },
];

describe('record chunks between the source thread and the caller', () => {
  it('round-trips records with their SCR1 digests, headers in wire order, and absences', () => {
    const packer = new ChunkPacker(2);
    packer.addRecord(records[0]!);
    packer.addAbsent(20n);
    packer.addRecord(records[1]!);
    packer.addRecord(records[2]!);
    packer.addAbsent(null);
    const chunk = packer.finish();
    // Its own memory, whole: it is transferred to the other thread.
    expect(chunk.bytes.byteOffset).toBe(0);
    expect(chunk.count).toBe(5);
    expect(chunk.names).toEqual(['zeta', 'alpha', 'trace-ключ-🙂']);

    const reader = new PackedChunkReader(chunk);
    const digestOf = () => reader.buffer.subarray(reader.digestAt, reader.digestAt + 32);
    const expectRecord = (r: SourceRecord) => {
      const item = reader.next();
      expect(item).toEqual({
        timestampMs: r.timestampMs,
        key: r.key,
        value: r.value,
        headers: r.headers.map((h) => ({ name: h.name.toString('utf8'), value: h.value })),
      });
      expect(digestOf()).toEqual(recordDigest(r));
    };
    expectRecord(records[0]!);
    expect(reader.next()).toEqual({ absentLow: 20n });
    expectRecord(records[1]!);
    expectRecord(records[2]!);
    expect(reader.next()).toEqual({ absentLow: null });
    expect(reader.remaining).toBe(0);
    expect(() => reader.next()).toThrow(/only 5 items/);
  });

  it('hands out views into the chunk, not copies', () => {
    const packer = new ChunkPacker(1);
    packer.addRecord(records[0]!);
    const chunk = packer.finish();
    const item = new PackedChunkReader(chunk).next();
    expect('key' in item && item.key!.buffer).toBe(chunk.bytes.buffer);
  });

  it('names a damaged chunk instead of reading garbage', () => {
    const packer = new ChunkPacker(1);
    packer.addRecord(records[1]!);
    const chunk = packer.finish();
    chunk.bytes[0] = 9;
    expect(() => new PackedChunkReader(chunk).next()).toThrow(/item kind 9 at byte 0/);
  });
});
