/**
 * Chain link, format "SCL1" (frozen: pinned by test/vectors/chain-v1.json).
 *
 * h_g = SHA-256("SCL1" ‖ h_{g-1}(32) ‖ u64(g) ‖ d_g(32)), g = 1, 2, 3, … (the genesis is h_0).
 */
import { MalformedMessageError } from '../errors.js';
import { writeU64 } from './bytes.js';
import { sha256, sha256Into } from './sha256.js';

export const LINK_FORMAT = 'SCL1';
export const HASH_BYTES = 32;

const PREV_AT = 4;
const SEQ_AT = PREV_AT + HASH_BYTES;
const DIGEST_AT = SEQ_AT + 8;
const LINK_INPUT_BYTES = DIGEST_AT + HASH_BYTES;

// One reusable input buffer: hashing reads it synchronously, so reuse is safe.
const input = Buffer.alloc(LINK_INPUT_BYTES);
input.write(LINK_FORMAT, 0, 'ascii');

function checkHash(value: Buffer, field: string): void {
  if (!Buffer.isBuffer(value) || value.length !== HASH_BYTES) {
    const got = Buffer.isBuffer(value) ? `${value.length} bytes` : 'not a Buffer';
    throw new MalformedMessageError(LINK_FORMAT, `${field} must be ${HASH_BYTES} bytes, got ${got}`, { field });
  }
}

export function linkHash(prev: Buffer, seq: bigint, digest: Buffer): Buffer {
  checkHash(prev, 'prev hash');
  checkHash(digest, 'digest');
  if (typeof seq === 'bigint' && seq < 1n) {
    throw new MalformedMessageError(LINK_FORMAT, `seq = ${seq} is not a record seq (records start at 1; 0 is the genesis)`, {
      field: 'seq',
    });
  }
  writeU64(input, SEQ_AT, seq, 'SCL1 seq');
  input.set(prev, PREV_AT);
  input.set(digest, DIGEST_AT);
  return sha256(input);
}

/**
 * The one loop that links a cut's entries: entry i of `entries[0..count)` gets seq firstSeq + i.
 * Returns the last hash, h_(firstSeq+count-1) (`prev` when count is 0); `out[i]`, when given,
 * receives h_(firstSeq+i). The sequencer and every reader link every record here, so the hashes
 * are written into one buffer per call (`sha256Into`), `out[i]` a 32-byte view of it: a Buffer
 * per SHA-256 cost about 5× the hash itself and most of the reader's young-generation garbage.
 */
export function linkEntries(prev: Buffer, firstSeq: bigint, entries: readonly { readonly digest: Buffer }[], count = entries.length, out?: Buffer[]): Buffer {
  if (count === 0) return prev;
  checkHash(prev, 'prev hash');
  if (typeof firstSeq === 'bigint' && firstSeq < 1n) {
    throw new MalformedMessageError(LINK_FORMAT, `seq = ${firstSeq} is not a record seq (records start at 1; 0 is the genesis)`, {
      field: 'seq',
    });
  }
  const hashes = Buffer.allocUnsafe(count * HASH_BYTES);
  input.set(prev, PREV_AT);
  for (let i = 0; i < count; i++) {
    const digest = entries[i]!.digest;
    checkHash(digest, 'digest');
    writeU64(input, SEQ_AT, firstSeq + BigInt(i), 'SCL1 seq');
    input.set(digest, DIGEST_AT);
    const at = i * HASH_BYTES;
    sha256Into(input, hashes, at);
    // The next link's prev is this hash: copied within the fixed input, no view needed.
    hashes.copy(input, PREV_AT, at, at + HASH_BYTES);
    if (out !== undefined) out[i] = hashes.subarray(at, at + HASH_BYTES);
  }
  return hashes.subarray((count - 1) * HASH_BYTES, count * HASH_BYTES);
}

/** The hashes h_firstSeq … h_(firstSeq+n-1) of `digests` linked onto `prev`. */
export function extendChain(prev: Buffer, firstSeq: bigint, digests: readonly Buffer[]): Buffer[] {
  const out = new Array<Buffer>(digests.length);
  linkEntries(
    prev,
    firstSeq,
    digests.map((digest) => ({ digest })),
    digests.length,
    out,
  );
  return out;
}
