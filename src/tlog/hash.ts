/**
 * RFC 9162 §2.1.1 hashing over seqchain's global sequence (frozen: pinned by test/vectors/tlog-v1.json).
 *
 * Leaf index i = g − 1 holds the entry e_g = "SCT1" ‖ u64(g) ‖ d_g (44 bytes, d_g the record's SCR1
 * digest). Leaf hash SHA-256(0x00 ‖ e), node hash SHA-256(0x01 ‖ left ‖ right), empty tree SHA-256("").
 */
import { writeU64 } from '../chain/bytes.js';
import { HASH_BYTES } from '../chain/link.js';
import { sha256, sha256Into } from '../chain/sha256.js';
import { MalformedMessageError } from '../errors.js';

export const ENTRY_FORMAT = 'SCT1';
export const ENTRY_BYTES = 4 + 8 + HASH_BYTES;
export { HASH_BYTES };

/** SHA-256 of the empty string: the root of the tree of size 0. */
export const EMPTY_ROOT: Buffer = sha256(Buffer.alloc(0));

export function checkHash(value: Buffer, field: string): Buffer {
  if (!Buffer.isBuffer(value) || value.length !== HASH_BYTES) {
    const got = Buffer.isBuffer(value) ? `${value.length} bytes` : 'not a Buffer';
    throw new MalformedMessageError('tlog', `${field} must be ${HASH_BYTES} bytes, got ${got}`, { field });
  }
  return value;
}

/** The 44-byte leaf entry of record seq g (g ≥ 1) with SCR1 digest d. */
export function leafEntry(seq: bigint, digest: Buffer): Buffer {
  checkHash(digest, 'SCT1 digest');
  if (typeof seq === 'bigint' && seq < 1n) {
    throw new MalformedMessageError(ENTRY_FORMAT, `seq = ${seq} is not a record seq (records start at 1)`, { field: 'seq' });
  }
  const out = Buffer.allocUnsafe(ENTRY_BYTES);
  out.write(ENTRY_FORMAT, 0, 'ascii');
  writeU64(out, 4, seq, 'SCT1 seq');
  digest.copy(out, 12);
  return out;
}

// Reusable inputs: hashing reads them synchronously, so reuse is safe (one allocation per hash: the result).
const leafInput = Buffer.alloc(1 + ENTRY_BYTES);
leafInput[0] = 0x00;
const recordInput = Buffer.alloc(1 + ENTRY_BYTES);
recordInput[0] = 0x00;
recordInput.write(ENTRY_FORMAT, 1, 'ascii');
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES);
nodeInput[0] = 0x01;

/** SHA-256(0x00 ‖ entry), for any entry bytes (tlog-tiles entries are opaque to the tree). */
export function leafHash(entry: Buffer): Buffer {
  if (entry.length === ENTRY_BYTES) {
    entry.copy(leafInput, 1);
    return sha256(leafInput);
  }
  return sha256(Buffer.concat([leafInput.subarray(0, 1), entry]));
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  left.copy(nodeInput, 1);
  right.copy(nodeInput, 1 + HASH_BYTES);
  return sha256(nodeInput);
}

/** The leaf hash of record seq g with SCR1 digest d, encoded in place (the leader's per-record path: no entry allocated). */
export function recordLeafHash(seq: bigint, digest: Buffer): Buffer {
  checkHash(digest, 'SCT1 digest');
  if (typeof seq === 'bigint' && seq < 1n) {
    throw new MalformedMessageError(ENTRY_FORMAT, `seq = ${seq} is not a record seq (records start at 1)`, { field: 'seq' });
  }
  writeU64(recordInput, 1 + 4, seq, 'SCT1 seq');
  digest.copy(recordInput, 1 + 12);
  return sha256(recordInput);
}

/**
 * nodeHash(left, right) written into `out` at `outAt`, with left and right the 64 bytes of `pair`
 * from `pairAt` (a border keeps them side by side). No Buffer allocated: the leader hashes one
 * node per record on its cut loop (docs/PERFORMANCE.md, "The log view").
 */
export function nodeHashInto(pair: Buffer, pairAt: number, out: Buffer, outAt: number): void {
  pair.copy(nodeInput, 1, pairAt, pairAt + 2 * HASH_BYTES);
  sha256Into(nodeInput, out, outAt);
}

/**
 * recordLeafHash(seq, digest) written into `out` at `outAt`, seq a safe integer (the leaf index + 1,
 * so no BigInt per record). No Buffer allocated: the leader's per-record path.
 */
export function recordLeafHashInto(seq: number, digest: Buffer, out: Buffer, outAt: number): void {
  if (!Buffer.isBuffer(digest) || digest.length !== HASH_BYTES) checkHash(digest, 'SCT1 digest');
  if (!(seq >= 1) || !Number.isSafeInteger(seq)) {
    throw new MalformedMessageError(ENTRY_FORMAT, `seq = ${seq} is not a record seq (records start at 1)`, { field: 'seq' });
  }
  // u64 big-endian of a safe integer: the high 21 bits, then the low 32.
  recordInput.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), 1 + 4);
  recordInput.writeUInt32BE(seq >>> 0, 1 + 8);
  digest.copy(recordInput, 1 + 12);
  sha256Into(recordInput, out, outAt);
}
