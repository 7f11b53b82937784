import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { runCli } from '../../../scripts/lib/replica-set.js';
import { IndexStore } from '../../../src/index-store/index-store.js';
import { LedgerIndexer } from '../../../src/indexer/ledger-indexer.js';
import { indexerSettings } from '../../../src/config/slices.js';
import type { ChainFixture } from '../../helpers/chain-fixture.js';
import { chainWithLedger, type Cleanup, configWith, countMatching, expectIndexHolds, type LedgerBuilder } from './helpers.js';

const cleanups: Cleanup[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function setUp(): Promise<{ f: ChainFixture; b: LedgerBuilder; redis: Redis; env: Record<string, string> }> {
  const { f, b, redis } = await chainWithLedger(cleanups, 4);
  return { f, b, redis, env: { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' } };
}

/** Indexes what the ledger holds now with an in-process indexer, then stops it. */
async function indexOnce(f: ChainFixture, redis: Redis): Promise<void> {
  const ix = new LedgerIndexer({
    settings: indexerSettings(configWith(f.set.config, { replicaId: `${f.chain}-pre` })),
    kafka: f.kafka,
    redis,
    logger: f.logger,
    genesisHash: f.genesis.hash,
  });
  const up = new Promise((res) => ix.once('index:caught-up', res));
  await ix.start();
  await up;
  await ix.close();
}

describe('seqchain reindex (CLI, real stack)', () => {
  it('flushes the old index and rebuilds it from the ledger, with a progress line and a summary', async () => {
    const { f, b, redis, env } = await setUp();
    await b.appendRecords(20_000, 1_000, 5);
    await indexOnce(f, redis);
    const metaKey = `${f.set.config.redis.keyPrefix}:${f.chain}:meta`;
    const oldInc = (await redis.hget(metaKey, 'inc'))!;
    // damage the old index: a record's bytes overwritten
    await redis.setrange(`${f.set.config.redis.keyPrefix}:${f.chain}:${oldInc}:e:0`, 100 * 5, randomBytes(100));

    const run = await runCli(['reindex'], env);
    expect(run.stderr).not.toMatch(/seqchain: SEQCHAIN_ERR/);
    expect(run.code).toBe(0);
    // progress on stderr: count/total, percent, rate, elapsed (the final line always comes)
    expect(run.stderr).toMatch(/^reindex: 20,000\/20,000 \(100\.0%\) [\d,]+\/s [\d.]+s$/m);
    expect(run.stdout).toMatch(/index rebuilt from the ledger/);
    expect(run.stdout).toMatch(/records {2}20000 in 21 ledger messages, head seq 20000/);
    expect(run.stdout).toMatch(new RegExp(`head {5}${b.hash.toString('hex')}`));
    expect(run.stdout).toMatch(/took {5}[\d.]+ s, \d+ records\/s \(\d+ old keys deleted\)/);

    const newInc = await redis.hget(metaKey, 'inc');
    expect(newInc).not.toBe(oldInc);
    expect(await countMatching(redis, `${f.set.config.redis.keyPrefix}:${f.chain}:${oldInc}:*`)).toBe(0);
    await expectIndexHolds(new IndexStore(redis, f.set.config.redis.keyPrefix, f.chain, f.genesis.hash), b);
  }, 120_000);

  it('--json prints the summary as JSON', async () => {
    const { f, b, redis, env } = await setUp();
    await b.appendRecords(3_000, 500, 3);
    const run = await runCli(['reindex', '--json'], env);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      chain: f.chain,
      genesisHash: f.genesis.hash.toString('hex'),
      records: 3_000,
      messages: 7,
      headSeq: '3000',
      headHash: b.hash.toString('hex'),
    });
    expect(typeof out.recordsPerSec).toBe('number');
    expect(typeof out.durationMs).toBe('number');
    await expectIndexHolds(new IndexStore(redis, f.set.config.redis.keyPrefix, f.chain, f.genesis.hash), b, 50);
  }, 120_000);

  it('exits 1 with SEQCHAIN_ERR_CHAIN_BROKEN on a tampered ledger, having indexed only what precedes the break', async () => {
    const { f, b, redis, env } = await setUp();
    await b.append(b.cut(100), b.cut(50));
    const bad = b.cut(30);
    bad.prevHash = randomBytes(32);
    await b.append(bad);
    const run = await runCli(['reindex'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^seqchain: SEQCHAIN_ERR_CHAIN_BROKEN: .*prevHash/m);
    const head = await new IndexStore(redis, f.set.config.redis.keyPrefix, f.chain, f.genesis.hash).head();
    expect(head!.seq).toBe(150n);
  }, 120_000);
});
