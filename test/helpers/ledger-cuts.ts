/** Ledger messages for unit tests: a genesis and valid cuts with recomputed links. */
import { createHash } from 'node:crypto';
import { extendChain } from '../../src/chain/link.js';
import type { CutMessage, GenesisMessage } from '../../src/wire/ledger-v1.js';

export const sha = (s: string) => createHash('sha256').update(s).digest();
export const G = sha('genesis');
export const genesisMsg: GenesisMessage = {
  kind: 'genesis',
  chainId: 'c',
  topic: 't',
  start: [0n, 0n],
  createdAtMs: 1n,
  nonce: Buffer.alloc(16),
  hash: G,
  startMode: 'earliest',
};

/** A valid cut of `n` records after (seq, hash). */
export function cut(seq: bigint, hash: Buffer, n: number, cutId: bigint): CutMessage {
  const entries = Array.from({ length: n }, (_, i) => ({
    partition: i % 2,
    offset: seq + BigInt(i),
    timestampMs: 5n,
    digest: sha(`d${seq + BigInt(i) + 1n}`),
  }));
  const hashes = extendChain(
    hash,
    seq + 1n,
    entries.map((e) => e.digest),
  );
  return {
    kind: 'cut',
    epoch: 1n,
    cutId,
    firstSeq: seq + 1n,
    lastSeq: seq + BigInt(n),
    prevHash: hash,
    headHash: hashes[n - 1] ?? hash,
    closedAtMs: 9n,
    coverage: [
      { sourceNext: 0n, digestNext: 0n },
      { sourceNext: 0n, digestNext: 0n },
    ],
    entries,
  };
}
