/**
 * The tree's right border ("compact range" over [0, n)): one hash per set bit of n, the roots of
 * the complete subtrees the tree of size n is made of, largest (leftmost) first; at most 64. It is
 * all a leader needs to append leaves and compute roots without holding the tree, and all a new
 * leader needs to carry on from a stored border (later slices keep it in the ledger).
 */
import { MalformedMessageError } from '../errors.js';
import { EMPTY_ROOT, HASH_BYTES, checkHash, nodeHash } from './hash.js';
import { bitCount, checkSize } from './size.js';

/** A complete subtree's hash produced by an append: `level` = height (0 = leaf), covering leaves [index·2^level, (index+1)·2^level). */
export interface StoredHash {
  level: number;
  index: number;
  hash: Buffer;
}

export class TreeBorder {
  #size: number;
  /** Largest subtree first; `#hashes[i]` covers the i-th set bit of #size from the top. */
  readonly #hashes: Buffer[];

  private constructor(size: number, hashes: Buffer[]) {
    this.#size = size;
    this.#hashes = hashes;
  }

  static empty(): TreeBorder {
    return new TreeBorder(0, []);
  }

  /** Rebuilds from a stored border: `hashes` must be exactly one 32-byte hash per set bit of `size`. */
  static fromHashes(size: number, hashes: readonly Buffer[]): TreeBorder {
    checkSize(size, 'border size');
    const want = bitCount(size);
    if (!Array.isArray(hashes) || hashes.length !== want) {
      throw new MalformedMessageError(
        'tree border',
        `a tree of size ${size} has ${want} border hashes, got ${Array.isArray(hashes) ? hashes.length : 'none'}`,
        {
          field: 'hashes',
          size,
        },
      );
    }
    for (const [i, h] of hashes.entries()) checkHash(h, `border hash ${i}`);
    return new TreeBorder(
      size,
      hashes.map((h) => Buffer.from(h)),
    );
  }

  get size(): number {
    return this.#size;
  }

  /** Copies of the border hashes, largest subtree first. */
  hashes(): Buffer[] {
    return this.#hashes.map((h) => Buffer.from(h));
  }

  /**
   * Appends one leaf hash. Returns the complete subtree hashes this append completes, lowest level
   * first: the leaf itself (level 0), then each subtree closed by it (what tile storage keeps).
   */
  append(leaf: Buffer): StoredHash[] {
    checkHash(leaf, 'leaf hash');
    const index = this.#size;
    checkSize(index + 1, 'tree size');
    const out: StoredHash[] = [{ level: 0, index, hash: leaf }];
    let h = leaf;
    let level = 0;
    // Each trailing 1-bit of the old size is a subtree of the same height as h: merge it.
    for (let n = index; n % 2 === 1; n = (n - 1) / 2) {
      h = nodeHash(this.#hashes.pop()!, h);
      level++;
      out.push({ level, index: Math.floor(index / 2 ** level), hash: h });
    }
    this.#hashes.push(h);
    this.#size = index + 1;
    return out;
  }

  /** The root of the tree of the current size (RFC 9162 MTH): fold the border from the right. */
  root(): Buffer {
    const n = this.#hashes.length;
    if (n === 0) return Buffer.from(EMPTY_ROOT);
    let h = this.#hashes[n - 1]!;
    for (let i = n - 2; i >= 0; i--) h = nodeHash(this.#hashes[i]!, h);
    return n === 1 ? Buffer.from(h) : h;
  }

  /** Border hashes as one buffer (32 bytes each, largest subtree first): the stored form. */
  encode(): Buffer {
    return Buffer.concat(this.#hashes, this.#hashes.length * HASH_BYTES);
  }

  static decode(size: number, bytes: Buffer): TreeBorder {
    if (!Buffer.isBuffer(bytes) || bytes.length % HASH_BYTES !== 0) {
      throw new MalformedMessageError(
        'tree border',
        `border bytes must be a multiple of ${HASH_BYTES}, got ${Buffer.isBuffer(bytes) ? bytes.length : 'not a Buffer'}`,
        {
          field: 'border',
        },
      );
    }
    const hashes: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += HASH_BYTES) hashes.push(bytes.subarray(at, at + HASH_BYTES));
    return TreeBorder.fromHashes(size, hashes);
  }
}
