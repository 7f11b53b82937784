import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { messageBytes, ORDERED_HASH_HEADER, ORDERED_SEQ_HEADER, orderedMessage, orderedPositionOf, splitBySize } from '../../../src/delivery/ordered-record.js';
import { MalformedMessageError } from '../../../src/errors.js';
import type { SequencedRecord } from '../../../src/reader/window.js';

const hash = Buffer.alloc(32, 0xc3);
const record = (over: Partial<SequencedRecord> = {}): SequencedRecord => ({
  seq: 9_007_199_254_740_993n, // above 2^53: must not go through a Number
  topic: 'orders',
  partition: 2,
  offset: 41n,
  timestampMs: 1_700_000_000_123n,
  key: Buffer.from('k'),
  value: Buffer.from([0, 1, 2, 255]),
  headers: [
    { name: 'b', value: Buffer.from('b1') },
    { name: 'a', value: Buffer.from('a1') },
    { name: 'a', value: Buffer.from('a2') },
  ],
  digest: Buffer.alloc(32, 1),
  hash,
  ...over,
});

/** The message as a consumer receives it: header values as bytes, as kafkajs delivers them. */
function delivered(m: ReturnType<typeof orderedMessage>): KafkaMessage['headers'] {
  const out: KafkaMessage['headers'] = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    const asBytes = (x: unknown) => (Buffer.isBuffer(x) ? x : Buffer.from(String(x)));
    out[k] = Array.isArray(v) ? v.map(asBytes) : asBytes(v);
  }
  return out;
}

function malformedField(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedMessageError);
    return (err as MalformedMessageError).details.field;
  }
  throw new Error('expected a MalformedMessageError');
}

describe('the ordered topic record', () => {
  it('keeps key, value, timestamp and headers, then appends seqchain.seq (decimal) and seqchain.hash (hex) last', () => {
    const m = orderedMessage(record());
    expect(m.key).toEqual(Buffer.from('k'));
    expect(m.value).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(m.timestamp).toBe('1700000000123');
    expect(m.headers).toEqual({
      b: Buffer.from('b1'),
      a: [Buffer.from('a1'), Buffer.from('a2')],
      [ORDERED_SEQ_HEADER]: '9007199254740993',
      [ORDERED_HASH_HEADER]: 'c3'.repeat(32),
    });
    expect(Object.keys(m.headers!).slice(-2)).toEqual(['seqchain.seq', 'seqchain.hash']);
  });

  it('null key and value stay null; a null header value is written empty (kafkajs cannot send null header values)', () => {
    const m = orderedMessage(record({ key: null, value: null, headers: [{ name: 'n', value: null }] }));
    expect(m.key).toBeNull();
    expect(m.value).toBeNull();
    expect(m.headers!.n).toEqual(Buffer.alloc(0));
  });

  it('a source header named seqchain.seq stays, and the position is the last value of that name', () => {
    const r = record({ seq: 5n, headers: [{ name: ORDERED_SEQ_HEADER, value: Buffer.from('999') }] });
    const m = orderedMessage(r);
    expect(m.headers![ORDERED_SEQ_HEADER]).toEqual([Buffer.from('999'), '5']);
    expect(orderedPositionOf(delivered(m), 0n)).toEqual({ seq: 5n, hash });
  });

  it('the resume point is read back from the headers of the last record', () => {
    expect(orderedPositionOf(delivered(orderedMessage(record())), 7n)).toEqual({ seq: 9_007_199_254_740_993n, hash });
  });

  it('a record seqchain did not write is named, never guessed', () => {
    const ok = delivered(orderedMessage(record({ seq: 12n })))!;
    const without = (name: string) => Object.fromEntries(Object.entries(ok).filter(([k]) => k !== name));
    expect(malformedField(() => orderedPositionOf(without(ORDERED_SEQ_HEADER), 3n))).toBe(ORDERED_SEQ_HEADER);
    expect(malformedField(() => orderedPositionOf(without(ORDERED_HASH_HEADER), 3n))).toBe(ORDERED_HASH_HEADER);
    for (const bad of ['0', '012', '-1', '1e3', '', '12 ']) {
      expect(malformedField(() => orderedPositionOf({ ...ok, [ORDERED_SEQ_HEADER]: Buffer.from(bad) }, 3n))).toBe(ORDERED_SEQ_HEADER);
    }
    for (const bad of ['C3'.repeat(32), 'c3'.repeat(31), `${'c3'.repeat(32)}00`]) {
      expect(malformedField(() => orderedPositionOf({ ...ok, [ORDERED_HASH_HEADER]: Buffer.from(bad) }, 3n))).toBe(ORDERED_HASH_HEADER);
    }
    expect(() => orderedPositionOf(undefined, 8n)).toThrow(/offset 8: no seqchain\.seq header/);
  });
});

describe('splitting a transaction into sends', () => {
  it('keeps order, stays under the limit, and sends an oversized message alone', () => {
    const sizes = [4, 4, 4, 10, 1, 1];
    expect(splitBySize(sizes, (n) => n, 8)).toEqual([[4, 4], [4], [10], [1, 1]]);
    expect(splitBySize([], (n: number) => n, 8)).toEqual([]);
  });
  it('message sizes count key, value and every header', () => {
    const small = messageBytes(orderedMessage(record({ value: Buffer.alloc(10) })));
    const large = messageBytes(orderedMessage(record({ value: Buffer.alloc(1010) })));
    expect(large - small).toBe(1000);
  });
});
