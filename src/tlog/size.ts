/**
 * Tree sizes and leaf indexes are plain numbers: safe integers, so up to 2^53 − 1 leaves (Go's
 * tlog uses int64; no seqchain log gets near 2^53). Bit arithmetic here avoids 32-bit operators.
 */
import { OutOfRangeError } from '../errors.js';

export function checkSize(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new OutOfRangeError(`${field} = ${String(value)} is not a tree size or index (an integer in [0, 2^53 − 1])`, { field, value: String(value) });
  }
  return value;
}

/** The largest power of two strictly less than n (n ≥ 2): the split point k of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Number of set bits of n: the number of complete subtrees (border hashes) of a tree of size n. */
export function bitCount(n: number): number {
  let c = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) c += x % 2;
  return c;
}

/** True when n is a power of two (n ≥ 1). */
export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && splitPoint(n * 2) === n;
}

/** log2 of a power of two. */
export function log2(n: number): number {
  let l = 0;
  for (let x = n; x > 1; x /= 2) l++;
  return l;
}
