import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeqchainError } from '../../../src/errors.js';
import {
  NoteSigner,
  TreeBorder,
  consistencyProof,
  formatCheckpoint,
  formatTilePath,
  formatTlogProof,
  inclusionProof,
  leafHash,
  parseCheckpoint,
  parseNote,
  parseTilePath,
  parseTlogProof,
  parseVerifierKey,
  signCheckpoint,
  signatureLine,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/tlog/index.js';
import { buildTree, vectorEntry } from '../tlog/fixtures.js';
import { announceSeed, bytes32, decodesCanonicallyOrRejects, fuzzParams, mutationOf } from './fuzz-helpers.js';

announceSeed('log view formats');

const latin1 = (b: Buffer): string => b.toString('latin1');
const fromLatin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const signer = NoteSigner.parse('PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz');
const { store, border } = buildTree(3000);

/** Text mutations that matter to line formats: a character inserted, removed or replaced by one of the separators. */
function textMutationOf(valid: string): fc.Arbitrary<string> {
  const chars = fc.constantFrom('\n', ' ', '\u2014', '+', '=', '/', 'A', '0', '\t', '\r', '\u00a0', 'x', '.p', '\ud800');
  const n = valid.length;
  return fc.oneof(
    fc.tuple(fc.nat({ max: n }), chars).map(([at, c]) => valid.slice(0, at) + c + valid.slice(at)),
    fc.nat({ max: n - 1 }).map((at) => valid.slice(0, at) + valid.slice(at + 1)),
    fc.tuple(fc.nat({ max: n - 1 }), chars).map(([at, c]) => valid.slice(0, at) + c + valid.slice(at + 1)),
    fc.nat({ max: n }).map((len) => valid.slice(0, len)),
  );
}

function parsesCanonicallyOrRejects<T>(text: string, parse: (s: string) => T, format: (v: T) => string): void {
  let value: T;
  try {
    value = parse(text);
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(SeqchainError);
    expect((err as SeqchainError).code).toBe('SEQCHAIN_ERR_MALFORMED_MESSAGE');
    return;
  }
  expect(format(value)).toBe(text);
}

describe('log view formats under mutation: parse back to the same text, or a MALFORMED_MESSAGE error', () => {
  it('tile paths', () => {
    const valid = fromLatin1('tile/3/x001/x234/067.p/8');
    fc.assert(
      fc.property(mutationOf(valid), (b) => {
        decodesCanonicallyOrRejects(
          b,
          (x) => parseTilePath(latin1(x)),
          (t) => fromLatin1(formatTilePath(t)),
        );
      }),
      fuzzParams(2000),
    );
    fc.assert(
      fc.property(textMutationOf('tile/entries/x012/345'), (s) => parsesCanonicallyOrRejects(s, parseTilePath, formatTilePath)),
      fuzzParams(2000),
    );
  });

  it('every tile reference formats to a path that parses back to it', () => {
    const ref = fc.record({
      level: fc.oneof(fc.integer({ min: 0, max: 63 }), fc.constant('entries' as const)),
      index: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      width: fc.integer({ min: 1, max: 256 }),
    });
    fc.assert(
      fc.property(ref, (r) => {
        expect(parseTilePath(formatTilePath(r))).toEqual(r);
      }),
      fuzzParams(1000),
    );
  });

  it('checkpoints', () => {
    const valid = formatCheckpoint({ origin: 'log.example/a', size: 3000, root: border.root() });
    fc.assert(
      fc.property(mutationOf(fromLatin1(valid)), (b) => {
        decodesCanonicallyOrRejects(
          b,
          (x) => parseCheckpoint(latin1(x)),
          (c) => fromLatin1(formatCheckpoint(c)),
        );
      }),
      fuzzParams(2000),
    );
  });

  it('signed notes and verifier keys', () => {
    const note = signCheckpoint({ origin: 'PeterNeumann', size: 3000, root: border.root() }, signer);
    const format = (n: ReturnType<typeof parseNote>): string => `${n.text}\n${n.signatures.map(signatureLine).join('')}`;
    fc.assert(
      fc.property(textMutationOf(note), (s) => parsesCanonicallyOrRejects(s, parseNote, format)),
      fuzzParams(2000),
    );
    fc.assert(
      fc.property(textMutationOf(signer.verifierKey), (s) => parsesCanonicallyOrRejects(s, parseVerifierKey, (v) => v.verifierKey)),
      fuzzParams(2000),
    );
  });

  it('tlog-proofs', () => {
    const checkpoint = signCheckpoint({ origin: 'PeterNeumann', size: 3000, root: border.root() }, signer);
    const valid = formatTlogProof({ index: 1234, proof: inclusionProof(store, 1234, 3000), checkpoint });
    fc.assert(
      fc.property(textMutationOf(valid), (s) => parsesCanonicallyOrRejects(s, parseTlogProof, formatTlogProof)),
      fuzzParams(2000),
    );
  });

  it('tree borders', () => {
    const valid = border.encode();
    fc.assert(
      fc.property(mutationOf(valid), fc.nat({ max: 4000 }), (b, size) => {
        decodesCanonicallyOrRejects(
          b,
          (x) => TreeBorder.decode(size, x),
          (t) => t.encode(),
        );
      }),
      fuzzParams(1000),
    );
  });
});

describe('proofs over random positions of a 3,000-leaf tree', () => {
  it('every inclusion and consistency proof verifies; a random hash in place of any proof hash does not', () => {
    const sizes = fc.integer({ min: 1, max: 3000 }).chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n), fc.nat({ max: n - 1 })));
    fc.assert(
      fc.property(sizes, bytes32, fc.nat(), ([m, n, index], junk, pick) => {
        const rn = treeRoot(store, n);
        const incl = inclusionProof(store, index, n);
        verifyInclusion(leafHash(vectorEntry(index + 1)), index, n, incl, rn);
        const cons = consistencyProof(store, m, n);
        verifyConsistency(m, n, cons, treeRoot(store, m), rn);
        if (incl.length > 0) {
          const bad = incl.map((h, i) => (i === pick % incl.length ? junk : h));
          expect(() => verifyInclusion(leafHash(vectorEntry(index + 1)), index, n, bad, rn)).toThrow(SeqchainError);
        }
        if (cons.length > 0) {
          const bad = cons.map((h, i) => (i === pick % cons.length ? junk : h));
          expect(() => verifyConsistency(m, n, bad, treeRoot(store, m), rn)).toThrow(SeqchainError);
        }
      }),
      fuzzParams(300),
    );
  });
});
