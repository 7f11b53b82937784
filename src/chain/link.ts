/**
 * Chain link, format "SCL1" (frozen: pinned by test/vectors/chain-v1.json).
 *
 * h_g = SHA-256("SCL1" ‖ h_{g-1}(32) ‖ u64(g) ‖ d_g(32)), g = 1, 2, 3, … (the genesis is h_0).
 */
import { MalformedMessageError } from '../errors.js';
import { writeU64 } from './bytes.js';
import { sha256 } from './sha256.js';

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
 * receives h_(firstSeq+i). A plain loop and no allocation beyond the hashes: the sequencer links
 * every record here.
 */
export function linkEntries(prev: Buffer, firstSeq: bigint, entries: readonly { readonly digest: Buffer }[], count = entries.length, out?: Buffer[]): Buffer {
  let h = prev;
  for (let i = 0; i < count; i++) {
    h = linkHash(h, firstSeq + BigInt(i), entries[i]!.digest);
    if (out !== undefined) out[i] = h;
  }
  return h;
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
