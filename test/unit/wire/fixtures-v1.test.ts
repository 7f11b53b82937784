/**
 * Byte-exact fixtures of the wire formats v1: SCD1 (src/wire/digest-batch-v1.ts) and SCM1
 * (src/wire/ledger-v1.ts). test/fixtures/wire/scd1-v1.json and scm1-v1.json hold each message's
 * fields and its exact bytes, written by test/fixtures/wire/make_wire_fixtures.py, an independent
 * Python encoder built from the byte tables in docs/DESIGN.md (it shares no code with the
 * encoders). Encoding the fields must give exactly those bytes, and decoding the bytes exactly
 * those fields. The formats never change once released: a failure here means the format changed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeDigestBatch, encodeDigestBatch, type DigestBatch } from '../../../src/wire/digest-batch-v1.js';
import {
  decodeLedgerMessage,
  encodeCutMessage,
  encodeGenesisMessage,
  type CutMessage,
  type GenesisMessage,
  type LedgerMessage,
} from '../../../src/wire/ledger.js';
import { type CutJson, type GenesisJson, toCut, toGenesis } from './cut-json.js';

interface Fixtures<F> {
  format: string;
  version: number;
  messages: { name: string; kind?: 'genesis' | 'cut'; fields: F; hex: string }[];
}

interface EntryJson {
  offset: string;
  timestampMs: string;
  digest: string;
}

interface BatchJson {
  partition: number;
  from: string;
  to: string;
  entries: EntryJson[];
}

function load<F>(name: string): Fixtures<F> {
  return JSON.parse(readFileSync(new URL(`../../fixtures/wire/${name}`, import.meta.url), 'utf8')) as Fixtures<F>;
}

const hex = (s: string) => Buffer.from(s, 'hex');

function toBatch(f: BatchJson): DigestBatch {
  return {
    partition: f.partition,
    from: BigInt(f.from),
    to: BigInt(f.to),
    entries: f.entries.map((e) => ({ offset: BigInt(e.offset), timestampMs: BigInt(e.timestampMs), digest: hex(e.digest) })),
  };
}

function encodeLedger(m: LedgerMessage): Buffer {
  const { kind, ...rest } = m;
  return kind === 'genesis' ? encodeGenesisMessage(rest as Omit<GenesisMessage, 'kind'>) : encodeCutMessage(rest as Omit<CutMessage, 'kind'>);
}

describe('SCD1 digest batch v1 fixtures (independent Python encoder)', () => {
  const scd1 = load<BatchJson>('scd1-v1.json');

  it('are the v1 fixtures, with a batch without entries', () => {
    expect([scd1.format, scd1.version]).toEqual(['SCD1', 1]);
    expect(scd1.messages.some((m) => m.fields.entries.length === 0)).toBe(true);
  });

  describe.each(scd1.messages.map((m) => [m.name, m] as const))('%s', (_name, m) => {
    it('encodes the fields to exactly the bytes', () => {
      expect(encodeDigestBatch(toBatch(m.fields)).toString('hex')).toBe(m.hex);
    });
    it('decodes the bytes to exactly the fields', () => {
      expect(decodeDigestBatch(hex(m.hex))).toEqual(toBatch(m.fields));
    });
  });
});

describe('SCM1 ledger message v1 fixtures (independent Python encoder)', () => {
  const scm1 = load<GenesisJson | CutJson>('scm1-v1.json');
  const message = (m: (typeof scm1.messages)[number]): LedgerMessage =>
    m.kind === 'genesis' ? toGenesis(m.fields as GenesisJson) : toCut(m.fields as CutJson);

  it('are the v1 fixtures: genesis messages, an expansion cut with no records, a cut over several partitions', () => {
    expect([scm1.format, scm1.version]).toEqual(['SCM1', 1]);
    const messages = scm1.messages.map(message);
    expect(messages.filter((m) => m.kind === 'genesis').map((m) => m.startMode)).toEqual(expect.arrayContaining(['earliest', 'latest']));
    const cuts = messages.filter((m): m is CutMessage => m.kind === 'cut');
    expect(cuts.some((c) => c.entries.length === 0 && c.lastSeq === c.firstSeq - 1n && c.coverage.length > 1)).toBe(true);
    expect(cuts.some((c) => new Set(c.entries.map((e) => e.partition)).size > 2)).toBe(true);
  });

  describe.each(scm1.messages.map((m) => [m.name, m] as const))('%s', (_name, m) => {
    it('encodes the fields to exactly the bytes', () => {
      expect(encodeLedger(message(m)).toString('hex')).toBe(m.hex);
    });
    it('decodes the bytes to exactly the fields', () => {
      expect(decodeLedgerMessage(hex(m.hex))).toEqual(message(m));
    });
  });
});
