import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import type { SeqchainError } from '../../../src/errors.js';
import { IndexStore } from '../../../src/index-store/index-store.js';
import type { AppliedInfo } from '../../../src/indexer/ledger-applier.js';
import { LedgerIndexer } from '../../../src/indexer/ledger-indexer.js';
import { createRedis, waitForRedis } from '../../../src/index-store/redis-client.js';
import { indexerSettings, redisClientOptions } from '../../../src/config/slices.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';
import { LedgerBuilder, capturingLogger, configWith, expectIndexHolds } from './helpers.js';
import { PrivateRedis, freePort } from '../../helpers/redis-server.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function timed<T>(p: Promise<T>): Promise<{ ms: number; err: unknown }> {
  const t0 = Date.now();
  try {
    await p;
    return { ms: Date.now() - t0, err: null };
  } catch (err) {
    return { ms: Date.now() - t0, err };
  }
}

describe('Redis unreachable (own redis-server on its own port; the shared one is never touched)', () => {
  it('lookups fail fast with a retriable SEQCHAIN_ERR_UNREACHABLE: closed port, and a Redis that stops answering', async () => {
    const f = new ChainFixture();
    cleanups.push(() => f.close());
    const port = await freePort();
    const closed = createRedis(redisClientOptions(configWith(f.set.config, { redisUrl: `redis://127.0.0.1:${port}` })), f.logger, 'test');
    cleanups.push(async () => closed.disconnect());
    const store = new IndexStore(closed, 'seqchain', f.chain, Buffer.alloc(32, 1));
    const r = await timed(store.record(5n));
    expect(r.ms).toBeLessThan(300);
    expect(r.err).toMatchObject({ code: 'SEQCHAIN_ERR_UNREACHABLE', retriable: true, details: { service: 'redis', op: 'record', seq: '5', chain: f.chain } });

    // a password in the URL never reaches a log line or an error message
    const { logger, lines } = capturingLogger();
    const withPassword = createRedis(redisClientOptions(configWith(f.set.config, { redisUrl: `redis://app:s3cret-pw@127.0.0.1:${port}/3` })), logger, 'test');
    cleanups.push(async () => withPassword.disconnect());
    const w = await timed(new IndexStore(withPassword, 'seqchain', f.chain, Buffer.alloc(32, 1)).head());
    await waitFor('a warn line', async () => lines.some((l) => l.level === 40), 5_000, 20);
    expect(JSON.stringify(lines)).toContain('app:***@127.0.0.1');
    expect(JSON.stringify(lines)).not.toContain('s3cret');
    expect((w.err as Error).message).not.toContain('s3cret');

    const own = new PrivateRedis(await freePort());
    await own.start();
    cleanups.push(() => own.stop());
    const paused = createRedis(redisClientOptions(configWith(f.set.config, { redisUrl: own.url, commandTimeoutMs: 300 })), f.logger, 'test');
    cleanups.push(async () => paused.disconnect());
    await waitForRedis(paused, 5_000);
    const admin = own.client();
    cleanups.push(async () => admin.disconnect());
    await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
    const s2 = new IndexStore(paused, 'seqchain', f.chain, Buffer.alloc(32, 1));
    const p = await timed(s2.byDigest(Buffer.alloc(32, 9)));
    expect(p.ms).toBeLessThan(1_500);
    expect(p.err).toMatchObject({ code: 'SEQCHAIN_ERR_UNREACHABLE', retriable: true, details: { op: 'byDigest' } });
    expect((p.err as Error).message).toMatch(/timed out/i);
  }, 30_000);

  it('the indexer waits out a Redis outage (one warn line, one event), then rebuilds the emptied Redis by itself', async () => {
    const f = new ChainFixture();
    cleanups.push(() => f.close());
    await f.init(2);
    const b = new LedgerBuilder(f, 2);
    cleanups.push(() => b.close());
    await b.appendRecords(1_000, 100, 5);
    const own = new PrivateRedis(await freePort());
    await own.start();
    cleanups.push(() => own.stop());
    const { logger, lines } = capturingLogger();
    const config = configWith(f.set.config, { redisUrl: own.url, commandTimeoutMs: 500, replicaId: `${f.chain}-i` });
    const redis = createRedis(redisClientOptions(config), logger, 'index');
    cleanups.push(async () => redis.disconnect());
    const ix = new LedgerIndexer({
      settings: indexerSettings(config),
      kafka: f.kafka,
      redis,
      logger,
      genesisHash: f.genesis.hash,
      tuning: { headCheckIntervalMs: 200, retryMaxMs: 1_000 },
    });
    cleanups.push(() => ix.close());
    const downs: SeqchainError[] = [];
    let ups = 0;
    ix.on('index:redis-down', ({ err }) => downs.push(err));
    ix.on('index:redis-up', () => ups++);
    let caughtUp = new Promise((res) => ix.once('index:caught-up', res));
    await ix.start();
    await caughtUp;

    await own.stop();
    await waitFor('index:redis-down', async () => downs.length > 0, 10_000, 50);
    // lookups fail fast while it is down
    const r = await timed(ix.store.head());
    expect(r.ms).toBeLessThan(300);
    expect(r.err).toMatchObject({ code: 'SEQCHAIN_ERR_UNREACHABLE', retriable: true });
    // the ledger moves on meanwhile; several retries happen
    await b.appendRecords(500, 100, 5);
    await sleep(4_000);
    expect(downs).toHaveLength(1);
    expect(downs[0]!.code).toBe('SEQCHAIN_ERR_UNREACHABLE');
    const warns = (prefix: string) => lines.filter((l) => l.level === 40 && String(l.msg).startsWith(prefix)).length;
    expect(warns('redis unreachable: indexing waits')).toBe(1);
    expect(warns('redis unreachable: reconnecting')).toBe(1);
    expect(JSON.stringify(lines)).not.toMatch(/password/);

    caughtUp = new Promise((res) => ix.once('index:caught-up', res));
    await own.start(); // comes back empty (no persistence)
    await caughtUp;
    expect(ups).toBe(1);
    expect(downs).toHaveLength(1);
    expect(ix.indexedSeq).toBe(b.seq);
    await expectIndexHolds(ix.store, b);
  }, 120_000);

  it('after Redis stopped answering for a while, the indexer catches up from the index head, not from scratch', async () => {
    const f = new ChainFixture();
    cleanups.push(() => f.close());
    await f.init(2);
    const b = new LedgerBuilder(f, 2);
    cleanups.push(() => b.close());
    await b.appendRecords(800, 100, 4);
    const own = new PrivateRedis(await freePort());
    await own.start();
    cleanups.push(() => own.stop());
    const config = configWith(f.set.config, { redisUrl: own.url, commandTimeoutMs: 400, replicaId: `${f.chain}-i` });
    const redis = createRedis(redisClientOptions(config), f.logger, 'index');
    cleanups.push(async () => redis.disconnect());
    const ix = new LedgerIndexer({
      settings: indexerSettings(config),
      kafka: f.kafka,
      redis,
      logger: f.logger,
      genesisHash: f.genesis.hash,
      tuning: { headCheckIntervalMs: 200, retryMaxMs: 1_000 },
    });
    cleanups.push(() => ix.close());
    let downs = 0;
    let ups = 0;
    ix.on('index:redis-down', () => downs++);
    ix.on('index:redis-up', () => ups++);
    const caughtUp = new Promise((res) => ix.once('index:caught-up', res));
    await ix.start();
    await caughtUp;
    const pausedAtOffset = b.headOffset;
    const admin = own.client();
    cleanups.push(async () => admin.disconnect());
    const inc = await admin.hget(`seqchain:${f.chain}:meta`, 'inc');
    expect(inc).toMatch(/^[0-9a-f]{12}$/);
    const events: AppliedInfo[] = [];
    ix.on('index:applied', (e) => events.push(e));

    await admin.call('CLIENT', 'PAUSE', '4000', 'ALL');
    await b.appendRecords(600, 100, 3);
    await waitFor('index:redis-down', async () => downs > 0, 10_000, 50);
    await waitFor('index:redis-up and caught up', async () => ups > 0 && ix.indexedSeq === b.seq, 30_000, 100);
    expect(downs).toBe(1);
    // nothing at or below the head before the pause was applied again, and the index was not rebuilt
    expect(events.every((e) => e.ledgerOffset > pausedAtOffset)).toBe(true);
    expect(events.filter((e) => e.applied).length).toBeLessThanOrEqual(6);
    expect(await admin.hget(`seqchain:${f.chain}:meta`, 'inc')).toBe(inc);
    await expectIndexHolds(ix.store, b);
  }, 120_000);
});
