/**
 * The tree's right border ("compact range" over [0, n)): one hash per set bit of n, the roots of
 * the complete subtrees the tree of size n is made of, largest (leftmost) first; at most 64. It is
 * all a leader needs to append leaves and compute roots without holding the tree, and all a new
 * leader needs to carry on from a stored border (later slices keep it in the ledger).
 */
import { MalformedMessageError } from '../errors.js';
import { EMPTY_ROOT, HASH_BYTES, checkHash, nodeHashInto, recordLeafHashInto } from './hash.js';
import { bitCount, checkSize } from './size.js';

/** A complete subtree's hash produced by an append: `level` = height (0 = leaf), covering leaves [index·2^level, (index+1)·2^level). */
export interface StoredHash {
  level: number;
  index: number;
  hash: Buffer;
}

/** A tree of at most 2^53 − 1 leaves has at most 53 border hashes; 64 slots leave room. */
const MAX_HASHES = 64;

export class TreeBorder {
  #size: number;
  /** How many border hashes `#stack` holds (the set bits of #size). */
  #count: number;
  /**
   * The border hashes side by side, 32 bytes each, largest subtree first: slot i covers the i-th
   * set bit of #size from the top. One flat buffer, so that appending hashes into it in place
   * allocates nothing per leaf (the leader appends every record on its cut loop).
   */
  readonly #stack: Buffer;

  private constructor(size: number, hashes: readonly Buffer[]) {
    this.#size = size;
    this.#count = hashes.length;
    this.#stack = Buffer.alloc(MAX_HASHES * HASH_BYTES);
    for (let i = 0; i < hashes.length; i++) hashes[i]!.copy(this.#stack, i * HASH_BYTES);
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
    return new TreeBorder(size, hashes);
  }

  get size(): number {
    return this.#size;
  }

  /** An independent copy (the leader builds a cut's border on one until the cut commits). */
  clone(): TreeBorder {
    return new TreeBorder(this.#size, this.#views());
  }

  /** Copies of the border hashes, largest subtree first. */
  hashes(): Buffer[] {
    return this.#views().map((h) => Buffer.from(h));
  }

  #views(): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0; i < this.#count; i++) out.push(this.#stack.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
    return out;
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
    leaf.copy(this.#stack, this.#count * HASH_BYTES);
    this.#count++;
    let level = 0;
    // Each trailing 1-bit of the old size is a subtree of the same height as the new top: merge it.
    for (let n = index; n % 2 === 1; n = (n - 1) / 2) {
      const at = (this.#count - 2) * HASH_BYTES;
      nodeHashInto(this.#stack, at, this.#stack, at);
      this.#count--;
      level++;
      out.push({ level, index: Math.floor(index / 2 ** level), hash: Buffer.from(this.#stack.subarray(at, at + HASH_BYTES)) });
    }
    this.#size = index + 1;
    return out;
  }

  /**
   * Appends the leaves of records firstSeq, firstSeq + 1, … (leaf index = seq − 1, so firstSeq must
   * be size + 1) from their SCR1 digests: the leader's path, hashed in place with no allocation per
   * record, and without the stored subtree hashes `append` returns (the leader keeps no tiles).
   */
  appendRecords(firstSeq: bigint, entries: readonly { readonly digest: Buffer }[]): void {
    if (firstSeq !== BigInt(this.#size) + 1n) {
      throw new MalformedMessageError('tree border', `records from seq ${firstSeq} appended to a tree of ${this.#size} leaves (wants seq ${this.#size + 1})`, {
        field: 'firstSeq',
        size: this.#size,
      });
    }
    checkSize(this.#size + entries.length, 'tree size');
    const stack = this.#stack;
    let size = this.#size;
    let count = this.#count;
    for (let i = 0; i < entries.length; i++) {
      recordLeafHashInto(size + 1, entries[i]!.digest, stack, count * HASH_BYTES);
      count++;
      for (let n = size; n % 2 === 1; n = (n - 1) / 2) {
        count--;
        nodeHashInto(stack, (count - 1) * HASH_BYTES, stack, (count - 1) * HASH_BYTES);
      }
      size++;
      // Kept current after every record, so a digest that throws leaves a consistent border.
      this.#size = size;
      this.#count = count;
    }
  }

  /** The root of the tree of the current size (RFC 9162 MTH): fold the border from the right. */
  root(): Buffer {
    const n = this.#count;
    if (n === 0) return Buffer.from(EMPTY_ROOT);
    // pair = [left ‖ right]; each fold writes the new right half in place.
    const pair = Buffer.alloc(2 * HASH_BYTES);
    this.#stack.copy(pair, HASH_BYTES, (n - 1) * HASH_BYTES, n * HASH_BYTES);
    for (let i = n - 2; i >= 0; i--) {
      this.#stack.copy(pair, 0, i * HASH_BYTES, (i + 1) * HASH_BYTES);
      nodeHashInto(pair, 0, pair, HASH_BYTES);
    }
    return Buffer.from(pair.subarray(HASH_BYTES));
  }

  /** Border hashes as one buffer (32 bytes each, largest subtree first): the stored form. */
  encode(): Buffer {
    return Buffer.from(this.#stack.subarray(0, this.#count * HASH_BYTES));
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
