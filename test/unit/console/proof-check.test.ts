import { describe, expect, it } from 'vitest';
import {
  checkInclusion,
  noteSignatures,
  parseVerifierKey,
  ProofCheckError,
  recordLeafHash,
  rootFromInclusion,
  verifyConsistency,
} from '../../../src/console/web/proof-check.js';
import { inclusionProof, NoteSigner, signCheckpoint } from '../../../src/tlog/index.js';
import { buildTree, vectorDigest, vectors } from '../tlog/fixtures.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

describe("the console's in-browser proof check (Web Crypto) against the vectors and src/tlog", () => {
  it('leaf hashes and every inclusion vector give the vector roots (independent Python vectors)', async () => {
    for (const e of vectors.entries.slice(0, 20)) expect(Buffer.from(await recordLeafHash(BigInt(e.seq), bytes(e.digest))).toString('hex')).toBe(e.leaf);
    const roots = new Map(vectors.roots.map((r) => [r.size, r.root]));
    let checked = 0;
    for (const v of vectors.inclusion) {
      if (!roots.has(v.size)) continue;
      const root = await rootFromInclusion(bytes(v.leaf), BigInt(v.index), BigInt(v.size), v.proof.map(bytes));
      expect(Buffer.from(root).toString('hex'), `leaf ${v.index} of ${v.size}`).toBe(roots.get(v.size));
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  const size = 300;
  const { store } = buildTree(size);
  const signer = NoteSigner.generate('console.example/log');
  const note = signCheckpoint({ origin: signer.name, size, root: storeRoot() }, signer);
  function storeRoot(): Buffer {
    return buildTree(size).border.root();
  }
  const input = (seq: number, change: (i: Parameters<typeof checkInclusion>[0]) => void = () => undefined) => {
    const i = {
      seq: String(seq),
      digest: vectorDigest(seq).toString('hex'),
      proof: {
        seq: String(seq),
        leafIndex: String(seq - 1),
        treeSize: String(size),
        proof: inclusionProof(store, seq - 1, size).map((h) => h.toString('base64')),
        checkpoint: note,
      },
      verifierKey: signer.verifierKey,
    };
    change(i);
    return i;
  };
  const failure = async (i: Parameters<typeof checkInclusion>[0]): Promise<ProofCheckError> => {
    const err = await checkInclusion(i).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProofCheckError);
    return err as ProofCheckError;
  };

  it('reads verifier keys whose base64 holds "+" (split at the first two only)', async () => {
    let plus = signer;
    while (plus.verifierKey.split('+').length <= 3) plus = NoteSigner.generate('console.example/log');
    const key = await parseVerifierKey(plus.verifierKey);
    expect(key.name).toBe('console.example/log');
    expect(key.publicKey.length).toBe(32);
  });

  it('accepts a proof src/tlog made, under a checkpoint src/tlog signed (node:crypto), for first, middle, last leaves', async () => {
    for (const seq of [1, 2, 128, 255, 256, 257, size]) expect((await checkInclusion(input(seq))).treeSize).toBe(BigInt(size));
  });

  it('names the part that fails: record, proof, checkpoint, signature, key', async () => {
    expect((await failure(input(5, (i) => (i.digest = vectorDigest(6).toString('hex'))))).part).toBe('proof');
    expect((await failure(input(5, (i) => (i.digest = 'zz')))).part).toBe('record');
    expect((await failure(input(5, (i) => (i.proof.proof[0] = Buffer.alloc(32, 7).toString('base64'))))).part).toBe('proof');
    expect((await failure(input(5, (i) => i.proof.proof.pop()))).message).toMatch(/too few/);
    expect((await failure(input(5, (i) => i.proof.proof.push(Buffer.alloc(32).toString('base64'))))).message).toMatch(/too many/);
    const otherRoot = note.replace(/\n([A-Za-z0-9+/=]{44})\n/, `\n${Buffer.alloc(32, 1).toString('base64')}\n`);
    expect((await failure(input(5, (i) => (i.proof.checkpoint = otherRoot)))).part).toBe('signature');
    expect((await failure(input(5, (i) => (i.proof.checkpoint = null)))).part).toBe('checkpoint');
    expect((await failure(input(5, (i) => (i.verifierKey = NoteSigner.generate('console.example/log').verifierKey)))).part).toBe('signature');
    expect((await failure(input(5, (i) => (i.verifierKey = signer.verifierKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))))).part).toBe('key');
    expect((await failure(input(5, (i) => (i.proof.seq = '6')))).part).toBe('proof');
  });

  it('consistency: every vector proof links its two vector roots; a changed hash, root or size fails', async () => {
    const roots = new Map(vectors.roots.map((r) => [r.size, r.root]));
    let checked = 0;
    for (const v of vectors.consistency) {
      if (!roots.has(v.from) || !roots.has(v.to)) continue;
      const [a, b] = [bytes(roots.get(v.from)!), bytes(roots.get(v.to)!)];
      await verifyConsistency(BigInt(v.from), BigInt(v.to), v.proof.map(bytes), a, b);
      checked++;
      if (v.proof.length > 0 && v.from !== v.to) {
        const bad = v.proof.map(bytes);
        bad[0] = Uint8Array.from(bad[0]!, (x) => x ^ 1);
        await expect(verifyConsistency(BigInt(v.from), BigInt(v.to), bad, a, b)).rejects.toBeInstanceOf(ProofCheckError);
        await expect(verifyConsistency(BigInt(v.from), BigInt(v.to), v.proof.map(bytes), b, a)).rejects.toBeInstanceOf(ProofCheckError);
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('lists the signature lines of a note: the log and any cosigner', async () => {
    expect(noteSignatures(note)).toEqual([{ name: signer.name, keyId: signer.verifierKey.split('+')[1] }]);
  });
});
