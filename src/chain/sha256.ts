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
