import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeqchainError } from '../../../src/errors.js';
import { decodeDigestBatch, encodeDigestBatch, type DigestBatch } from '../../../src/wire/digest-batch-v1.js';
import { decodeLedgerMessage, encodeCutMessage, encodeCutMessageV2, encodeGenesisMessage, type LedgerMessage } from '../../../src/wire/ledger.js';
import { announceSeed, bytes32, decodesCanonicallyOrRejects, fuzzParams, i64, mutationOf, u64 } from './fuzz-helpers.js';

announceSeed('wire (SCD1, SCM1, SCM2)');

/** Valid digest batches: ascending offsets inside [from, to). */
const digestBatch: fc.Arbitrary<DigestBatch> = fc
  .tuple(
    fc.nat({ max: 0xffff_ffff }),
    u64,
    fc.array(fc.tuple(fc.bigInt({ min: 1n, max: 1000n }), i64, bytes32), { maxLength: 20 }),
    fc.bigInt({ min: 1n, max: 1000n }),
  )
  .map(([partition, from, steps, tail]) => {
    let at = from - 1n;
    const entries = steps.map(([step, timestampMs, digest]) => ({ offset: (at += step), timestampMs, digest }));
    return { partition, from, to: at + tail, entries };
  })
  .filter((b) => b.to > b.from);

const genesisMessage = fc.record({
  chainId: fc.string({ unit: 'grapheme', maxLength: 30 }),
  topic: fc.string({ unit: 'grapheme', maxLength: 30 }),
  start: fc.array(u64, { minLength: 1, maxLength: 8 }),
  createdAtMs: u64,
  nonce: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a)),
  hash: bytes32,
  startMode: fc.constantFrom('earliest' as const, 'latest' as const),
});

const cutMessage = fc
  .tuple(
    fc.record({ epoch: u64, cutId: u64, firstSeq: fc.bigInt({ min: 1n, max: 2n ** 60n }), prevHash: bytes32, headHash: bytes32, closedAtMs: u64 }),
    fc.array(fc.record({ sourceNext: u64, digestNext: u64 }), { minLength: 1, maxLength: 6 }),
    fc.array(fc.record({ partitionSeed: fc.nat(), offset: u64, timestampMs: i64, digest: bytes32 }), { maxLength: 12 }),
  )
  .map(([head, coverage, raw]) => ({
    ...head,
    lastSeq: head.firstSeq + BigInt(raw.length) - 1n,
    coverage,
    entries: raw.map(({ partitionSeed, ...e }) => ({ ...e, partition: partitionSeed % coverage.length })),
  }));

function encodeLedger(m: LedgerMessage): Buffer {
  const { kind: _kind, ...rest } = m;
  if (m.kind === 'genesis') return encodeGenesisMessage(rest as Omit<typeof m, 'kind'>);
  // A mutated magic may turn an SCM1 cut into an SCM2 one: it re-encodes as what it decoded to.
  return m.log
    ? encodeCutMessageV2({ ...(rest as Parameters<typeof encodeCutMessage>[0]), log: m.log })
    : encodeCutMessage(rest as Parameters<typeof encodeCutMessage>[0]);
}

/** SCM2 cuts: an arbitrary UTF-8 note (the decoder does not interpret it) and one border hash per set bit of lastSeq. */
const cutMessageV2 = fc
  .tuple(cutMessage, fc.string({ unit: 'grapheme', maxLength: 200 }), fc.uint8Array({ minLength: 64 * 32, maxLength: 64 * 32 }))
  .map(([c, checkpoint, pool]) => {
    const n = c.lastSeq
      .toString(2)
      .split('')
      .filter((b) => b === '1').length;
    return { ...c, log: { checkpoint, border: Buffer.from(pool.subarray(0, 32 * n)) } };
  });

const ledgerBytes = fc.oneof(genesisMessage.map(encodeGenesisMessage), cutMessage.map(encodeCutMessage), cutMessageV2.map(encodeCutMessageV2));

describe('fuzz: digest batch SCD1', () => {
  it('round-trips every valid batch', () => {
    fc.assert(
      fc.property(digestBatch, (b) => {
        expect(decodeDigestBatch(encodeDigestBatch(b))).toEqual(b);
      }),
      fuzzParams(300),
    );
  });

  it('arbitrary bytes decode canonically or are rejected as malformed', () => {
    const magicPrefixed = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.concat([Buffer.from('SCD1'), a]));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
          magicPrefixed,
        ),
        (bytes) => {
          decodesCanonicallyOrRejects(bytes, decodeDigestBatch, encodeDigestBatch);
        },
      ),
      fuzzParams(1_000),
    );
  });

  it('truncations and single-byte mutations of valid batches decode canonically or are rejected', () => {
    fc.assert(
      fc.property(
        digestBatch.chain((b) => mutationOf(encodeDigestBatch(b))),
        (bytes) => void decodesCanonicallyOrRejects(bytes, decodeDigestBatch, encodeDigestBatch),
      ),
      fuzzParams(1_000),
    );
  });

  it('a header claiming 2^32-1 entries is rejected at once, without allocating for them', () => {
    const header = encodeDigestBatch({ partition: 0, from: 0n, to: 2n ** 40n, entries: [] });
    header.writeUInt32BE(0xffff_ffff, 24);
    const started = performance.now();
    expect(() => decodeDigestBatch(header)).toThrow(/count of 4294967295 needs/);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('fuzz: ledger message SCM1', () => {
  it('round-trips every valid genesis and cut message', () => {
    fc.assert(
      fc.property(genesisMessage, (g) => {
        expect(decodeLedgerMessage(encodeGenesisMessage(g))).toEqual({ kind: 'genesis', ...g });
      }),
      fuzzParams(300),
    );
    fc.assert(
      fc.property(cutMessage, (c) => {
        expect(decodeLedgerMessage(encodeCutMessage(c))).toEqual({ kind: 'cut', ...c });
      }),
      fuzzParams(300),
    );
    fc.assert(
      fc.property(cutMessageV2, (c) => {
        expect(decodeLedgerMessage(encodeCutMessageV2(c))).toEqual({ kind: 'cut', ...c });
      }),
      fuzzParams(300),
    );
  });

  it('arbitrary bytes decode canonically or are rejected as malformed', () => {
    const prefixed = fc
      .tuple(fc.constantFrom('SCM1', 'SCM2'), fc.constantFrom(1, 2, 3), fc.uint8Array({ maxLength: 300 }))
      .map(([magic, kind, a]) => Buffer.concat([Buffer.from(magic), Buffer.from([kind]), a]));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
          prefixed,
        ),
        (bytes) => {
          decodesCanonicallyOrRejects(bytes, decodeLedgerMessage, encodeLedger);
        },
      ),
      fuzzParams(1_000),
    );
  });

  it('truncations and single-byte mutations of valid messages decode canonically or are rejected', () => {
    fc.assert(
      fc.property(
        ledgerBytes.chain((valid) => mutationOf(valid)),
        (bytes) => void decodesCanonicallyOrRejects(bytes, decodeLedgerMessage, encodeLedger),
      ),
      fuzzParams(1_500),
    );
  });

  it('declared lengths beyond the message are rejected at once, without allocating for them', () => {
    const cut = encodeCutMessage({
      epoch: 1n,
      cutId: 1n,
      firstSeq: 1n,
      lastSeq: 0n,
      prevHash: Buffer.alloc(32),
      headHash: Buffer.alloc(32),
      closedAtMs: 0n,
      coverage: [{ sourceNext: 0n, digestNext: 0n }],
      entries: [],
    });
    const countAt = cut.length - 4;
    const coverageAt = countAt - 16 - 4;
    for (const [at, pattern] of [
      [countAt, /count of 4294967295 needs/],
      [coverageAt, /coverage of 4294967295 needs/],
    ] as const) {
      const b = Buffer.from(cut);
      b.writeUInt32BE(0xffff_ffff, at);
      const started = performance.now();
      expect(() => decodeLedgerMessage(b)).toThrow(pattern);
      expect(performance.now() - started).toBeLessThan(50);
    }
    const genesis = encodeGenesisMessage({
      chainId: 'c',
      topic: 't',
      start: [0n],
      createdAtMs: 0n,
      nonce: Buffer.alloc(16),
      hash: Buffer.alloc(32),
      startMode: 'earliest',
    });
    genesis.writeUInt32BE(0xffff_ffff, 5);
    expect(() => decodeLedgerMessage(genesis)).toThrow(SeqchainError);
  });
});
