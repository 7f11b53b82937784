import { describe, expect, it } from 'vitest';
import { MalformedMessageError, OutOfRangeError, ProofInvalidError } from '../../../src/errors.js';
import {
  TreeBorder,
  bitCount,
  consistencyProof,
  inclusionProof,
  leafEntry,
  leafHash,
  recordLeafHash,
  recordLeafHashInto,
  rootFromInclusion,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/tlog/index.js';
import { buildTree, vectorEntry } from './fixtures.js';
import { thrown } from '../../helpers/thrown.js';

const { border, store } = buildTree(1000);
const flip = (h: Buffer): Buffer => {
  const c = Buffer.from(h);
  c[0]! ^= 1;
  return c;
};

describe('SCT1 entry', () => {
  it('is "SCT1" ‖ u64(seq) ‖ digest, 44 bytes; refuses seq 0 and digests of the wrong length', () => {
    const d = Buffer.alloc(32, 0xab);
    const e = leafEntry(0x0102n, d);
    expect(e.toString('hex')).toBe(`53435431${'0000000000000102'}${'ab'.repeat(32)}`);
    expect(thrown(MalformedMessageError, () => leafEntry(0n, d)).message).toMatch(/seq = 0/);
    expect(thrown(MalformedMessageError, () => leafEntry(1n, Buffer.alloc(31))).message).toMatch(/32 bytes, got 31/);
  });
});

describe('TreeBorder', () => {
  it('holds one hash per set bit of the size, at most 64', () => {
    for (const n of [0, 1, 2, 3, 255, 256, 257, 1000]) {
      const b = buildTree(n).border;
      expect(b.hashes().length).toBe(bitCount(n));
    }
    expect(border.hashes().length).toBe(6); // 1000 = 0b1111101000
  });

  it('rebuilt from its stored form alone, carries on with the same roots as the tree that never stopped', () => {
    const { border: at300 } = buildTree(300);
    const resumed = TreeBorder.decode(300, at300.encode());
    expect(resumed.root().equals(at300.root())).toBe(true);
    for (let g = 301; g <= 1000; g++) resumed.append(leafHash(vectorEntry(g)));
    expect(resumed.root().equals(border.root())).toBe(true);
  });

  it('append reports the leaf and each subtree it completes (what tile storage keeps)', () => {
    const b = TreeBorder.empty();
    for (let g = 1; g <= 3; g++) b.append(leafHash(vectorEntry(g)));
    const stored = b.append(leafHash(vectorEntry(4)));
    expect(stored.map((s) => [s.level, s.index])).toEqual([
      [0, 3],
      [1, 1],
      [2, 0],
    ]);
    expect(stored[2]!.hash.equals(b.root())).toBe(true);
  });

  it('appendRecords takes the records that come next only, and its clone is independent', () => {
    const b = TreeBorder.empty();
    b.appendRecords(1n, [{ digest: Buffer.alloc(32, 1) }, { digest: Buffer.alloc(32, 2) }]);
    const before = b.root();
    const err = thrown(MalformedMessageError, () => b.appendRecords(4n, [{ digest: Buffer.alloc(32, 3) }]));
    expect(err.message).toMatch(/from seq 4 appended to a tree of 2 leaves \(wants seq 3\)/);
    thrown(MalformedMessageError, () => b.appendRecords(3n, [{ digest: Buffer.alloc(31) }]));
    expect(b.size).toBe(2);
    expect(b.root().equals(before)).toBe(true);
    const c = b.clone();
    c.appendRecords(3n, [{ digest: Buffer.alloc(32, 3) }]);
    expect([b.size, c.size]).toEqual([2, 3]);
    expect(b.root().equals(before)).toBe(true);
    expect(c.root().equals(before)).toBe(false);
  });

  it('leaf hashes of seqs past 2^32 match the BigInt path', () => {
    const d = Buffer.alloc(32, 9);
    for (const g of [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1]) {
      const out = Buffer.alloc(32);
      recordLeafHashInto(g, d, out, 0);
      expect(out.equals(recordLeafHash(BigInt(g), d)), `seq ${g}`).toBe(true);
    }
    thrown(MalformedMessageError, () => recordLeafHashInto(0, d, Buffer.alloc(32), 0));
  });

  it('refuses a stored border whose hash count does not fit the size', () => {
    const err = thrown(MalformedMessageError, () => TreeBorder.fromHashes(3, [Buffer.alloc(32)]));
    expect(err.message).toMatch(/size 3 has 2 border hashes, got 1/);
    thrown(MalformedMessageError, () => TreeBorder.decode(1, Buffer.alloc(33)));
    thrown(MalformedMessageError, () => TreeBorder.fromHashes(1, [Buffer.alloc(31)]));
  });
});

describe('inclusion proofs', () => {
  it('every leaf of trees of sizes 1..64 proves under its root, and fails one bit off', () => {
    for (let n = 1; n <= 64; n++) {
      const root = treeRoot(store, n);
      for (let i = 0; i < n; i++) {
        const leaf = leafHash(vectorEntry(i + 1));
        const proof = inclusionProof(store, i, n);
        verifyInclusion(leaf, i, n, proof, root);
        thrown(ProofInvalidError, () => verifyInclusion(flip(leaf), i, n, proof, root));
        proof.forEach((_, k) => {
          const bad = proof.map((h, j) => (j === k ? flip(h) : h));
          thrown(ProofInvalidError, () => verifyInclusion(leaf, i, n, bad, root));
        });
      }
    }
  });

  it('names what is wrong: another index, a longer or shorter path, an index beyond the size', () => {
    const leaf = leafHash(vectorEntry(257));
    const proof = inclusionProof(store, 256, 1000);
    const root = treeRoot(store, 1000);
    expect(thrown(ProofInvalidError, () => verifyInclusion(leaf, 255, 1000, proof, root)).message).toMatch(/does not lead to the root/);
    expect(thrown(ProofInvalidError, () => rootFromInclusion(leaf, 256, 1000, proof.slice(1))).message).toMatch(/too few/);
    expect(thrown(ProofInvalidError, () => rootFromInclusion(leaf, 256, 1000, [...proof, proof[0]!])).message).toMatch(/too many/);
    expect(thrown(ProofInvalidError, () => rootFromInclusion(leaf, 1000, 1000, proof)).message).toMatch(/not in a tree of size 1000/);
    expect(thrown(ProofInvalidError, () => rootFromInclusion(leaf, 256, 1000, [Buffer.alloc(31)])).details).toMatchObject({ position: 0 });
  });

  it('refuses to generate a proof for an index outside the tree or beyond what is stored', () => {
    expect(thrown(OutOfRangeError, () => inclusionProof(store, 5, 5)).message).toMatch(/leaf index 5 is not in a tree of size 5/);
    thrown(OutOfRangeError, () => inclusionProof(store, -1, 5));
    thrown(OutOfRangeError, () => inclusionProof(store, 0, 1001));
    thrown(OutOfRangeError, () => inclusionProof(store, 1.5, 5));
  });
});

describe('consistency proofs', () => {
  it('every pair 1 ≤ m ≤ n ≤ 40 proves, and fails with a hash or a root altered', () => {
    for (let n = 1; n <= 40; n++) {
      const rn = treeRoot(store, n);
      for (let m = 1; m <= n; m++) {
        const rm = treeRoot(store, m);
        const proof = consistencyProof(store, m, n);
        verifyConsistency(m, n, proof, rm, rn);
        thrown(ProofInvalidError, () => verifyConsistency(m, n, proof, flip(rm), rn));
        thrown(ProofInvalidError, () => verifyConsistency(m, n, proof, rm, flip(rn)));
        proof.forEach((_, k) => {
          const bad = proof.map((h, j) => (j === k ? flip(h) : h));
          thrown(ProofInvalidError, () => verifyConsistency(m, n, bad, rm, rn));
        });
      }
    }
  });

  it('names a fork, an empty proof and a wrong range', () => {
    const r = treeRoot(store, 10);
    expect(thrown(ProofInvalidError, () => verifyConsistency(10, 10, [], r, flip(r))).message).toMatch(/fork/);
    expect(thrown(ProofInvalidError, () => verifyConsistency(3, 10, [], treeRoot(store, 3), r)).message).toMatch(/empty/);
    expect(thrown(OutOfRangeError, () => consistencyProof(store, 11, 10)).message).toMatch(/from 11 > to 10/);
    expect(thrown(OutOfRangeError, () => consistencyProof(store, 0, 10)).message).toMatch(/from ≥ 1/);
    thrown(OutOfRangeError, () => verifyConsistency(11, 10, [], r, r));
  });
});
