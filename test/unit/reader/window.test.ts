import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { recordDigest } from '../../../src/chain/record-digest.js';
import { headerNameString, toSourceRecord } from '../../../src/kafka/source-record.js';
import { checkRecord, isBreak, type LedgerRecord } from '../../../src/reader/window.js';

const message = (offset: bigint, value: string): KafkaMessage =>
  ({
    offset: offset.toString(),
    timestamp: '1700000000000',
    key: Buffer.from('k'),
    value: Buffer.from(value),
    headers: { h: [Buffer.from('a'), Buffer.from('b')] },
    attributes: 0,
  }) as KafkaMessage;

const entry = (seq: bigint, partition: number, offset: bigint, m: KafkaMessage, topic = 't'): LedgerRecord => ({
  seq,
  partition,
  offset,
  digest: recordDigest(toSourceRecord(topic, partition, m)),
  hash: Buffer.alloc(32, Number(seq)),
});

describe('checkRecord', () => {
  it('returns the record with its bytes, recomputed digest and the ledger hash', () => {
    const m = message(4n, 'v');
    const e = entry(12n, 1, 4n, m);
    const r = checkRecord('t', e, m);
    expect(isBreak(r)).toBe(false);
    expect(r).toEqual({
      seq: 12n,
      topic: 't',
      partition: 1,
      offset: 4n,
      timestampMs: 1700000000000n,
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      headers: [
        { name: 'h', value: Buffer.from('a') },
        { name: 'h', value: Buffer.from('b') },
      ],
      digest: e.digest,
      hash: e.hash,
    });
  });

  it('hands header names back as the strings kafkajs gave, non-ASCII ones too', () => {
    const m = { ...message(4n, 'v'), headers: { 'trace-ключ-🙂': Buffer.from('x'), plain: Buffer.from('y') } } as KafkaMessage;
    const r = checkRecord('t', entry(12n, 1, 4n, m), m);
    expect(isBreak(r)).toBe(false);
    expect(r).toMatchObject({ headers: [{ name: 'trace-ключ-🙂' }, { name: 'plain' }] });
    // Bytes that are not a cached name (the cache is bounded) are decoded.
    expect(headerNameString(Buffer.from('ключ', 'utf8'))).toBe('ключ');
  });

  it('digests over the chain topic: the same bytes under another topic name do not match', () => {
    const m = message(4n, 'v');
    const r = checkRecord('t', entry(12n, 1, 4n, m, 'copy'), m);
    expect(r).toMatchObject({ kind: 'digest-mismatch', seq: 12n, partition: 1, offset: 4n });
  });

  it('names an altered record: seq, position, the source digest (expected) and the ledger digest (actual)', () => {
    const e = entry(7n, 0, 3n, message(3n, 'v'));
    const altered = message(3n, 'altered');
    expect(checkRecord('t', e, altered)).toEqual({
      kind: 'digest-mismatch',
      seq: 7n,
      partition: 0,
      offset: 3n,
      expected: recordDigest(toSourceRecord('t', 0, altered)).toString('hex'),
      actual: e.digest.toString('hex'),
      message: "ledger seq 7 (partition 0, offset 3): digest differs from the source record's digest",
    });
  });

  it('names a record the source does not hold', () => {
    const e = entry(7n, 0, 3n, message(3n, 'v'));
    expect(checkRecord('t', e, undefined)).toMatchObject({ kind: 'not-in-source', seq: 7n, partition: 0, offset: 3n });
  });
});
