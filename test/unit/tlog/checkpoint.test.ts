import { describe, expect, it } from 'vitest';
import { MalformedMessageError, NoteUnverifiedError, ProofInvalidError, SignatureInvalidError } from '../../../src/errors.js';
import {
  NoteSigner,
  formatTlogProof,
  inclusionProof,
  leafHash,
  openCheckpoint,
  parseCheckpoint,
  parseTlogProof,
  signCheckpoint,
  treeRoot,
  verifyTlogProof,
} from '../../../src/tlog/index.js';
import { buildTree, vectorEntry } from './fixtures.js';

const ORIGIN = 'log.example/seqchain';
const signer = NoteSigner.generate(ORIGIN);
const { store } = buildTree(300);
const root = treeRoot(store, 300);

describe('tlog-checkpoint', () => {
  it('signs and opens a checkpoint under the pinned key and origin', () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 300, root }, signer);
    expect(note.startsWith(`${ORIGIN}\n300\n${root.toString('base64')}\n\n— ${ORIGIN} `)).toBe(true);
    const opened = openCheckpoint(note, [signer.verifier], ORIGIN);
    expect(opened.checkpoint).toEqual({ origin: ORIGIN, size: 300, root, extensions: [] });
    expect(() => openCheckpoint(note, [signer.verifier], 'other.example/log')).toThrow(
      /origin "log.example\/seqchain" is not the expected "other.example\/log"/,
    );
  });

  it('keeps extension lines', () => {
    const text = `${ORIGIN}\n1\n${root.toString('base64')}\next one\n`;
    expect(parseCheckpoint(text).extensions).toEqual(['ext one']);
  });

  it.each([
    ['two lines', `${ORIGIN}\n1\n`, /at least 3 lines/],
    ['no final newline', `${ORIGIN}\n1\n${Buffer.alloc(32).toString('base64')}`, /end with a newline/],
    ['empty origin', `\n1\n${Buffer.alloc(32).toString('base64')}\n`, /origin line is empty/],
    ['leading zero', `${ORIGIN}\n01\n${Buffer.alloc(32).toString('base64')}\n`, /tree size "01"/],
    ['negative size', `${ORIGIN}\n-1\n${Buffer.alloc(32).toString('base64')}\n`, /tree size "-1"/],
    ['size beyond 2^53', `${ORIGIN}\n18446744073709551615\n${Buffer.alloc(32).toString('base64')}\n`, /tree size/],
    ['short root', `${ORIGIN}\n1\n${Buffer.alloc(31).toString('base64')}\n`, /root hash/],
    ['unpadded root', `${ORIGIN}\n1\n${Buffer.alloc(32).toString('base64').replace('=', '')}\n`, /root hash/],
    ['empty extension', `${ORIGIN}\n1\n${Buffer.alloc(32).toString('base64')}\n\n`, /extension line 1 is empty/],
  ])('refuses %s', (_, text, why) => {
    const err = (() => {
      try {
        parseCheckpoint(text);
      } catch (e) {
        return e as MalformedMessageError;
      }
      throw new Error('parsed');
    })();
    expect(err).toBeInstanceOf(MalformedMessageError);
    expect(err.message).toMatch(why);
  });
});

describe('tlog-proof', () => {
  const seq = 200;
  const index = seq - 1;
  const checkpoint = signCheckpoint({ origin: ORIGIN, size: 300, root }, signer);
  const leaf = leafHash(vectorEntry(seq));
  const text = formatTlogProof({ index, proof: inclusionProof(store, index, 300), checkpoint });

  it('formats as the spec lays out and verifies offline: leaf → inclusion → signed checkpoint', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('c2sp.org/tlog-proof@v1');
    expect(lines[1]).toBe('index 199');
    expect(lines.slice(2, 11).every((l) => Buffer.from(l, 'base64').length === 32)).toBe(true);
    expect(text.endsWith(`\n\n${checkpoint}`)).toBe(true);
    const p = parseTlogProof(text);
    expect(formatTlogProof(p)).toBe(text);
    expect(verifyTlogProof(p, leaf, [signer.verifier], ORIGIN).checkpoint.size).toBe(300);
  });

  it('carries the optional extra line', () => {
    const withExtra = formatTlogProof({ ...parseTlogProof(text), extra: Buffer.from('ctx') });
    expect(withExtra.split('\n')[1]).toBe(`extra ${Buffer.from('ctx').toString('base64')}`);
    expect(parseTlogProof(withExtra).extra?.toString()).toBe('ctx');
  });

  it('names which part failed: the record, the proof, the checkpoint signature, the key', () => {
    const p = parseTlogProof(text);
    expect(() => verifyTlogProof(p, leafHash(vectorEntry(seq + 1)), [signer.verifier])).toThrow(ProofInvalidError);
    const badProof = { ...p, proof: p.proof.map((h, i) => (i === 3 ? Buffer.alloc(32) : h)) };
    expect(() => verifyTlogProof(badProof, leaf, [signer.verifier])).toThrow(ProofInvalidError);
    const otherRoot = { ...p, checkpoint: p.checkpoint.replace('\n300\n', '\n301\n') };
    expect(() => verifyTlogProof(otherRoot, leaf, [signer.verifier])).toThrow(SignatureInvalidError);
    expect(() => verifyTlogProof(p, leaf, [NoteSigner.generate(ORIGIN).verifier])).toThrow(NoteUnverifiedError);
  });

  it.each([
    ['wrong header', text.replace('tlog-proof@v1', 'tlog-proof@v2'), /first line/],
    ['no index', text.replace('index 199\n', ''), /must be "index/],
    ['index with leading zero', text.replace('index 199', 'index 0199'), /must be "index/],
    ['bad hash line', text.replace('index 199\n', 'index 199\nnot-a-hash\n'), /proof line 1/],
    ['no checkpoint', text.slice(0, text.indexOf('\n\n') + 2), /checkpoint is missing/],
    ['no blank line', 'c2sp.org/tlog-proof@v1\nindex 0\n', /no blank line/],
  ])('refuses a malformed proof: %s', (_, bad, why) => {
    expect(() => parseTlogProof(bad)).toThrow(why);
  });
});
