import { describe, expect, it } from 'vitest';
import { MalformedMessageError } from '../../../src/errors.js';
import { decodeDigestBatch, encodeDigestBatch, type DigestBatch } from '../../../src/wire/digest-batch-v1.js';
import { decodeLedgerMessage, encodeCutMessage, encodeGenesisMessage, type CutMessage } from '../../../src/wire/ledger.js';

const batch: DigestBatch = {
  partition: 3,
  from: 2n ** 33n,
  to: 2n ** 33n + 10n,
  entries: [
    { offset: 2n ** 33n, timestampMs: -5n, digest: Buffer.alloc(32, 1) },
    { offset: 2n ** 33n + 7n, timestampMs: 1_700_000_000_000n, digest: Buffer.alloc(32, 2) },
  ],
};

const cut: Omit<CutMessage, 'kind'> = {
  epoch: 4n,
  cutId: 9n,
  firstSeq: 100n,
  lastSeq: 101n,
  prevHash: Buffer.alloc(32, 7),
  headHash: Buffer.alloc(32, 8),
  closedAtMs: 1_700_000_000_123n,
  coverage: [
    { sourceNext: 5n, digestNext: 2n },
    { sourceNext: 9n, digestNext: 3n },
  ],
  entries: [
    { partition: 1, offset: 8n, timestampMs: 11n, digest: Buffer.alloc(32, 3) },
    { partition: 0, offset: 4n, timestampMs: 12n, digest: Buffer.alloc(32, 4) },
  ],
};

describe('digest batch v1', () => {
  it('round-trips, with a fixed byte layout', () => {
    const buf = encodeDigestBatch(batch);
    expect(buf.length).toBe(28 + 2 * 48);
    expect(buf.subarray(0, 8).toString('hex')).toBe('5343443100000003');
    expect(decodeDigestBatch(buf)).toEqual(batch);
  });

  it.each([
    ['truncated', (b: Buffer) => b.subarray(0, b.length - 1), /truncated|count/],
    ['bad magic', (b: Buffer) => Buffer.concat([Buffer.from('XXXX'), b.subarray(4)]), /magic/],
    ['trailing bytes', (b: Buffer) => Buffer.concat([b, Buffer.alloc(1)]), /trailing/],
    [
      'empty range',
      (b: Buffer) => {
        const c = Buffer.from(b);
        c.writeBigUInt64BE(2n ** 33n, 16);
        return c;
      },
      /to/,
    ],
    [
      'offset outside range',
      (b: Buffer) => {
        const c = Buffer.from(b);
        c.writeBigUInt64BE(2n ** 34n, 28 + 48);
        return c;
      },
      /outside/,
    ],
    [
      'offsets out of order',
      (b: Buffer) => {
        const c = Buffer.from(b);
        c.writeBigUInt64BE(2n ** 33n, 28 + 48);
        return c;
      },
      /out of order/,
    ],
    [
      'an implausible offset',
      (b: Buffer) => {
        const c = Buffer.from(b);
        c.writeBigUInt64BE(2n ** 63n, 28 + 48);
        return c;
      },
      /entries\[1\]\.offset is implausibly large/,
    ],
  ])('rejects %s with a typed error naming the field', (_name, mutate, pattern) => {
    const bad = mutate(encodeDigestBatch(batch));
    expect(() => decodeDigestBatch(bad)).toThrow(MalformedMessageError);
    expect(() => decodeDigestBatch(bad)).toThrow(pattern);
  });

  it('names the element field and byte position of a read that fails inside the entries', () => {
    // A count that claims more entries than fit is refused up front; past that check, a field of
    // an element is named by its index.
    const buf = encodeDigestBatch(batch);
    expect(() => decodeDigestBatch(buf.subarray(0, buf.length - 1))).toThrow(/count of 2 needs 96 bytes, 95 left/);
    const c = Buffer.from(buf);
    c.writeBigUInt64BE(2n ** 33n + 20n, 28 + 48);
    expect(() => decodeDigestBatch(c)).toThrow(/entries\[1\]\.offset .* at byte 84 of 124/);
  });
});

describe('ledger message v1', () => {
  it('round-trips a cut', () => {
    expect(decodeLedgerMessage(encodeCutMessage(cut))).toEqual({ kind: 'cut', ...cut });
  });

  it('round-trips a cut with no records (an expansion cut: lastSeq = firstSeq - 1, a longer coverage)', () => {
    const expansion = {
      ...cut,
      firstSeq: 102n,
      lastSeq: 101n,
      prevHash: cut.headHash,
      coverage: [...cut.coverage, { sourceNext: 0n, digestNext: 0n }, { sourceNext: 7n, digestNext: 0n }],
      entries: [],
    };
    const buf = encodeCutMessage(expansion);
    expect(buf.length).toBe(5 + 4 * 8 + 2 * 32 + 8 + 4 + 4 * 16 + 4);
    expect(buf.readUInt32BE(buf.length - 4)).toBe(0);
    expect(decodeLedgerMessage(buf)).toEqual({ kind: 'cut', ...expansion });
  });

  it('rejects a seq range that runs backwards by more than an empty cut', () => {
    expect(() => decodeLedgerMessage(encodeCutMessage({ ...cut, firstSeq: 102n, lastSeq: 100n, entries: [] }))).toThrow(
      /\[102, 100\] is not a valid sequence range/,
    );
    expect(() => decodeLedgerMessage(encodeCutMessage({ ...cut, firstSeq: 0n, lastSeq: 0n, entries: [] }))).toThrow(/not a valid sequence range/);
  });

  it('round-trips a genesis, non-ASCII names included', () => {
    const g = {
      chainId: 'чейн',
      topic: 'tópic',
      start: [0n, 2n ** 40n],
      createdAtMs: 1n,
      nonce: Buffer.alloc(16, 9),
      hash: Buffer.alloc(32, 5),
      startMode: 'latest' as const,
    };
    expect(decodeLedgerMessage(encodeGenesisMessage(g))).toEqual({ kind: 'genesis', ...g });
  });

  it('rejects a cut whose entry count does not match its seq range', () => {
    const buf = encodeCutMessage({ ...cut, lastSeq: 102n });
    expect(() => decodeLedgerMessage(buf)).toThrow(/count 2 does not match seq range \[100, 102\]/);
  });

  it('rejects an entry for a partition outside the coverage vector', () => {
    const buf = encodeCutMessage({ ...cut, entries: [cut.entries[0]!, { ...cut.entries[1]!, partition: 2 }] });
    expect(() => decodeLedgerMessage(buf)).toThrow(/entries\[1\]\.partition/);
  });

  it('rejects an unknown kind and every truncation with MalformedMessageError, never a RangeError', () => {
    const buf = encodeCutMessage(cut);
    const unknown = Buffer.from(buf);
    unknown[4] = 9;
    expect(() => decodeLedgerMessage(unknown)).toThrow(/kind is 9/);
    for (let len = 0; len < buf.length; len += 7) {
      expect(() => decodeLedgerMessage(buf.subarray(0, len))).toThrow(MalformedMessageError);
    }
  });
});
