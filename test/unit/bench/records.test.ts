import { describe, expect, it } from 'vitest';
import { recordDigest } from '../../../src/chain/record-digest.js';
import { toSourceRecord } from '../../../src/kafka/source-record.js';
import { partitionOf, payload, RecordFactory } from '../../../bench/lib/records.js';

describe('benchmark records', () => {
  const f = new RecordFactory({ size: 200, keys: 1000, headers: 2 });

  it('are the same bytes every time (so the one-partition copy holds the same records)', () => {
    expect(f.record(42)).toEqual(new RecordFactory({ size: 200, keys: 1000, headers: 2 }).record(42));
    expect(payload(16)).toEqual(payload(16));
  });

  it('have the shape of seqchain produce: key, value size, headers with repeated names', () => {
    const r = f.record(1234);
    expect(r.key?.toString()).toBe('key-234');
    expect(r.value.length).toBe(200);
    expect(r.value.readUInt32BE(0)).toBe(1234);
    expect(r.headers.map(([n, v]) => [n, v.toString()])).toEqual([
      ['h0', 'v1234-0'],
      ['h0', 'v1234-1'],
    ]);
    expect(new RecordFactory({ size: 3, keys: 0, headers: 0 }).record(1)).toEqual({ key: null, value: payload(3), headers: [] });
  });

  it('digest the same as kafkajs message and as chain record', () => {
    const m = f.message(7, partitionOf(7, 12), 1_700_000_000_000);
    expect(m.partition).toBe(7);
    expect(m.timestamp).toBe('1700000000000');
    const viaKafka = toSourceRecord('t', 7, {
      key: m.key as Buffer,
      value: m.value as Buffer,
      headers: m.headers!,
      offset: '3',
      timestamp: m.timestamp!,
      attributes: 0,
    });
    const direct = f.sourceRecord(7, 't', 7, 3n, 1_700_000_000_000n);
    expect(recordDigest(viaKafka)).toEqual(recordDigest(direct));
  });

  it('go round-robin over the partitions', () => {
    expect([0, 1, 11, 12, 13].map((i) => partitionOf(i, 12))).toEqual([0, 1, 11, 0, 1]);
  });
});
