import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { recordDigest } from '../../../src/chain/record-digest.js';
import { extendChain } from '../../../src/chain/link.js';
import { LedgerIndexer } from '../../../src/indexer/ledger-indexer.js';
import { createRedis, waitForRedis } from '../../../src/index-store/redis-client.js';
import { indexerSettings, redisClientOptions } from '../../../src/config/slices.js';
import { readRanges } from '../../../src/kafka/range-reader.js';
import { toSourceRecord } from '../../../src/kafka/source-record.js';
import type { KafkaMessage } from 'kafkajs';
import { ChainFixture } from '../../helpers/chain-fixture.js';
import { configWith, deleteChainKeys } from './helpers.js';

const RECORDS = 6_000;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

describe('indexing a chain that two replicas are sequencing (replicas as processes, real stack)', () => {
  it('tails the ledger while it is written; every record, position and source digest resolves as the ledger says', async () => {
    const f = new ChainFixture();
    cleanups.push(() => f.close());
    await f.init(3);
    const redis = createRedis(redisClientOptions(f.set.config), f.logger, 'test');
    cleanups.push(async () => redis.disconnect());
    await waitForRedis(redis, 5_000);
    cleanups.push(() => deleteChainKeys(redis, f.set.config.redis.keyPrefix, f.chain));
    const ix = new LedgerIndexer({
      settings: indexerSettings(configWith(f.set.config, { replicaId: `${f.chain}-idx` })),
      kafka: f.kafka,
      redis,
      logger: f.logger,
      genesisHash: f.genesis.hash,
    });
    cleanups.push(() => ix.close());
    await ix.start();

    for (let i = 1; i <= 2; i++) f.set.start(`${f.chain}-r${i}`);
    await waitFor('a leader', async () => (await f.set.leader()) !== null, 60_000);
    await f.produce(RECORDS, { rate: 4_000 });
    await waitFor(`${RECORDS} records sequenced`, async () => (await f.set.sequenced()) >= RECORDS, 120_000, 200);
    await waitFor(`${RECORDS} records indexed`, async () => ix.indexedSeq >= BigInt(RECORDS), 60_000, 100);

    // Against the ledger itself, with hashes recomputed from its digests.
    const messages = await f.ledgerMessages();
    const expected: Array<{ seq: bigint; partition: number; offset: bigint; digest: Buffer; hash: Buffer; epoch: bigint; cutId: bigint }> = [];
    let prev = f.genesis.hash;
    for (const m of messages) {
      if (m.kind !== 'cut') continue;
      const hashes = extendChain(
        prev,
        m.firstSeq,
        m.entries.map((e) => e.digest),
      );
      m.entries.forEach((e, i) => {
        expected.push({
          seq: m.firstSeq + BigInt(i),
          partition: e.partition,
          offset: e.offset,
          digest: e.digest,
          hash: hashes[i]!,
          epoch: m.epoch,
          cutId: m.cutId,
        });
      });
      if (hashes.length > 0) prev = hashes[hashes.length - 1]!;
    }
    expect(expected.length).toBe(RECORDS);
    const head = await ix.store.head();
    expect(head!.seq).toBe(BigInt(RECORDS));
    expect(head!.hash).toEqual(prev);
    const indexed = [];
    for (let from = 1n; from <= BigInt(RECORDS); from += 1000n) indexed.push(...(await ix.store.range(from, from + 999n)));
    expect(
      indexed.map((r) => ({ seq: r.seq, partition: r.partition, offset: r.offset, digest: r.digest, hash: r.hash, epoch: r.epoch, cutId: r.cutId })),
    ).toEqual(expected);

    // Digests recomputed from the source records themselves (SCR1) find their own positions.
    const source: Array<{ partition: number; message: KafkaMessage }> = [];
    await readRanges({
      kafka: f.kafka,
      topic: f.topic,
      ranges: new Map([0, 1, 2].map((p) => [p, { from: 0n, to: 40n }])),
      groupPrefix: `${f.chain}.check`,
      logger: f.logger,
      onMessages: (p, ms) => void source.push(...ms.map((message) => ({ partition: p, message }))),
    });
    expect(source.length).toBe(120);
    for (const { partition, message } of source) {
      const found = await ix.store.byDigest(recordDigest(toSourceRecord(f.topic, partition, message)));
      expect(found, `partition ${partition} offset ${message.offset}`).toMatchObject({ partition, offset: BigInt(message.offset) });
      expect((await ix.store.byPosition(partition, BigInt(message.offset)))!.seq).toBe(found!.seq);
    }
  }, 240_000);
});
