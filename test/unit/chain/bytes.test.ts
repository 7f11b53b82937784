import { describe, expect, it } from 'vitest';
import { MalformedMessageError } from '../../../src/errors.js';
import { i32, i64, lengthPrefixed, nullableLengthPrefixed, u32, u64, utf8, writeU32 } from '../../../src/chain/bytes.js';
import { genesisHash, type GenesisParams } from '../../../src/chain/genesis.js';
import { linkHash } from '../../../src/chain/link.js';
import { recordDigest, type SourceRecord } from '../../../src/chain/record-digest.js';
import { thrown } from '../../helpers/thrown.js';

describe('big-endian encoders', () => {
  it('encode big-endian at the edges of each range', () => {
    expect(u32(0x01020304, 'f').toString('hex')).toBe('01020304');
    expect(u32(0xffffffff, 'f').toString('hex')).toBe('ffffffff');
    expect(i32(-1, 'f').toString('hex')).toBe('ffffffff');
    expect(i32(-2147483648, 'f').toString('hex')).toBe('80000000');
    expect(u64(0x0102030405060708n, 'f').toString('hex')).toBe('0102030405060708');
    expect(u64((1n << 64n) - 1n, 'f').toString('hex')).toBe('ffffffffffffffff');
    expect(i64(-2n, 'f').toString('hex')).toBe('fffffffffffffffe');
    expect(i64((1n << 63n) - 1n, 'f').toString('hex')).toBe('7fffffffffffffff');
    expect(i64(-(1n << 63n), 'f').toString('hex')).toBe('8000000000000000');
  });

  it('length-prefix bytes, with -1 for null', () => {
    expect(lengthPrefixed(Buffer.from('ab'), 'f').toString('hex')).toBe('000000026162');
    expect(nullableLengthPrefixed(null, 'f').toString('hex')).toBe('ffffffff');
    expect(nullableLengthPrefixed(Buffer.alloc(0), 'f').toString('hex')).toBe('00000000');
    expect(nullableLengthPrefixed(Buffer.from([7]), 'f').toString('hex')).toBe('0000000107');
  });

  it.each([
    ['u32 negative', () => u32(-1, 'the.field')],
    ['u32 too large', () => u32(2 ** 32, 'the.field')],
    ['u32 fraction', () => u32(1.5, 'the.field')],
    ['u32 NaN', () => u32(Number.NaN, 'the.field')],
    ['i32 too large', () => i32(2 ** 31, 'the.field')],
    ['i32 too small', () => i32(-(2 ** 31) - 1, 'the.field')],
    ['u64 negative', () => u64(-1n, 'the.field')],
    ['u64 too large', () => u64(1n << 64n, 'the.field')],
    ['u64 given a number', () => u64(5 as unknown as bigint, 'the.field')],
    ['i64 too large', () => i64(1n << 63n, 'the.field')],
    ['i64 too small', () => i64(-(1n << 63n) - 1n, 'the.field')],
    ['write into a buffer', () => writeU32(Buffer.alloc(4), 0, -5, 'the.field')],
  ])('reject %s with a typed error naming the field', (_name, fn) => {
    const err = thrown(MalformedMessageError, fn);
    expect(err.code).toBe('SEQCHAIN_ERR_MALFORMED_MESSAGE');
    expect(err.retriable).toBe(false);
    expect(err.message).toContain('the.field');
    expect(err.details['field']).toBe('the.field');
  });

  it('rejects a string with a lone surrogate (it has no UTF-8 form)', () => {
    expect(utf8('ok-ü-😀', 'f').toString('hex')).toBe(Buffer.from('ok-ü-😀').toString('hex'));
    expect(thrown(MalformedMessageError, () => utf8('bad\ud800', 'topic')).message).toContain('topic');
  });
});

const record: SourceRecord = {
  topic: 't',
  partition: 0,
  offset: 0n,
  timestampMs: 0n,
  key: null,
  value: null,
  headers: [],
};

describe('record digest validation', () => {
  it.each([
    ['partition', { partition: -1 }, 'SCR1 partition'],
    ['partition above u32', { partition: 2 ** 32 }, 'SCR1 partition'],
    ['offset', { offset: -1n }, 'SCR1 offset'],
    ['offset above u64', { offset: 1n << 64n }, 'SCR1 offset'],
    ['timestamp', { timestampMs: 1n << 63n }, 'SCR1 timestampMs'],
    ['topic', { topic: '\udc00' }, 'SCR1 topic'],
  ])('rejects an out-of-range %s', (_name, patch, field) => {
    expect(thrown(MalformedMessageError, () => recordDigest({ ...record, ...patch })).message).toContain(field);
  });

  it('still works after a rejected record (no leftover state)', () => {
    const good = recordDigest(record).toString('hex');
    thrown(MalformedMessageError, () => recordDigest({ ...record, key: Buffer.from('k'), offset: -1n }));
    expect(recordDigest(record).toString('hex')).toBe(good);
  });
});

describe('genesis and link validation', () => {
  const g: GenesisParams = { chainId: 'c', topic: 't', start: [0n], createdAtMs: 0n, nonce: Buffer.alloc(16) };

  it('rejects a nonce that is not 16 bytes', () => {
    expect(() => genesisHash(g)).not.toThrow();
    expect(thrown(MalformedMessageError, () => genesisHash({ ...g, nonce: Buffer.alloc(15) })).message).toContain('nonce');
    expect(thrown(MalformedMessageError, () => genesisHash({ ...g, nonce: Buffer.alloc(17) })).message).toContain('nonce');
  });

  it('rejects P = 0 and out-of-range starts or creation time', () => {
    expect(thrown(MalformedMessageError, () => genesisHash({ ...g, start: [] })).message).toContain('P ≥ 1');
    expect(thrown(MalformedMessageError, () => genesisHash({ ...g, start: [0n, -1n] })).message).toContain('start[1]');
    expect(thrown(MalformedMessageError, () => genesisHash({ ...g, createdAtMs: -1n })).message).toContain('createdAtMs');
  });

  it('rejects link inputs of the wrong size or seq', () => {
    const h = Buffer.alloc(32, 1);
    expect(linkHash(h, 1n, h)).toHaveLength(32);
    expect(thrown(MalformedMessageError, () => linkHash(Buffer.alloc(31), 1n, h)).message).toContain('prev hash');
    expect(thrown(MalformedMessageError, () => linkHash(h, 1n, Buffer.alloc(33))).message).toContain('digest');
    expect(thrown(MalformedMessageError, () => linkHash(h, 0n, h)).message).toContain('seq');
    expect(thrown(MalformedMessageError, () => linkHash(h, 1n << 64n, h)).message).toContain('SCL1 seq');
  });
});

describe('u64/i64 fast path (safe integers) and fallback write the same bytes', () => {
  it('agrees with Buffer#writeBig(U)Int64BE around 2^32 and 2^53', () => {
    const values = [
      0n,
      1n,
      255n,
      256n,
      0xffff_ffffn,
      0x1_0000_0000n,
      0x1_0000_0001n,
      1_700_000_000_000n,
      (1n << 53n) - 2n,
      (1n << 53n) - 1n,
      1n << 53n,
      (1n << 53n) + 1n,
      (1n << 63n) - 1n,
    ];
    for (const v of values) {
      const ref = Buffer.alloc(8);
      ref.writeBigUInt64BE(v);
      expect(u64(v, 'f').toString('hex'), `u64 ${v}`).toBe(ref.toString('hex'));
      ref.writeBigInt64BE(v);
      expect(i64(v, 'f').toString('hex'), `i64 ${v}`).toBe(ref.toString('hex'));
      ref.writeBigInt64BE(-v);
      expect(i64(-v, 'f').toString('hex'), `i64 ${-v}`).toBe(ref.toString('hex'));
    }
    expect(u64((1n << 64n) - 1n, 'f').toString('hex')).toBe('ffffffffffffffff');
  });
});
