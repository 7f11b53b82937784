/**
 * RFC 9162 Merkle proofs: root of any size, inclusion proof (§2.1.3.1) and consistency proof
 * (§2.1.4.1) generation from the hashes of complete subtrees, and their verification (§2.1.3.2,
 * §2.1.4.2). Generation walks the RFC's recursion top-down with (lo, hi) bounds and never needs a
 * hash of an incomplete range other than the ones it folds from complete subtrees.
 */
import { OutOfRangeError, ProofInvalidError } from '../errors.js';
import { EMPTY_ROOT, HASH_BYTES, nodeHash } from './hash.js';
import { checkSize, isPowerOfTwo, log2, splitPoint } from './size.js';

/** Where proofs get their hashes from: the hash of a complete subtree. */
export interface SubtreeHashes {
  /** MTH(D[index·2^level : (index+1)·2^level]): level = height, 0 for a leaf hash. */
  subtree(level: number, index: number): Buffer;
}

/**
 * MTH(D[lo:hi]) for a range of the RFC's decomposition (lo a multiple of the largest power of two
 * below hi − lo, as every range of the recursion from [0, n) is).
 */
function rangeHash(src: SubtreeHashes, lo: number, hi: number): Buffer {
  const width = hi - lo;
  if (isPowerOfTwo(width)) return src.subtree(log2(width), lo / width);
  const k = splitPoint(width);
  return nodeHash(rangeHash(src, lo, lo + k), rangeHash(src, lo + k, hi));
}

/** The root of the tree of size n (RFC 9162 MTH(D[0:n])). */
export function treeRoot(src: SubtreeHashes, size: number): Buffer {
  checkSize(size, 'tree size');
  return size === 0 ? Buffer.from(EMPTY_ROOT) : rangeHash(src, 0, size);
}

/** PATH(index, D[0:size]): the audit path of leaf `index`, the leaf's sibling first. */
export function inclusionProof(src: SubtreeHashes, index: number, size: number): Buffer[] {
  checkSize(index, 'leaf index');
  checkSize(size, 'tree size');
  if (index >= size) throw new OutOfRangeError(`leaf index ${index} is not in a tree of size ${size}`, { index, size });
  const path: Buffer[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      path.push(rangeHash(src, lo + k, hi));
      hi = lo + k;
    } else {
      path.push(rangeHash(src, lo, lo + k));
      lo += k;
    }
  }
  return path.reverse();
}

/** PROOF(from, D[0:to]) for 1 ≤ from ≤ to; empty when from = to. */
export function consistencyProof(src: SubtreeHashes, from: number, to: number): Buffer[] {
  checkRange(from, to);
  const proof: Buffer[] = [];
  let lo = 0;
  let hi = to;
  let complete = true; // the RFC's b: the old tree is a complete subtree of what we are in
  while (from < hi) {
    const k = splitPoint(hi - lo);
    if (from - lo <= k) {
      proof.push(rangeHash(src, lo + k, hi));
      hi = lo + k;
    } else {
      proof.push(rangeHash(src, lo, lo + k));
      lo += k;
      complete = false;
    }
  }
  if (!complete) proof.push(rangeHash(src, lo, hi));
  return proof.reverse();
}

function checkRange(from: number, to: number): void {
  checkSize(from, 'from size');
  checkSize(to, 'to size');
  if (from < 1) throw new OutOfRangeError(`a consistency proof needs from ≥ 1, got ${from}`, { from, to });
  if (from > to) throw new OutOfRangeError(`a consistency proof needs from ≤ to, got from ${from} > to ${to}`, { from, to });
}

function checkProofHashes(proof: readonly Buffer[], what: string, details: Record<string, unknown>): void {
  if (!Array.isArray(proof)) throw new ProofInvalidError(`${what}: the proof is not a list of hashes`, details);
  if (proof.length > 64) throw new ProofInvalidError(`${what}: ${proof.length} hashes, more than any tree needs (64)`, details);
  proof.forEach((h, i) => {
    if (!Buffer.isBuffer(h) || h.length !== HASH_BYTES)
      throw new ProofInvalidError(`${what}: hash ${i} is not ${HASH_BYTES} bytes`, { ...details, position: i });
  });
}

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/**
 * The root that the audit path `proof` gives leaf `index` of a tree of size `size` (RFC 9162
 * §2.1.3.2), or a ProofInvalidError when the path has the wrong length for that position.
 */
export function rootFromInclusion(leaf: Buffer, index: number, size: number, proof: readonly Buffer[]): Buffer {
  checkSize(index, 'leaf index');
  checkSize(size, 'tree size');
  const details = { kind: 'inclusion', index, size };
  if (index >= size) throw new ProofInvalidError(`inclusion proof: leaf index ${index} is not in a tree of size ${size}`, details);
  checkProofHashes(proof, 'inclusion proof', details);
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new ProofInvalidError(`inclusion proof: ${proof.length} hashes, too many for leaf ${index} of ${size}`, details);
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofInvalidError(`inclusion proof: ${proof.length} hashes, too few for leaf ${index} of ${size}`, details);
  return r;
}

/** Checks that `proof` proves leaf hash `leaf` at `index` in the tree of `size` with root `root`. */
export function verifyInclusion(leaf: Buffer, index: number, size: number, proof: readonly Buffer[], root: Buffer): void {
  const got = rootFromInclusion(leaf, index, size, proof);
  if (!got.equals(root)) {
    throw new ProofInvalidError(`inclusion proof: leaf ${index} of tree size ${size} does not lead to the root (the leaf, the proof or the root is wrong)`, {
      kind: 'inclusion',
      index,
      size,
    });
  }
}

/** Checks that `proof` proves the tree (from, fromRoot) is a prefix of (to, toRoot) (RFC 9162 §2.1.4.2). */
export function verifyConsistency(from: number, to: number, proof: readonly Buffer[], fromRoot: Buffer, toRoot: Buffer): void {
  checkRange(from, to);
  const details = { kind: 'consistency', from, to };
  checkProofHashes(proof, 'consistency proof', details);
  const fail = (why: string): never => {
    throw new ProofInvalidError(`consistency proof from size ${from} to ${to}: ${why}`, details);
  };
  if (from === to) {
    if (proof.length !== 0) fail('sizes are equal, so the proof must be empty');
    if (!fromRoot.equals(toRoot)) fail('sizes are equal but the roots differ (a fork)');
    return;
  }
  if (proof.length === 0) fail('the proof is empty');
  const path = isPowerOfTwo(from) ? [fromRoot, ...proof] : [...proof];
  let fn = from - 1;
  let sn = to - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) fail(`${proof.length} hashes, too many`);
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) fail(`${proof.length} hashes, too few`);
  if (!fr.equals(fromRoot)) fail('the proof does not lead to the old root (the old checkpoint is not a prefix: a fork or a bad proof)');
  if (!sr.equals(toRoot)) fail('the proof does not lead to the new root (a fork or a bad proof)');
}
