import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { genesisHash } from '../../../src/chain/genesis.js';
import { decodeCounter, encodeCounter, type CounterValue } from '../../../src/coordination/counter.js';
import { decodeEpoch, encodeEpoch } from '../../../src/coordination/epoch.js';
import { decodeGenesis, encodeGenesis, type GenesisRecord } from '../../../src/coordination/genesis-store.js';
import { decodeLeader, encodeLeader, type LeaderInfo } from '../../../src/coordination/leader.js';
import { decodeMember, encodeMember, type MemberInfo } from '../../../src/coordination/members.js';
import { decodeOrderedLease, encodeOrderedLease, type OrderedLeaseInfo } from '../../../src/coordination/ordered-lease.js';
import { decodePause, encodePause, type PauseInfo } from '../../../src/coordination/pause.js';
import { SeqchainError } from '../../../src/errors.js';
import { announceSeed, bytes32, decodesCanonicallyOrRejects, fuzzParams, mutationOf, u64 } from './fuzz-helpers.js';

announceSeed('znode JSON formats');

const safeNat = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const text = fc.string({ unit: 'grapheme', maxLength: 24 });
const znodeName = fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/).filter((s) => s !== '.' && s !== '..');

const genesis: fc.Arbitrary<GenesisRecord> = fc
  .record({
    chainId: text.filter((s) => s.length > 0),
    topic: text.filter((s) => s.length > 0),
    start: fc.array(u64, { minLength: 1, maxLength: 6 }),
    createdAtMs: u64,
    nonce: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a)),
    startMode: fc.constantFrom('earliest' as const, 'latest' as const),
    ledgerTopic: text.filter((s) => s.length > 0),
    digestTopic: text.filter((s) => s.length > 0),
  })
  .map((g) => ({ version: 1 as const, ...g, partitions: g.start.length, hash: genesisHash(g) }));

const leader: fc.Arbitrary<LeaderInfo> = fc
  .record({
    replicaId: text.filter((s) => s.length > 0),
    epoch: u64,
    apiAddress: text,
    since: safeNat,
    lastCut: fc.option(fc.record({ cutId: u64, records: safeNat, latencyMs: safeNat, at: safeNat }), { nil: undefined }),
  })
  .map(({ lastCut, ...rest }) => (lastCut ? { ...rest, lastCut } : rest));

const member: fc.Arbitrary<MemberInfo> = fc.record({
  replicaId: znodeName,
  pid: safeNat,
  host: text,
  startedAt: safeNat,
  apiAddress: text,
  partitions: fc.array(fc.nat({ max: 0x7fff_ffff }), { maxLength: 8 }),
});

const counter: fc.Arbitrary<CounterValue> = fc.record({
  epoch: u64,
  nextSeq: fc.bigInt({ min: 1n, max: 2n ** 62n }),
  headHash: bytes32,
  ledgerOffset: fc.bigInt({ min: -1n, max: 2n ** 62n }),
});
const pause: fc.Arbitrary<PauseInfo> = fc.record({ by: text, at: safeNat, reason: text });
const orderedLease: fc.Arbitrary<OrderedLeaseInfo> = fc.record({ replicaId: text.filter((s) => s.length > 0), since: safeNat, seq: u64, at: safeNat });

interface Format<T> {
  name: string;
  valid: fc.Arbitrary<T>;
  encode: (v: T) => Buffer;
  decode: (b: Buffer) => T;
}

// biome-ignore lint/suspicious/noExplicitAny: a table of formats of different value types
const formats: Format<any>[] = [
  { name: 'genesis', valid: genesis, encode: encodeGenesis, decode: decodeGenesis },
  { name: 'leader', valid: leader, encode: encodeLeader, decode: decodeLeader },
  { name: 'member', valid: member, encode: encodeMember, decode: decodeMember },
  { name: 'counter', valid: counter, encode: encodeCounter, decode: decodeCounter },
  { name: 'pause', valid: pause, encode: encodePause, decode: decodePause },
  { name: 'ordered-writer', valid: orderedLease, encode: encodeOrderedLease, decode: decodeOrderedLease },
];

/** A valid document with one field replaced by any JSON value, removed, or one nested level deep. */
function jsonMutation(valid: Buffer): fc.Arbitrary<Buffer> {
  const doc = JSON.parse(valid.toString('utf8')) as Record<string, unknown>;
  const keys = Object.keys(doc);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => Buffer.from(JSON.stringify({ ...doc, [k]: v }))),
    fc.constantFrom(...keys).map((k) => Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(doc).filter(([key]) => key !== k))))),
    fc.tuple(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 })).map(([k, v]) => Buffer.from(JSON.stringify({ ...doc, [k]: v }))),
    fc
      .tuple(
        fc.constantFrom(...keys),
        fc.constantFrom('-0', '007', '1e3', ' 1', '0x10', '', '-1', '18446744073709551616', 'a/b', '..', '\u0000', 1e21, -1, 1.5, null, true),
      )
      .map(([k, v]) => Buffer.from(JSON.stringify({ ...doc, [k]: v }))),
  );
}

/** Decodes, or rejects with MALFORMED_MESSAGE; what decodes re-encodes to a document that decodes to the same value. */
function decodesStablyOrRejects<T>(bytes: Buffer, f: Format<T>): void {
  let value: T;
  try {
    value = f.decode(bytes);
  } catch (err) {
    if (!(err instanceof SeqchainError) || err.code !== 'SEQCHAIN_ERR_MALFORMED_MESSAGE') {
      throw new Error(`${f.name}: decoder threw ${(err as Error)?.name} (${(err as Error)?.message}) for ${bytes.toString('utf8').slice(0, 300)}`, {
        cause: err,
      });
    }
    return;
  }
  expect(f.decode(f.encode(value))).toEqual(value);
}

describe.each(formats)('fuzz: $name znode', (f) => {
  it('round-trips every valid value, byte-stable on re-encoding', () => {
    fc.assert(
      fc.property(f.valid, (v) => {
        const data = f.encode(v);
        expect(f.decode(data)).toEqual(v);
        expect(f.encode(f.decode(data)).equals(data)).toBe(true);
      }),
      fuzzParams(200),
    );
  });

  it('field-level JSON mutations decode to a stable value or are rejected as malformed', () => {
    fc.assert(
      fc.property(
        f.valid.chain((v) => jsonMutation(f.encode(v))),
        (bytes) => decodesStablyOrRejects(bytes, f),
      ),
      fuzzParams(400),
    );
  });

  it('arbitrary bytes, truncations and byte flips decode to a stable value or are rejected as malformed', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a)),
          fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? '')),
          f.valid.chain((v) => mutationOf(f.encode(v))),
        ),
        (bytes) => decodesStablyOrRejects(bytes, f),
      ),
      fuzzParams(400),
    );
  });
});

describe('fuzz: epoch znode (a bare decimal)', () => {
  it('round-trips every epoch', () => {
    fc.assert(
      fc.property(u64, (e) => {
        expect(decodeEpoch(encodeEpoch(e))).toBe(e);
      }),
      fuzzParams(200),
    );
  });

  it('arbitrary bytes decode to an epoch that re-encodes to the same bytes, or are rejected', () => {
    const decimalish = fc.stringMatching(/^-?[0-9]{0,4}$/).map((s) => Buffer.from(s));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)),
          decimalish,
          fc.constantFrom('-0', '00', ' 1', '1\n').map((s) => Buffer.from(s)),
        ),
        (bytes) => {
          decodesCanonicallyOrRejects(bytes, decodeEpoch, encodeEpoch);
        },
      ),
      fuzzParams(500),
    );
  });
});
