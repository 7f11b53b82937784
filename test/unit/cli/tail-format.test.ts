import { describe, expect, it } from 'vitest';
import { showBytes, tailTableLine } from '../../../src/cli/tail-format.js';
import { sequencedRecordJsonLine as tailJsonLine } from '../../../src/reader/record-json.js';
import type { SequencedRecord } from '../../../src/reader/window.js';

const record = (over: Partial<SequencedRecord> = {}): SequencedRecord => ({
  seq: 9_007_199_254_740_993n, // 2^53 + 1: not a safe JSON number
  topic: 'orders',
  partition: 2,
  offset: 18_446_744_073n,
  timestampMs: 1_700_000_000_123n,
  key: Buffer.from('k1'),
  value: Buffer.from([0, 1, 2, 255]),
  headers: [
    { name: 'h0', value: Buffer.from('a') },
    { name: 'h0', value: null },
    { name: 'trace', value: Buffer.from('') },
  ],
  digest: Buffer.alloc(32, 0xab),
  hash: Buffer.alloc(32, 0x01),
  ...over,
});

describe('tail --json lines', () => {
  it('one object per line: 64-bit values as decimal strings, bytes base64, headers in order, digest and hash hex', () => {
    const line = tailJsonLine(record());
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line)).toEqual({
      seq: '9007199254740993',
      topic: 'orders',
      partition: 2,
      offset: '18446744073',
      timestampMs: '1700000000123',
      key: Buffer.from('k1').toString('base64'),
      value: 'AAEC/w==',
      headers: [
        { name: 'h0', value: 'YQ==' },
        { name: 'h0', value: null },
        { name: 'trace', value: '' },
      ],
      digest: 'ab'.repeat(32),
      hash: '01'.repeat(32),
    });
    expect(Object.keys(JSON.parse(line))).toEqual(['seq', 'topic', 'partition', 'offset', 'timestampMs', 'key', 'value', 'headers', 'digest', 'hash']);
  });

  it('a null key and a null value are null, not an empty string; no headers is an empty array', () => {
    const o = JSON.parse(tailJsonLine(record({ key: null, value: null, headers: [] })));
    expect(o.key).toBeNull();
    expect(o.value).toBeNull();
    expect(o.headers).toEqual([]);
    expect(JSON.parse(tailJsonLine(record({ key: Buffer.alloc(0) }))).key).toBe('');
  });

  it('the bytes round-trip through base64', () => {
    const value = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(Buffer.from(JSON.parse(tailJsonLine(record({ value }))).value, 'base64')).toEqual(value);
  });
});

describe('tail table lines', () => {
  it('shows printable UTF-8 as text, other bytes as base64, null as null, and cuts long values', () => {
    expect(showBytes(Buffer.from('héllo'))).toBe('"héllo"');
    expect(showBytes(Buffer.from([0, 1, 2, 255]))).toBe('base64:AAEC/w==');
    expect(showBytes(Buffer.from('a\nb'))).toBe('base64:YQpi');
    expect(showBytes(null)).toBe('null');
    const long = showBytes(Buffer.from('x'.repeat(100)), 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith('…')).toBe(true);
  });

  it('one line per record: seq, partition/offset, ISO timestamp, key, value, header count', () => {
    const line = tailTableLine(record({ seq: 42n, offset: 7n }));
    expect(line).toBe(`      42  2/7           2023-11-14T22:13:20.123Z  key "k1"  value base64:AAEC/w==  (3 headers)\n`);
  });
});
