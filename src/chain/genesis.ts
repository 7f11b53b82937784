/**
 * Genesis hash, format "SCG1" (frozen: pinned by test/vectors/chain-v1.json).
 *
 * h0 = SHA-256("SCG1" ‖ u32(len chainId) ‖ chainId ‖ u32(len topic) ‖ topic ‖ u32(P) ‖
 *              u64(start[0]) … u64(start[P-1]) ‖ u64(createdAtMs) ‖ nonce(16 bytes))
 */
import { createHash } from 'node:crypto';
import { MalformedMessageError } from '../errors.js';
import { lengthPrefixed, u32, u64, utf8 } from './bytes.js';

export const GENESIS_FORMAT = 'SCG1';
export const GENESIS_NONCE_BYTES = 16;

export interface GenesisParams {
  chainId: string;
  topic: string;
  /** One entry per source partition: where sequencing of partition p begins. */
  start: readonly bigint[];
  createdAtMs: bigint;
  /** Exactly 16 bytes. */
  nonce: Buffer;
}

const PREFIX = Buffer.from(GENESIS_FORMAT, 'ascii');

export function genesisHash(g: GenesisParams): Buffer {
  if (!Buffer.isBuffer(g.nonce) || g.nonce.length !== GENESIS_NONCE_BYTES) {
    const got = Buffer.isBuffer(g.nonce) ? `${g.nonce.length} bytes` : 'not a Buffer';
    throw new MalformedMessageError(GENESIS_FORMAT, `nonce must be exactly ${GENESIS_NONCE_BYTES} bytes, got ${got}`, {
      field: 'nonce',
    });
  }
  if (!Array.isArray(g.start) || g.start.length < 1) {
    throw new MalformedMessageError(GENESIS_FORMAT, 'start must list at least one partition (P ≥ 1)', {
      field: 'start',
    });
  }
  const parts: Buffer[] = [
    PREFIX,
    lengthPrefixed(utf8(g.chainId, 'SCG1 chainId'), 'SCG1 chainId'),
    lengthPrefixed(utf8(g.topic, 'SCG1 topic'), 'SCG1 topic'),
    u32(g.start.length, 'SCG1 partition count'),
  ];
  g.start.forEach((s, p) => {
    parts.push(u64(s, `SCG1 start[${p}]`));
  });
  parts.push(u64(g.createdAtMs, 'SCG1 createdAtMs'), g.nonce);
  return createHash('sha256').update(Buffer.concat(parts)).digest();
}
