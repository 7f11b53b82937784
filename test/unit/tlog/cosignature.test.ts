import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MalformedMessageError, NoteUnverifiedError, SignatureInvalidError } from '../../../src/errors.js';
import {
  CosignatureSigner,
  cosignatureTime,
  cosignedMessage,
  formatAddCheckpoint,
  formatCosignatureLines,
  formatTlogSize,
  NoteSigner,
  openCheckpoint,
  openNote,
  parseAddCheckpoint,
  parseCosignatureLines,
  parseCosignatureVerifierKey,
  parseTlogSize,
  parseVerifierKey,
  signCheckpoint,
} from '../../../src/tlog/index.js';
import { thrown } from '../../helpers/thrown.js';

/** Written by test/vectors/make_cosignature_vectors.py (Python `cryptography`, no shared code). */
interface Vectors {
  log: { name: string; keyId: string; verifierKey: string; signerKey: string };
  witness: { name: string; keyId: string; verifierKey: string; signerKey: string; keyIdAsType01: string };
  cases: { size: number; timestamp: number; text: string; note: string; cosignedMessage: string; cosignatureLine: string; cosignedNote: string }[];
  addCheckpoint: { oldSize: number; proof: string[]; note: string; body: string };
}
const V = JSON.parse(readFileSync(new URL('../../vectors/cosignature-v1.json', import.meta.url), 'utf8')) as Vectors;

describe('tlog-cosignature/v1 (Ed25519), against the Python vectors', () => {
  const witness = CosignatureSigner.parse(V.witness.signerKey);
  const log = NoteSigner.parse(V.log.signerKey);

  it('derives the vector key ID (type 0x04, distinct from the same key as 0x01) and verifier key, and formats the signer key back', () => {
    expect(witness.keyId.toString(16).padStart(8, '0')).toBe(V.witness.keyId);
    expect(V.witness.keyIdAsType01).not.toBe(V.witness.keyId);
    expect(witness.verifierKey).toBe(V.witness.verifierKey);
    expect(witness.format()).toBe(V.witness.signerKey);
    expect(parseCosignatureVerifierKey(V.witness.verifierKey).publicKey.equals(witness.verifier.publicKey)).toBe(true);
    expect(log.verifierKey).toBe(V.log.verifierKey);
  });

  it.each(V.cases.map((c) => [c.size, c] as const))(
    'size %d: the signed message, the cosignature line byte for byte, and the cosigned note opens under both keys',
    (_size, c) => {
      expect(cosignedMessage(c.timestamp, c.text).toString('utf8')).toBe(c.cosignedMessage);
      expect(signCheckpoint(openCheckpoint(c.note, [log.verifier]).checkpoint, log)).toBe(c.note);
      const sig = witness.cosign(c.text, c.timestamp);
      expect(formatCosignatureLines([sig])).toBe(c.cosignatureLine);
      expect(cosignatureTime(sig)).toBe(c.timestamp);
      const wv = parseCosignatureVerifierKey(V.witness.verifierKey);
      const opened = openNote(c.cosignedNote, [parseVerifierKey(V.log.verifierKey), wv]);
      expect(opened.verified.map((s) => s.name)).toEqual([V.log.name, V.witness.name]);
      // A log verifier alone leaves the cosignature as an unknown signature, as the spec wants.
      expect(openNote(c.cosignedNote, [log.verifier]).unverified.map((s) => s.name)).toEqual([V.witness.name]);
    },
  );

  it('refuses a cosignature whose timestamp, text or signature was changed', () => {
    const c = V.cases[2]!;
    const wv = parseCosignatureVerifierKey(V.witness.verifierKey);
    const raw = Buffer.from(c.cosignatureLine.split(' ')[2]!.trim(), 'base64');
    const retimed = Buffer.from(raw);
    retimed.writeBigUInt64BE(BigInt(c.timestamp + 1), 4);
    const withLine = (b: Buffer) => `${c.note}— ${V.witness.name} ${b.toString('base64')}\n`;
    expect(thrown(SignatureInvalidError, () => openNote(withLine(retimed), [wv])).message).toMatch(/witness\.example\/w1/);
    const flipped = Buffer.from(raw);
    flipped[40]! ^= 1;
    thrown(SignatureInvalidError, () => openNote(withLine(flipped), [wv]));
    const otherText = c.cosignedNote.replace(`\n${c.size}\n`, `\n${c.size + 1}\n`);
    thrown(SignatureInvalidError, () => openNote(otherText, [wv]));
    // The witness's key as a plain 0x01 key does not verify a cosignature: its key ID differs, so the line is unknown.
    const as01 = parseVerifierKey(
      `${V.witness.name}+${V.witness.keyIdAsType01}+${Buffer.concat([Buffer.from([1]), witness.verifier.publicKey]).toString('base64')}`,
    );
    thrown(NoteUnverifiedError, () => openNote(`${c.text}\n${c.cosignatureLine}`, [as01]));
  });

  it('refuses malformed witness keys, naming what is wrong and never showing the seed', () => {
    const seed = V.witness.signerKey.split('+')[4]!;
    expect(thrown(MalformedMessageError, () => CosignatureSigner.parse(V.log.signerKey)).message).toMatch(/not tlog-cosignature\/v1 Ed25519 \(0x04\)/);
    const wrongId = V.witness.signerKey.replace(V.witness.keyId, '00000000');
    const err = thrown(MalformedMessageError, () => CosignatureSigner.parse(wrongId));
    expect(err.message).toMatch(/key id 00000000 does not match/);
    expect(`${err.message}${JSON.stringify(err.details)}`).not.toContain(seed);
    expect(inspect(witness)).not.toContain(seed);
    expect(JSON.stringify(witness)).not.toContain(seed);
    expect(thrown(MalformedMessageError, () => parseCosignatureVerifierKey(V.log.verifierKey)).message).toMatch(/type 0x01 is not/);
    expect(thrown(MalformedMessageError, () => parseCosignatureVerifierKey(V.witness.verifierKey.replace(V.witness.keyId, 'ffffffff'))).message).toMatch(
      /does not match the name and key/,
    );
  });

  it('a generated witness key round-trips through its key strings', () => {
    const s = CosignatureSigner.generate('witness.example/gen');
    expect(CosignatureSigner.parse(s.format()).verifierKey).toBe(s.verifierKey);
    const sig = s.cosign(V.cases[1]!.text, 1_800_000_000);
    expect(openNote(`${V.cases[1]!.note}${formatCosignatureLines([sig])}`, [parseCosignatureVerifierKey(s.verifierKey)]).verified).toHaveLength(1);
  });
});

describe('tlog-witness add-checkpoint bodies', () => {
  it('parses and formats the vector request byte for byte', () => {
    const req = parseAddCheckpoint(V.addCheckpoint.body);
    expect(req.oldSize).toBe(V.addCheckpoint.oldSize);
    expect(req.proof.map((h) => h.toString('base64'))).toEqual(V.addCheckpoint.proof);
    expect(req.note).toBe(V.addCheckpoint.note);
    expect(formatAddCheckpoint(req)).toBe(V.addCheckpoint.body);
    expect(formatAddCheckpoint({ oldSize: 0, proof: [], note: V.cases[1]!.note })).toBe(`old 0\n\n${V.cases[1]!.note}`);
  });

  it.each([
    ['no blank line', 'old 0\n', /no blank line/],
    ['no old line', `\n\n${V.cases[1]!.note}`, /"old <size>"/],
    ['leading zero', `old 01\n\n${V.cases[1]!.note}`, /leading zeros/],
    ['negative', `old -1\n\n${V.cases[1]!.note}`, /leading zeros/],
    ['short hash', `old 5\nAAAA\n\n${V.cases[1]!.note}`, /line 1 is not the base64 of a 32-byte hash/],
    ['64 proof lines', `old 5\n${`${Buffer.alloc(32).toString('base64')}\n`.repeat(64)}\n${V.cases[1]!.note}`, /more than 63/],
    ['no checkpoint', 'old 5\n\n', /no checkpoint/],
  ])('refuses a request with %s', (_what, body, why) => {
    expect(thrown(MalformedMessageError, () => parseAddCheckpoint(body)).message).toMatch(why);
  });

  it('text/x.tlog.size and cosignature-line bodies', () => {
    expect(formatTlogSize(20852014)).toBe('20852014\n');
    expect(parseTlogSize('20852014\n')).toBe(20852014);
    thrown(MalformedMessageError, () => parseTlogSize('12'));
    thrown(MalformedMessageError, () => parseTlogSize('012\n'));
    const lines = parseCosignatureLines(V.cases[2]!.cosignatureLine);
    expect(lines.map((l) => l.name)).toEqual([V.witness.name]);
    thrown(MalformedMessageError, () => parseCosignatureLines('not a signature line\n'));
  });
});
