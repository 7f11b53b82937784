import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { IndexWriter } from '../../../src/index-store/index-writer.js';
import { LedgerIndexer } from '../../../src/indexer/ledger-indexer.js';
import { ReplicaIndex } from '../../../src/indexer/replica-index.js';
import { SeqchainMetrics } from '../../../src/metrics/metrics.js';
import { indexerSettings, redisClientOptions } from '../../../src/config/slices.js';
import type { ChainFixture } from '../../helpers/chain-fixture.js';
import { chainWithLedger, type Cleanup, configWith, expectIndexHolds, type LedgerBuilder } from './helpers.js';

const cleanups: Cleanup[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function setUp(partitions = 4): Promise<{ f: ChainFixture; b: LedgerBuilder; redis: Redis }> {
  const { f, b, redis } = await chainWithLedger(cleanups, partitions);
  return { f, b, redis };
}

function indexer(f: ChainFixture, redis: Redis, replicaId = `${f.chain}-i1`): LedgerIndexer {
  const ix = new LedgerIndexer({
    settings: indexerSettings(configWith(f.set.config, { replicaId })),
    kafka: f.kafka,
    redis,
    logger: f.logger,
    genesisHash: f.genesis.hash,
    tuning: { headCheckIntervalMs: 300 },
  });
  cleanups.push(() => ix.close());
  return ix;
}

describe('Redis query index built from a ledger (real Kafka, Redis)', () => {
  it('answers by seq, position, digest and range exactly as the ledger and the chain math say, and tails new cuts', async () => {
    const { f, b, redis } = await setUp();
    // Cuts of varied sizes: one crosses the first entry bucket (1,310 entries), one has no records.
    await b.append(b.cut(1), b.cut(7), b.cut(500));
    await b.append(b.cut(1_000));
    await b.append(b.cut(0));
    await b.append(b.cut(3), b.cut(1_500), b.cut(2));
    const ix = indexer(f, redis);
    const caughtUp = new Promise((res) => ix.once('index:caught-up', res));
    await ix.start();
    await caughtUp;
    expect(ix.indexedSeq).toBe(b.seq);
    expect(ix.ledgerOffset).toBe(b.headOffset);
    await expectIndexHolds(ix.store, b);

    // prevHash of seq 1 is the genesis; each prevHash is the previous record's hash
    expect((await ix.store.record(1n))!.prevHash).toEqual(f.genesis.hash);
    const window = await ix.store.range(1305n, 1315n);
    for (let i = 1; i < window.length; i++) expect(window[i]!.prevHash).toEqual(window[i - 1]!.hash);
    // unknowns
    expect(await ix.store.record(0n)).toBeNull();
    expect(await ix.store.record(b.seq + 1n)).toBeNull();
    expect(await ix.store.byPosition(0, 10_000_000n)).toBeNull();
    expect(await ix.store.byPosition(9, 0n)).toBeNull();
    expect(await ix.store.byDigest(randomBytes(32))).toBeNull();
    expect(await ix.store.range(b.seq + 1n, b.seq + 10n)).toEqual([]);
    expect((await ix.store.range(b.seq - 1n, b.seq + 100n)).map((r) => r.seq)).toEqual([b.seq - 1n, b.seq]);
    await expect(ix.store.range(1n, 200_000n)).rejects.toMatchObject({ code: 'SEQCHAIN_ERR_USAGE' });
    await expect(ix.store.byDigest(Buffer.alloc(31))).rejects.toMatchObject({ code: 'SEQCHAIN_ERR_USAGE' });

    // tailing: new cuts are indexed as they are committed
    await b.append(b.cut(40), b.cut(0), b.cut(60));
    await waitFor('the new cuts indexed', async () => ix.indexedSeq === b.seq && ix.ledgerOffset === b.headOffset, 20_000, 50);
    await expectIndexHolds(ix.store, b);
    const head = await ix.store.head();
    expect(head!.epoch).toBe(b.epoch);
    expect(head!.updatedAtMs).toBeGreaterThan(Date.now() - 60_000);
  }, 120_000);

  it('only the genesis indexed: head is seq 0 with the genesis hash', async () => {
    const { f, redis } = await setUp(2);
    const ix = indexer(f, redis);
    const caughtUp = new Promise((res) => ix.once('index:caught-up', res));
    await ix.start();
    await caughtUp;
    const head = await ix.store.head();
    expect(head).toMatchObject({ seq: 0n, epoch: 0n, cutId: 0n, ledgerOffset: 0n });
    expect(head!.hash).toEqual(f.genesis.hash);
    expect(await ix.store.record(1n)).toBeNull();
    expect(await ix.store.range(1n, 10n)).toEqual([]);
  }, 60_000);

  it('applies each cut once: a repeated apply is a no-op, and two indexers on one Redis build one index', async () => {
    const { f, b, redis } = await setUp(3);
    await b.appendRecords(3_000, 150, 5);
    const ix1 = indexer(f, redis, `${f.chain}-a`);
    const ix2 = indexer(f, redis, `${f.chain}-b`);
    const wrote = { a: 0, b: 0, seen: { a: 0, b: 0 } };
    ix1.on('index:applied', (i) => {
      wrote.seen.a += 1;
      if (i.applied) wrote.a += 1;
    });
    ix2.on('index:applied', (i) => {
      wrote.seen.b += 1;
      if (i.applied) wrote.b += 1;
    });
    const both = Promise.all([new Promise((r) => ix1.once('index:caught-up', r)), new Promise((r) => ix2.once('index:caught-up', r))]);
    await Promise.all([ix1.start(), ix2.start()]);
    await both;
    const messages = b.offsets.length; // genesis + cuts
    // each saw every message, and every message was written exactly once, by one of them
    expect(wrote.seen).toEqual({ a: messages, b: messages });
    expect(wrote.a + wrote.b).toBe(messages);
    await expectIndexHolds(ix1.store, b);

    // a cut applied again (at or below the head) changes nothing
    const writer = new IndexWriter(redis, f.set.config.redis.keyPrefix, f.chain, f.genesis.hash);
    expect((await writer.attach()).status).toBe('existing');
    const again = await writer.apply([{ kind: 'genesis', ledgerOffset: 0n }]);
    expect(again[0]!.status).toBe('present');
    const before = await ix1.store.head();
    await ix1.close();
    await ix2.close();
    // a third indexer started on the complete index writes nothing
    const ix3 = indexer(f, redis, `${f.chain}-c`);
    let writes = 0;
    ix3.on('index:applied', (i) => void (i.applied && writes++));
    const done = new Promise((r) => ix3.once('index:caught-up', r));
    await ix3.start();
    await done;
    expect(writes).toBe(0);
    expect(await ix3.store.head()).toEqual(before);
  }, 120_000);

  it('refuses to start twice, and close() is one promise', async () => {
    const { f, redis } = await setUp(1);
    const ix = indexer(f, redis);
    await ix.start();
    await expect(ix.start()).rejects.toMatchObject({ code: 'SEQCHAIN_ERR_ALREADY_STARTED' });
    const s1 = ix.close();
    expect(ix.close()).toBe(s1);
    await s1;
  }, 60_000);

  it("a replica's index refuses to start twice or after close(), and close() is one promise", async () => {
    const { f } = await setUp(1);
    const index = new ReplicaIndex({
      settings: indexerSettings(configWith(f.set.config, { replicaId: `${f.chain}-ri` })),
      redisClient: redisClientOptions(f.set.config),
      kafka: f.kafka,
      genesis: f.genesis,
      logger: f.logger,
      metrics: new SeqchainMetrics({ chain: f.chain, replicaId: `${f.chain}-ri` }),
      counterSeq: async () => 0n,
      leading: () => false,
    });
    cleanups.push(() => index.close());
    index.start();
    expect(() => index.start()).toThrow(expect.objectContaining({ code: 'SEQCHAIN_ERR_ALREADY_STARTED' }));
    const closing = index.close();
    expect(index.close()).toBe(closing);
    await closing;
    expect(() => index.start()).toThrow(expect.objectContaining({ code: 'SEQCHAIN_ERR_ALREADY_STARTED' }));
  }, 60_000);
});
