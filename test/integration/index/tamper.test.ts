import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { kafkaNames } from '../../../src/kafka/names.js';
import type { SeqchainError } from '../../../src/errors.js';
import { LedgerIndexer } from '../../../src/indexer/ledger-indexer.js';
import { indexerSettings } from '../../../src/config/slices.js';
import type { ChainFixture } from '../../helpers/chain-fixture.js';
import { capturingLogger, chainWithLedger, type Cleanup, configWith, type LedgerBuilder } from './helpers.js';

const cleanups: Cleanup[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function setUp(): Promise<{ f: ChainFixture; b: LedgerBuilder; redis: Redis }> {
  const { f, b, redis } = await chainWithLedger(cleanups, 2);
  return { f, b, redis };
}

async function runUntilHalted(f: ChainFixture, redis: Redis): Promise<{ ix: LedgerIndexer; err: SeqchainError; lines: Array<Record<string, unknown>> }> {
  const { logger, lines } = capturingLogger();
  const ix = new LedgerIndexer({
    settings: indexerSettings(configWith(f.set.config, { replicaId: `${f.chain}-i` })),
    kafka: f.kafka,
    redis,
    logger,
    genesisHash: f.genesis.hash,
  });
  cleanups.push(() => ix.close());
  const halted = new Promise<SeqchainError>((res) => ix.once('index:halted', ({ err }) => res(err)));
  await ix.start();
  return { ix, err: await halted, lines };
}

describe('indexing a tampered ledger (real Kafka, Redis)', () => {
  it('halts at a cut whose prevHash does not follow: everything before is indexed, nothing from it on', async () => {
    const { f, b, redis } = await setUp();
    await b.append(b.cut(20), b.cut(30));
    const goodSeq = b.seq;
    const goodHash = b.hash;
    const bad = b.cut(10);
    bad.prevHash = randomBytes(32);
    const [badOffset] = await b.append(bad);
    await b.append(b.cut(5));

    const { ix, err, lines } = await runUntilHalted(f, redis);
    expect(err.code).toBe('SEQCHAIN_ERR_CHAIN_BROKEN');
    expect(err.retriable).toBe(false);
    expect(err.details).toMatchObject({ chain: f.chain, ledgerOffset: String(badOffset), seq: String(goodSeq + 1n), expected: goodHash.toString('hex') });
    expect(ix.halted).toBe(err);
    expect(ix.indexedSeq).toBe(goodSeq);
    expect(lines.some((l) => l.level === 50 && String(l.msg).startsWith('indexing halted'))).toBe(true);

    const head = await ix.store.head();
    expect(head).toMatchObject({ seq: goodSeq });
    expect(head!.hash).toEqual(goodHash);
    expect(await ix.store.record(goodSeq)).not.toBeNull();
    expect(await ix.store.record(goodSeq + 1n)).toBeNull();
    const badEntry = bad.entries[0]!;
    expect(await ix.store.byPosition(badEntry.partition, badEntry.offset)).toBeNull();
    expect(await ix.store.byDigest(badEntry.digest)).toBeNull();
    expect(await ix.store.range(1n, 1_000n)).toHaveLength(Number(goodSeq));
  }, 90_000);

  it('halts at a cut whose entries do not link to its headHash (a digest changed after the fact)', async () => {
    const { f, b, redis } = await setUp();
    await b.append(b.cut(40));
    const goodSeq = b.seq;
    const before = b.cut(3);
    const bad = b.cut(25);
    bad.entries[7] = { ...bad.entries[7]!, digest: randomBytes(32) };
    // in the same transaction as a good cut before it and a valid-looking one after it
    const offsets = await b.append(before, bad, b.cut(4));
    const { ix, err } = await runUntilHalted(f, redis);
    expect(err.code).toBe('SEQCHAIN_ERR_CHAIN_BROKEN');
    expect(err.message).toMatch(/headHash/);
    expect(err.details).toMatchObject({ ledgerOffset: String(offsets[1]), seq: String(bad.lastSeq) });
    expect((await ix.store.head())!.seq).toBe(goodSeq + 3n);
    expect(await ix.store.record(goodSeq + 4n)).toBeNull();
    expect(await ix.store.byDigest(bad.entries[0]!.digest)).toBeNull();
  }, 90_000);

  it('halts with SEQCHAIN_ERR_MALFORMED_MESSAGE at a ledger message that does not decode', async () => {
    const { f, b, redis } = await setUp();
    await b.append(b.cut(10));
    const producer = f.kafka.producer({ transactionalId: kafkaNames.transactionalId(f.chain), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const txn = await producer.transaction();
    await txn.send({ topic: kafkaNames.ledgerTopic(f.chain), messages: [{ value: Buffer.from('SCM1\u0002garbage') }] });
    await txn.commit();
    const { ix, err } = await runUntilHalted(f, redis);
    expect(err.code).toBe('SEQCHAIN_ERR_MALFORMED_MESSAGE');
    expect(err.details).toMatchObject({ chain: f.chain, afterSeq: '10' });
    expect((await ix.store.head())!.seq).toBe(10n);
  }, 90_000);
});
