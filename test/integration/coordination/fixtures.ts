import { genesisHash } from '../../../src/chain/genesis.js';
import type { GenesisRecord } from '../../../src/coordination/genesis-store.js';

export function makeGenesis(chainId: string, nonceByte = 1): GenesisRecord {
  const start = [0n, 5n, 2n ** 40n];
  const createdAtMs = 1_700_000_000_000n;
  const nonce = Buffer.alloc(16, nonceByte);
  const topic = 'source';
  return {
    version: 1,
    chainId,
    topic,
    partitions: start.length,
    start,
    createdAtMs,
    nonce,
    hash: genesisHash({ chainId, topic, start, createdAtMs, nonce }),
    startMode: 'earliest',
    ledgerTopic: `${chainId}.ledger`,
    digestTopic: `${chainId}.digests`,
  };
}
