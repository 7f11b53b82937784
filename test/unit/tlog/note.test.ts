import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MalformedMessageError, NoteUnverifiedError, SignatureInvalidError } from '../../../src/errors.js';
import { NoteSigner, decodeNoteBytes, openNote, parseVerifierKey, signNote } from '../../../src/tlog/index.js';
import { thrown } from '../../helpers/thrown.js';

// Published examples: the C2SP signed-note spec's, and Go's sumdb/note package documentation's.
const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE =
  'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe('signed-note keys', () => {
  it("parse the spec's verifier key and open its example note", () => {
    const v = parseVerifierKey(SPEC_VKEY);
    expect(v.name).toBe('example.com/foo');
    expect(v.keyId).toBe(0x530d903a);
    expect(v.verifierKey).toBe(SPEC_VKEY);
    const opened = openNote(SPEC_NOTE, [v]);
    expect(opened.text).toBe('This is an example message.\n');
    expect(opened.verified.map((s) => s.name)).toEqual(['example.com/foo']);
  });

  it("take Go's signer key, derive its verifier key and sign Go's example note to the same bytes (Ed25519 is deterministic)", () => {
    const s = NoteSigner.parse(GO_SKEY);
    expect(s.verifierKey).toBe(GO_VKEY);
    expect(s.format()).toBe(GO_SKEY);
    expect(signNote(GO_TEXT, [s])).toBe(GO_NOTE);
    expect(openNote(GO_NOTE, [parseVerifierKey(GO_VKEY)]).text).toBe(GO_TEXT);
  });

  it('a generated signer round-trips through its key string', () => {
    const s = NoteSigner.generate('log.example/seqchain');
    const again = NoteSigner.parse(s.format());
    expect(again.verifierKey).toBe(s.verifierKey);
    expect(parseVerifierKey(s.verifierKey).publicKey.equals(s.verifier.publicKey)).toBe(true);
  });

  it('never shows the secret: not in inspect, JSON or parse errors', () => {
    const s = NoteSigner.parse(GO_SKEY);
    const secret = GO_SKEY.split('+')[4]!;
    expect(inspect(s)).not.toContain(secret);
    expect(JSON.stringify(s)).not.toContain(secret);
    const wrongId = GO_SKEY.replace('c74f20a3', 'c74f20a4');
    const err = thrown(MalformedMessageError, () => NoteSigner.parse(wrongId));
    expect(err.message).toMatch(/key id c74f20a4 does not match/);
    expect(`${err.message}${JSON.stringify(err.details)}`).not.toContain(secret);
  });

  it.each([
    ['no plus', 'example.com/foo', /expected <name>/],
    ['bad id', SPEC_VKEY.replace('530d903a', '530D903A'), /8 lowercase hex/],
    ['wrong id', SPEC_VKEY.replace('530d903a', '530d903b'), /does not match the name and key/],
    ['renamed', SPEC_VKEY.replace('example.com/foo', 'example.com/bar'), /does not match the name and key/],
    ['space in name', SPEC_VKEY.replace('example.com/foo', 'example com'), /space/],
    ['not base64', `${SPEC_VKEY}!`, /base64/],
    ['other type', 'example.com/foo+530d903a+AgkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k', /not Ed25519/],
  ])('verifier key refused: %s', (_, vkey, why) => {
    expect(thrown(MalformedMessageError, () => parseVerifierKey(vkey)).message).toMatch(why);
  });
});

describe('signed notes', () => {
  const log = NoteSigner.generate('log.example/a');
  const witness = NoteSigner.generate('witness.example/w');
  const text = 'log.example/a\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';

  it('ignores signatures by unknown keys but keeps them; needs one known signature', () => {
    const note = signNote(text, [log, witness]);
    const opened = openNote(note, [log.verifier]);
    expect(opened.verified.map((s) => s.name)).toEqual(['log.example/a']);
    expect(opened.unverified.map((s) => s.name)).toEqual(['witness.example/w']);
    const err = thrown(NoteUnverifiedError, () => openNote(signNote(text, [witness]), [log.verifier]));
    expect(err.message).toMatch(/no signature by a known key \(signed by witness\.example\/w\+[0-9a-f]{8}; known: log\.example\/a\+/);
  });

  it('a key with the same name but another id is unknown, not a bad signature (key rotation)', () => {
    const rotated = NoteSigner.generate('log.example/a');
    const note = signNote(text, [rotated]);
    thrown(NoteUnverifiedError, () => openNote(note, [log.verifier]));
    expect(openNote(note, [log.verifier, rotated.verifier]).verified).toHaveLength(1);
  });

  it('an altered text or signature by a known key is a bad signature naming the key', () => {
    const note = signNote(text, [log]);
    const err = thrown(SignatureInvalidError, () => openNote(note.replace('\n5\n', '\n6\n'), [log.verifier]));
    expect(err.details).toEqual({ keyName: 'log.example/a', keyId: log.keyId.toString(16).padStart(8, '0') });
    const sigLine = note.split('\n')[4]!;
    const raw = Buffer.from(sigLine.split(' ')[2]!, 'base64');
    raw[10]! ^= 1;
    thrown(SignatureInvalidError, () => openNote(note.replace(sigLine, `— log.example/a ${raw.toString('base64')}`), [log.verifier]));
  });

  it('keeps cosignatures when re-signing, dropping an old one by the same key', () => {
    const cosigned = signNote(text, [log, witness]);
    const { unverified } = openNote(cosigned, [log.verifier]);
    const resigned = signNote(text, [log], unverified);
    expect(openNote(resigned, [log.verifier, witness.verifier]).verified).toHaveLength(2);
    expect(signNote(text, [witness], unverified).match(/witness\.example/g)).toHaveLength(1);
  });

  it.each([
    ['no blank line', 'text\n— a AAAAAAAA\n', /no blank line/],
    ['no signature', 'text\n\n', /signature block is empty/],
    ['no final newline', 'text\n\n— a AAAAAAAA', /does not end with a newline/],
    ['hyphen instead of em dash', 'text\n\n- a AAAAAAAA\n', /does not start with "— "/],
    ['short signature', 'text\n\n— a AAAA\n', /not base64 of a key id and a signature/],
    ['control character', 'te\txt\n\n— a AAAAAAAA\n', /control character/],
    ['carriage return', 'text\r\n\n— a AAAAAAAA\n', /control character/],
    ['name with plus', 'text\n\n— a+b AAAAAAAA\n', /key name/],
  ])('malformed note refused: %s', (_, note, why) => {
    const err = thrown(MalformedMessageError, () => openNote(note, [log.verifier]));
    expect(err.message).toMatch(why);
    expect(err.details.format).toBe('signed-note');
  });

  it('a note received as bytes must be valid UTF-8 (no U+FFFD substitution); a BOM is kept, so it fails as text', () => {
    const note = signNote(text, [log]);
    expect(openNote(decodeNoteBytes(Buffer.from(note, 'utf8')), [log.verifier]).text).toBe(text);
    const bad = Buffer.concat([Buffer.from(note.slice(0, 5)), Buffer.from([0xff]), Buffer.from(note.slice(5))]);
    expect(() => decodeNoteBytes(bad)).toThrow(/not valid UTF-8/);
    const bom = decodeNoteBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(note)]));
    expect(() => openNote(bom, [log.verifier])).toThrow(SignatureInvalidError);
  });

  it('refuses to sign text that does not end with a newline', () => {
    expect(() => signNote('no newline', [log])).toThrow(/must end with a newline/);
  });
});
