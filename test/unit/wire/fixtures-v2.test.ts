/**
 * Byte-exact fixtures of the ledger message v2 (SCM2, src/wire/ledger-v2.ts): cuts that carry the
 * log view. test/fixtures/wire/scm2-v2.json is written by make_wire_fixtures.py (independent
 * Python: the SCM1 body, the RFC 9162 root and border computed recursively). Encoding the fields
 * must give exactly the bytes, decoding the bytes exactly the fields; the checkpoint notes open
 * under the fixture's verifier key with the root and size the Python computed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MalformedMessageError } from '../../../src/errors.js';
import { openCheckpoint, parseVerifierKey, TreeBorder } from '../../../src/tlog/index.js';
import {
  type CutMessage,
  decodeLedgerMessage,
  encodeCutMessage,
  encodeCutMessageV2,
  encodeGenesisMessage,
  encodeGenesisMessageV2,
} from '../../../src/wire/ledger.js';
import { peekCutCheckpoint } from '../../../src/wire/ledger-v2.js';
import { type CutJson, type GenesisJson, toCut, toGenesis } from './cut-json.js';

interface CutV2Json extends CutJson {
  log: { checkpoint: string; border: string };
}

const doc = JSON.parse(readFileSync(new URL('../../fixtures/wire/scm2-v2.json', import.meta.url), 'utf8')) as {
  format: string;
  version: number;
  verifierKey: string;
  genesis: { name: string; fields: GenesisJson; hex: string }[];
  messages: { name: string; fields: CutV2Json; hex: string }[];
};
const hex = (s: string) => Buffer.from(s, 'hex');

function toCutV2(f: CutV2Json): CutMessage & { log: NonNullable<CutMessage['log']> } {
  return { ...toCut(f), log: { checkpoint: f.log.checkpoint, border: hex(f.log.border) } };
}

describe('SCM2 ledger message v2 fixtures (independent Python encoder)', () => {
  it('are the v2 fixtures, with an expansion cut (no records)', () => {
    expect([doc.format, doc.version]).toEqual(['SCM2', 2]);
    expect(doc.messages.some((m) => m.fields.entries.length === 0)).toBe(true);
  });

  describe.each(doc.messages.map((m) => [m.name, m] as const))('%s', (_name, m) => {
    const { kind: _kind, ...cut } = toCutV2(m.fields);
    it('encodes the fields to exactly the bytes', () => {
      expect(encodeCutMessageV2(cut).toString('hex')).toBe(m.hex);
    });
    it('decodes the bytes to exactly the fields', () => {
      expect(decodeLedgerMessage(hex(m.hex))).toEqual(toCutV2(m.fields));
    });
    it('is the SCM1 cut body, byte for byte, then the log view', () => {
      const v1 = encodeCutMessage(cut);
      expect(hex(m.hex).subarray(5, v1.length).equals(v1.subarray(5))).toBe(true);
      expect(hex(m.hex).subarray(0, 4).toString('latin1')).toBe('SCM2');
    });
    it('gives the checkpoint and lastSeq without decoding the entries (peekCutCheckpoint), as the full decode does', () => {
      expect(peekCutCheckpoint(hex(m.hex))).toEqual({ lastSeq: cut.lastSeq, checkpoint: cut.log.checkpoint });
      expect(peekCutCheckpoint(encodeCutMessage(cut))).toBeNull();
      expect(() => peekCutCheckpoint(hex(m.hex).subarray(0, hex(m.hex).length - cut.log.border.length - 3))).toThrow(MalformedMessageError);
    });
    it("carries a checkpoint signed under the fixture's key, whose root is the border's", () => {
      const opened = openCheckpoint(cut.log.checkpoint, [parseVerifierKey(doc.verifierKey)], 'example.com/wire-fixture');
      expect(opened.checkpoint.size).toBe(Number(cut.lastSeq));
      expect(opened.checkpoint.root.equals(TreeBorder.decode(Number(cut.lastSeq), cut.log.border).root())).toBe(true);
    });
  });

  it('refuses a border whose hash count does not match lastSeq, and trailing bytes', () => {
    const m = doc.messages.find((x) => x.fields.lastSeq === '9')!;
    const bytes = hex(m.hex);
    // lastSeq 9 = 0b1001: 2 border hashes. Claim 3 (and append 32 bytes so that only the count is wrong).
    const more = Buffer.concat([bytes, Buffer.alloc(32)]);
    more[bytes.length - 65] = 3;
    expect(() => decodeLedgerMessage(more)).toThrow(MalformedMessageError);
    expect(() => decodeLedgerMessage(more)).toThrow(/border count is 3, but a tree of size 9 has 2 border hashes/);
    expect(() => decodeLedgerMessage(Buffer.concat([bytes, Buffer.alloc(1)]))).toThrow(/1 trailing bytes/);
    expect(() => decodeLedgerMessage(bytes.subarray(0, bytes.length - 1))).toThrow(/border truncated/);
  });

  it('refuses a checkpoint that is not UTF-8, and an unknown v2 kind', () => {
    const { kind: _k, ...cut } = toCutV2(doc.messages[0]!.fields);
    const bytes = encodeCutMessageV2(cut);
    const at = bytes.indexOf(Buffer.from('example.com/wire-fixture\n'));
    const bad = Buffer.from(bytes);
    bad[at] = 0xff;
    expect(() => decodeLedgerMessage(bad)).toThrow(/checkpoint is not valid UTF-8/);
    const kind = Buffer.from(bytes);
    kind[4] = 3;
    expect(() => decodeLedgerMessage(kind)).toThrow(/ledger message v2: kind is 3, expected 1 \(genesis with the log's key\) or 2/);
  });

  describe.each(doc.genesis.map((m) => [m.name, m] as const))('genesis %s', (_name, m) => {
    const { kind: _kind, ...fields } = toGenesis(m.fields);
    it('has no cut checkpoint to peek', () => {
      expect(peekCutCheckpoint(hex(m.hex))).toBeNull();
    });
    it('encodes the fields to exactly the bytes, and decodes the bytes to exactly the fields', () => {
      expect(encodeGenesisMessageV2({ ...fields, logVerifierKey: fields.logVerifierKey! }).toString('hex')).toBe(m.hex);
      expect(decodeLedgerMessage(hex(m.hex))).toEqual(toGenesis(m.fields));
    });
    it('is the SCM1 genesis body, byte for byte, then the key (the genesis hash does not cover it)', () => {
      const v1 = encodeGenesisMessage(fields);
      expect(hex(m.hex).subarray(5, v1.length).equals(v1.subarray(5))).toBe(true);
      expect(fields.logVerifierKey).toBe(doc.verifierKey);
    });
    it('refuses a key that is not a verifier key, and trailing bytes', () => {
      const bytes = hex(m.hex);
      const broken = Buffer.from(bytes);
      broken[bytes.length - 1] = 0x21; // the base64 key's last character becomes "!"
      expect(() => decodeLedgerMessage(broken)).toThrow(/ledger message v2: .*verifierKey is not a verifier key/);
      expect(() => decodeLedgerMessage(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(MalformedMessageError);
    });
  });
});
