import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENTRY_BYTES, readEntry, readEntryHash, writeEntry, type IndexEntry } from '../../../src/index-store/entry-codec.js';
import { META_FIELDS, parseMeta } from '../../../src/index-store/meta.js';
import { SeqchainError } from '../../../src/errors.js';
import { announceSeed, bytes32, fuzzParams, i64, u64 } from './fuzz-helpers.js';

announceSeed('index entry codec, index meta');

const entry: fc.Arbitrary<IndexEntry> = fc.record({
  partition: fc.nat({ max: 0xffff_ffff }),
  offset: u64,
  timestampMs: i64,
  digest: bytes32,
  hash: bytes32.filter((h) => h.some((b) => b !== 0)),
  epoch: u64,
  cutId: u64,
});

describe('fuzz: index entry layout 1', () => {
  it('round-trips every entry at any slot of a bucket', () => {
    fc.assert(
      fc.property(entry, fc.nat({ max: 8 }), (e, slot) => {
        const buf = Buffer.alloc(ENTRY_BYTES * 9);
        writeEntry(buf, slot * ENTRY_BYTES, e);
        expect(readEntry(buf, slot * ENTRY_BYTES)).toEqual(e);
        expect(readEntryHash(buf, slot * ENTRY_BYTES)).toEqual(e.hash);
      }),
      fuzzParams(500),
    );
  });

  it('arbitrary bytes at arbitrary positions: null or an entry that re-encodes to the same bytes, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3 * ENTRY_BYTES }), fc.integer({ min: -ENTRY_BYTES, max: 3 * ENTRY_BYTES }), (raw, at) => {
        const buf = Buffer.from(raw);
        const got = readEntry(buf, at);
        if (got === null) return;
        const again = Buffer.alloc(ENTRY_BYTES);
        writeEntry(again, 0, got);
        expect(again.toString('hex')).toBe(buf.subarray(at, at + ENTRY_BYTES).toString('hex'));
      }),
      fuzzParams(1_000),
    );
  });
});

/** The meta hash as an HMGET of META_FIELDS returns it. */
const validMeta = fc.record({
  inc: fc.stringMatching(/^[0-9a-f]{8,16}$/),
  genesis: bytes32.map((b) => b.toString('hex')),
  layout: fc.constant('1'),
  seq: u64.map(String),
  hash: bytes32.map((b) => b.toString('hex')),
  epoch: u64.map(String),
  cutId: u64.map(String),
  ledgerOffset: fc.bigInt({ min: -1n, max: 2n ** 62n }).map(String),
  updatedAtMs: fc.nat().map(String),
});

describe('fuzz: index meta hash', () => {
  it('parses every valid meta hash', () => {
    fc.assert(
      fc.property(validMeta, (m) => {
        const parsed = parseMeta(META_FIELDS.map((f) => m[f]));
        expect(parsed).not.toBeNull();
        expect(parsed!.head.seq.toString()).toBe(m.seq);
        expect(parsed!.head.hash.toString('hex')).toBe(m.hash);
        expect(parsed!.head.ledgerOffset.toString()).toBe(m.ledgerOffset);
      }),
      fuzzParams(300),
    );
  });

  it('arbitrary field values parse to the same values, null, or a MALFORMED_MESSAGE error — never a SyntaxError', () => {
    const field = fc.oneof(
      fc.constant(null),
      fc.string({ maxLength: 70 }),
      u64.map(String),
      fc.constant('-1'),
      bytes32.map((b) => b.toString('hex')),
    );
    fc.assert(
      fc.property(validMeta, fc.dictionary(fc.constantFrom(...META_FIELDS), field, { maxKeys: 3 }), (m, patch) => {
        const values = META_FIELDS.map((f) => (f in patch ? patch[f]! : m[f]));
        let parsed;
        try {
          parsed = parseMeta(values);
        } catch (err) {
          expect(err).toBeInstanceOf(SeqchainError);
          expect((err as SeqchainError).code).toBe('SEQCHAIN_ERR_MALFORMED_MESSAGE');
          return;
        }
        if (parsed === null) return;
        const h = parsed.head;
        expect([h.seq, h.epoch, h.cutId, h.ledgerOffset].map(String)).toEqual([values[3], values[5], values[6], values[7]]);
        expect(h.hash.toString('hex')).toBe(values[4]);
      }),
      fuzzParams(1_000),
    );
  });
});
