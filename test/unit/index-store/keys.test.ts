import { describe, expect, it } from 'vitest';
import {
  DIGEST_FIELD_FROM,
  DIGEST_FIELD_TO,
  INDEX_LAYOUT,
  TILE_KEY_BYTES,
  chainKeys,
  digestAddressBits,
  digestGeneration,
  digestSlot,
  newIncarnation,
} from '../../../src/index-store/keys.js';

describe('index key names (layout 2)', () => {
  const keys = chainKeys('seqchain', 'orders.v1');
  const data = keys.data('0123456789ab');

  it('prefixes every key with <prefix>:<chain>:', () => {
    expect(keys.chainPrefix).toBe('seqchain:orders.v1:');
    expect(keys.pattern).toBe('seqchain:orders.v1:*');
    expect(keys.meta).toBe('seqchain:orders.v1:meta');
    expect(data.entryBucket(42n)).toBe('seqchain:orders.v1:0123456789ab:e:42');
    expect(data.digestOverflow).toBe('seqchain:orders.v1:0123456789ab:dx');
  });

  it('buckets positions by offset >> 7, field offset & 127', () => {
    expect(data.position(3, 0n)).toEqual({ key: 'seqchain:orders.v1:0123456789ab:p:3:0', field: '0' });
    expect(data.position(3, 127n)).toEqual({ key: 'seqchain:orders.v1:0123456789ab:p:3:0', field: '127' });
    expect(data.position(3, 128n)).toEqual({ key: 'seqchain:orders.v1:0123456789ab:p:3:1', field: '0' });
    expect(data.position(0, 2n ** 40n + 129n)).toEqual({ key: `seqchain:orders.v1:0123456789ab:p:0:${2n ** 33n + 1n}`, field: '1' });
  });

  it('puts 15 hash tiles of one level in a key, tile N at byte (N % 15) x 8192; checkpoints in one hash', () => {
    expect(INDEX_LAYOUT).toBe('2');
    expect(data.tile(0, 0)).toEqual({ key: 'seqchain:orders.v1:0123456789ab:t:0:0', byteOffset: 0 });
    expect(data.tile(0, 14)).toEqual({ key: 'seqchain:orders.v1:0123456789ab:t:0:0', byteOffset: 14 * 8192 });
    expect(data.tile(0, 15)).toEqual({ key: 'seqchain:orders.v1:0123456789ab:t:0:1', byteOffset: 0 });
    expect(data.tile(2, 31)).toEqual({ key: 'seqchain:orders.v1:0123456789ab:t:2:2', byteOffset: 8192 });
    expect(data.checkpoints).toBe('seqchain:orders.v1:0123456789ab:ck');
    // With the sds header (9 bytes) and NUL, a tile key stays in jemalloc's 128 KiB size class.
    expect(TILE_KEY_BYTES + 10).toBeLessThanOrEqual(128 * 1024);
  });

  it('gives each incarnation its own keys', () => {
    expect(keys.data('aaaaaaaaaaaa').entryBucket(0n)).not.toBe(keys.data('bbbbbbbbbbbb').entryBucket(0n));
    expect(newIncarnation()).toMatch(/^[0-9a-f]{12}$/);
    expect(newIncarnation()).not.toBe(newIncarnation());
  });
});

describe('digest index generations', () => {
  it('generation 0 holds seqs below 2^17, generation g ≥ 1 holds [2^(16+g), 2^(17+g))', () => {
    expect(digestGeneration(1n)).toBe(0);
    expect(digestGeneration(2n ** 17n - 1n)).toBe(0);
    expect(digestGeneration(2n ** 17n)).toBe(1);
    expect(digestGeneration(2n ** 18n - 1n)).toBe(1);
    expect(digestGeneration(2n ** 18n)).toBe(2);
    expect(digestGeneration(2n ** 40n)).toBe(24);
  });

  it('sizes each generation for ~64 digests per bucket', () => {
    expect(digestAddressBits(0)).toBe(11); // 2^17 seqs / 2^11 buckets = 64
    expect(digestAddressBits(1)).toBe(11); // 2^17 seqs
    expect(digestAddressBits(2)).toBe(12); // 2^18 seqs
    expect(digestAddressBits(24)).toBe(34);
  });

  it('addresses by the top bits of the first 6 bytes; the field is bytes 6..18', () => {
    const d = Buffer.alloc(32);
    d.writeUIntBE(0xfff000000000, 0, 6);
    for (let i = 6; i < 32; i++) d[i] = i;
    const slot = digestSlot(d, 0);
    expect(slot.address).toBe(0x7ff); // top 11 bits of 0xfff0…
    expect(slot.field).toEqual(d.subarray(DIGEST_FIELD_FROM, DIGEST_FIELD_TO));
    expect(slot.field.length).toBe(12);
    expect(digestSlot(d, 2).address).toBe(0xfff);
    const key = chainKeys('p', 'c').data('i').digest(d, 0).key;
    expect(key).toBe(`p:c:i:d:0:${0x7ff}`);
  });
});
