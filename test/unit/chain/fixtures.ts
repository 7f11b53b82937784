import { extendChain } from '../../../src/chain/link.js';
import { genesisHash } from '../../../src/chain/genesis.js';
import { recordDigest } from '../../../src/chain/record-digest.js';
import type { CutView, LedgerEntry } from '../../../src/chain/verify.js';

export const START: readonly bigint[] = [0n, 10n, 0n];

export const GENESIS = genesisHash({
  chainId: 'test-chain',
  topic: 'src',
  start: START,
  createdAtMs: 1_700_000_000_000n,
  nonce: Buffer.alloc(16, 7),
});

export type Pos = readonly [partition: number, offset: number];

export function digestOf(partition: number, offset: bigint): Buffer {
  return recordDigest({
    topic: 'src',
    partition,
    offset,
    timestampMs: 1_700_000_000_000n + offset,
    key: Buffer.from(`k${partition}`),
    value: Buffer.from(`v${partition}-${offset}`),
    headers: [],
  });
}

export function entry([partition, offset]: Pos): LedgerEntry {
  const o = BigInt(offset);
  return { partition, offset: o, timestampMs: 1_700_000_000_000n + o, digest: digestOf(partition, o) };
}

/**
 * A ledger whose hashes are all consistent (what a careful forger would write): each cut lists
 * its positions; seqs, prev/head hashes are computed. `epochs[i]` defaults to 1; a cut with
 * `coverage[i]` carries that coverage vector (sourceNext per partition).
 */
export function ledger(
  cuts: readonly (readonly Pos[])[],
  epochs: readonly bigint[] = [],
  coverage: readonly (readonly number[] | undefined)[] = [],
): CutView[] {
  let prev = GENESIS;
  let seq = 1n;
  return cuts.map((positions, i) => {
    const entries = positions.map(entry);
    const hs = extendChain(
      prev,
      seq,
      entries.map((e) => e.digest),
    );
    const cut: CutView = {
      ledgerOffset: BigInt(i + 1),
      epoch: epochs[i] ?? 1n,
      cutId: BigInt(i + 1),
      firstSeq: seq,
      lastSeq: seq + BigInt(entries.length) - 1n,
      prevHash: prev,
      headHash: hs[hs.length - 1] ?? prev,
      entries,
      ...(coverage[i] ? { coverage: coverage[i]!.map((c) => ({ sourceNext: BigInt(c) })) } : {}),
    };
    prev = cut.headHash;
    seq = cut.lastSeq + 1n;
    return cut;
  });
}

/** A good three-cut ledger over partitions 0, 1 (start 10) and 2. */
export const GOOD_CUTS: readonly (readonly Pos[])[] = [
  [
    [0, 0],
    [1, 10],
    [0, 1],
    [2, 0],
  ],
  [
    [2, 1],
    [1, 11],
    [1, 12],
  ],
  [
    [0, 2],
    [2, 2],
    [1, 13],
    [0, 3],
  ],
];
