/**
 * Which fields of two genesis descriptions differ (the ZooKeeper znode vs the ledger's first
 * message), so a 'genesis' break can say what was changed rather than only that hashes differ.
 */
import type { GenesisParams } from '../chain/genesis.js';

export function genesisFieldsDiffering(a: GenesisParams, b: GenesisParams): string[] {
  const out: string[] = [];
  if (a.chainId !== b.chainId) out.push('chainId');
  if (a.topic !== b.topic) out.push('topic');
  if (a.start.length !== b.start.length || a.start.some((s, p) => s !== b.start[p])) out.push('start');
  if (a.createdAtMs !== b.createdAtMs) out.push('createdAtMs');
  if (!a.nonce.equals(b.nonce)) out.push('nonce');
  return out;
}
