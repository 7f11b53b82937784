import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { extendChain } from '../../../src/chain/link.js';
import { IndexWriter } from '../../../src/index-store/index-writer.js';
import type { AppliedInfo } from '../../../src/indexer/ledger-applier.js';
import { LedgerIndexer } from '../../../src/indexer/ledger-indexer.js';
import type { CutMessage } from '../../../src/wire/ledger-v1.js';
import { indexerSettings } from '../../../src/config/slices.js';
import type { ChainFixture } from '../../helpers/chain-fixture.js';
import { capturingLogger, chainWithLedger, type Cleanup, configWith, countMatching, deleteChainKeys, expectIndexHolds, type LedgerBuilder } from './helpers.js';

const cleanups: Cleanup[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function setUp(partitions = 3): Promise<{ f: ChainFixture; b: LedgerBuilder; redis: Redis; metaKey: string; prefix: string }> {
  const { f, b, redis } = await chainWithLedger(cleanups, partitions);
  const prefix = `${f.set.config.redis.keyPrefix}:${f.chain}:`;
  return { f, b, redis, metaKey: `${prefix}meta`, prefix };
}

function indexer(f: ChainFixture, redis: Redis, opts: { replicaId?: string; logger?: ChainFixture['logger'] } = {}): LedgerIndexer {
  const ix = new LedgerIndexer({
    settings: indexerSettings(configWith(f.set.config, { replicaId: opts.replicaId ?? `${f.chain}-i` })),
    kafka: f.kafka,
    redis,
    logger: opts.logger ?? f.logger,
    genesisHash: f.genesis.hash,
    tuning: { headCheckIntervalMs: 300 },
  });
  cleanups.push(() => ix.close());
  return ix;
}

function caughtUp(ix: LedgerIndexer): Promise<unknown> {
  return new Promise((res) => ix.once('index:caught-up', res));
}

describe('index recovery (real Kafka, Redis)', () => {
  it('reset(): flushes the running index (old keys deleted) and rebuilds it from the ledger start', async () => {
    const { f, b, redis, metaKey, prefix } = await setUp();
    await b.appendRecords(2_500, 250, 5);
    const ix = indexer(f, redis);
    let up = caughtUp(ix);
    await ix.start();
    await up;
    const oldInc = (await redis.hget(metaKey, 'inc'))!;
    expect(await countMatching(redis, `${prefix}${oldInc}:*`)).toBeGreaterThan(10);

    up = caughtUp(ix);
    await ix.reset();
    const newInc = (await redis.hget(metaKey, 'inc'))!;
    expect(newInc).not.toBe(oldInc);
    expect(await countMatching(redis, `${prefix}${oldInc}:*`)).toBe(0);
    await up;
    await expectIndexHolds(ix.store, b);
    expect(await redis.hget(metaKey, 'inc')).toBe(newInc);
  }, 120_000);

  it('an index that belongs to another genesis (init --force) is flushed and rebuilt for this one', async () => {
    const { f, b, redis, metaKey, prefix } = await setUp();
    await b.appendRecords(1_200, 100, 4);
    // Another chain's index under the same chain name: its own genesis and records.
    const otherGenesis = createHash('sha256').update('an older chain').digest();
    const other = new IndexWriter(redis, f.set.config.redis.keyPrefix, f.chain, otherGenesis);
    const attached = await other.attach();
    expect(attached.status).toBe('created');
    const digests = Array.from({ length: 50 }, () => randomBytes(32));
    const hashes = extendChain(otherGenesis, 1n, digests);
    const cut: CutMessage = {
      kind: 'cut',
      epoch: 1n,
      cutId: 1n,
      firstSeq: 1n,
      lastSeq: 50n,
      prevHash: otherGenesis,
      headHash: hashes[49]!,
      closedAtMs: 1n,
      coverage: [{ sourceNext: 50n, digestNext: 0n }],
      entries: digests.map((digest, i) => ({ partition: 0, offset: BigInt(i), timestampMs: 1n, digest })),
    };
    const results = await other.apply([
      { kind: 'genesis', ledgerOffset: 0n },
      { kind: 'cut', ledgerOffset: 2n, cut, hashes, tree: { tiles: [], border: Buffer.alloc(0), checkpoint: null } },
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const otherInc = attached.inc;
    expect(await countMatching(redis, `${prefix}${otherInc}:*`)).toBeGreaterThan(0);

    const ix = indexer(f, redis);
    // This chain's store does not answer from the other genesis's index.
    expect(await ix.store.head()).toBeNull();
    expect(await ix.store.record(1n)).toBeNull();
    const up = caughtUp(ix);
    await ix.start();
    await up;
    expect(await redis.hget(metaKey, 'genesis')).toBe(f.genesis.hash.toString('hex'));
    expect(await countMatching(redis, `${prefix}${otherInc}:*`)).toBe(0);
    await expectIndexHolds(ix.store, b);
    expect(await ix.store.byDigest(digests[0]!)).toBeNull();
  }, 120_000);

  it('a stale index catches up from its own head: nothing below it is read into Redis again', async () => {
    const { f, b, redis, metaKey } = await setUp();
    await b.appendRecords(1_000, 100, 5);
    const first = indexer(f, redis, { replicaId: `${f.chain}-first` });
    let up = caughtUp(first);
    await first.start();
    await up;
    await first.close();
    const headOffset = b.headOffset;
    const inc = await redis.hget(metaKey, 'inc');

    await b.appendRecords(900, 90, 5);
    const second = indexer(f, redis, { replicaId: `${f.chain}-second` });
    const events: AppliedInfo[] = [];
    second.on('index:applied', (e) => events.push(e));
    up = caughtUp(second);
    await second.start();
    await up;
    expect(events.length).toBe(10);
    expect(events.every((e) => e.applied && e.ledgerOffset > headOffset)).toBe(true);
    expect(await redis.hget(metaKey, 'inc')).toBe(inc);
    await expectIndexHolds(second.store, b);
  }, 120_000);

  it('an index whose head disagrees with the ledger is rebuilt, not extended', async () => {
    const { f, b, redis, metaKey } = await setUp();
    await b.appendRecords(600, 60, 5);
    const first = indexer(f, redis, { replicaId: `${f.chain}-first` });
    let up = caughtUp(first);
    await first.start();
    await up;
    await first.close();
    const inc = await redis.hget(metaKey, 'inc');
    // The head says another hash than the ledger's message at its offset.
    await redis.hset(metaKey, 'hash', randomBytes(32).toString('hex'));
    await b.appendRecords(100, 50, 2);

    const { logger, lines } = capturingLogger();
    const second = indexer(f, redis, { replicaId: `${f.chain}-second`, logger });
    up = caughtUp(second);
    await second.start();
    await up;
    expect(await redis.hget(metaKey, 'inc')).not.toBe(inc);
    expect(lines.some((l) => l.level === 40 && String(l.msg).startsWith('index does not describe this ledger'))).toBe(true);
    await expectIndexHolds(second.store, b);
  }, 120_000);

  it('an idle indexer notices that its index was flushed and rebuilds it', async () => {
    const { f, b, redis } = await setUp();
    await b.appendRecords(700, 70, 5);
    const ix = indexer(f, redis);
    const up = caughtUp(ix);
    await ix.start();
    await up;
    // The flush takes meta (the head) and every entry. The indexer may notice between the delete
    // and a read of the head (it re-attaches on its next check or Redis retry), so what is checked
    // is that keys were deleted and that everything is rebuilt, not the empty moment in between.
    const flushed = await deleteChainKeys(redis, f.set.config.redis.keyPrefix, f.chain);
    expect(flushed).toBeGreaterThan(1);
    await waitFor('the flushed index rebuilt', async () => (await ix.store.head())?.seq === b.seq, 30_000, 100);
    await expectIndexHolds(ix.store, b);
  }, 120_000);
});
