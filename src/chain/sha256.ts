/**
 * SHA-256 of one buffer, the fastest way this Node offers, chosen once at load: `crypto.hash`
 * (Node ≥ 20.12) hashes in one call without a Hash object, which for the chain's small inputs
 * (76-byte links, ~300-byte records) is the larger part of the cost (see docs/PERFORMANCE.md);
 * older Nodes fall back to createHash. Both give the same bytes.
 */
import * as crypto from 'node:crypto';

type Sha256 = (data: Buffer) => Buffer;

const oneShot: Sha256 = (data) => crypto.hash('sha256', data, 'buffer');
const viaHashObject: Sha256 = (data) => crypto.createHash('sha256').update(data).digest();

export const sha256: Sha256 = typeof crypto.hash === 'function' ? oneShot : viaHashObject;

type Sha256Into = (data: Buffer, out: Buffer, offset: number) => void;

/**
 * SHA-256 of `data` written into `out` at `offset` (32 bytes), allocating no Buffer. For loops of
 * many small hashes whose results are only inputs to the next (folding tile hashes for a proof):
 * each Buffer `sha256` returns is an ArrayBuffer of its own, and hundreds of them per request made
 * the API's young-generation GC pauses frequent and slow (docs/PERFORMANCE.md, "Proof latency
 * tail"). A 'binary' (latin1) digest is a 32-character one-byte string, a plain heap object, copied byte for
 * byte; it also skips the Buffer's creation, about 5× less time per hash.
 */
const intoViaString: Sha256Into = (data, out, offset) => {
  out.write(crypto.hash('sha256', data, 'binary'), offset, 32, 'latin1');
};
const intoViaHashObject: Sha256Into = (data, out, offset) => {
  crypto.createHash('sha256').update(data).digest().copy(out, offset);
};

export const sha256Into: Sha256Into = typeof crypto.hash === 'function' ? intoViaString : intoViaHashObject;
