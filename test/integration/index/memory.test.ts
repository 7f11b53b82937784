import { afterEach, describe, expect, it } from 'vitest';
import { IndexWriter } from '../../../src/index-store/index-writer.js';
import { LedgerApplier, type RawLedgerMessage } from '../../../src/indexer/ledger-applier.js';
import { LedgerIndexer } from '../../../src/indexer/ledger-indexer.js';
import { kafkaNames } from '../../../src/kafka/names.js';
import { readRanges } from '../../../src/kafka/range-reader.js';
import { createRedis, waitForRedis } from '../../../src/index-store/redis-client.js';
import { indexerSettings, redisClientOptions } from '../../../src/config/slices.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';
import { LedgerBuilder, configWith, expectIndexHolds } from './helpers.js';
import { PrivateRedis, freePort } from '../../helpers/redis-server.js';

/** Stated bound, docs/INDEX.md: the layout needs ~170 bytes per record (100 of them the entry, ~34 the log view's tiles). */
const MAX_BYTES_PER_RECORD = 185;
/** Past 2^17, so the digest index has two generations and a cut crosses from one to the other. */
const RECORDS = 140_000;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

function infoField(info: string, field: string): number {
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  if (!m) throw new Error(`no ${field} in INFO`);
  return Number(m[1]);
}

describe('index memory and speed (own redis-server, so INFO memory counts only this index)', () => {
  it(`holds ${RECORDS.toLocaleString('en-US')} records in at most ${MAX_BYTES_PER_RECORD} bytes each, and indexes them fast`, async () => {
    const f = new ChainFixture();
    cleanups.push(() => f.close());
    await f.init(6);
    const b = new LedgerBuilder(f, 6);
    cleanups.push(() => b.close());
    // Cuts as the sequencer writes them under load (maxCutRecords 5,000) and at moderate load.
    await b.appendRecords(RECORDS / 2, 5_000, 2);
    await b.appendRecords(RECORDS / 2, 500, 20);
    const own = new PrivateRedis(await freePort());
    await own.start();
    cleanups.push(() => own.stop());
    const admin = own.client();
    cleanups.push(async () => admin.disconnect());
    const config = configWith(f.set.config, { redisUrl: own.url, replicaId: `${f.chain}-m` });
    const redis = createRedis(redisClientOptions(config), f.logger, 'index');
    cleanups.push(async () => redis.disconnect());
    await waitForRedis(redis, 5_000);
    await admin.call('MEMORY', 'PURGE');
    const before = infoField(await admin.info('memory'), 'used_memory');

    const ix = new LedgerIndexer({ settings: indexerSettings(config), kafka: f.kafka, redis, logger: f.logger, genesisHash: f.genesis.hash });
    cleanups.push(() => ix.close());
    const caughtUp = new Promise((res) => ix.once('index:caught-up', res));
    const t0 = Date.now();
    await ix.start();
    await caughtUp;
    const startToCaughtUpMs = Date.now() - t0;

    await admin.call('MEMORY', 'PURGE');
    const after = infoField(await admin.info('memory'), 'used_memory');
    let keyBytes = 0;
    let keys = 0;
    let cursor = '0';
    const byKind = new Map<string, { keys: number; bytes: number }>();
    do {
      const [next, batch] = await admin.scan(cursor, 'MATCH', `seqchain:${f.chain}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of batch) {
        const bytes = Number(await admin.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
        const kind = key.split(':')[3] ?? 'meta';
        const k = byKind.get(kind) ?? { keys: 0, bytes: 0 };
        k.keys++;
        k.bytes += bytes;
        byKind.set(kind, k);
        keyBytes += bytes;
        keys++;
      }
    } while (cursor !== '0');
    const encodings = new Set<string>();
    for (const kind of ['p', 'd']) {
      const [, sample] = await admin.scan('0', 'MATCH', `seqchain:${f.chain}:*:${kind}:*`, 'COUNT', 5000);
      for (const key of sample.slice(0, 50)) encodings.add(`${kind}:${String(await admin.call('OBJECT', 'ENCODING', key))}`);
    }
    const perRecordInfo = (after - before) / RECORDS;
    const perRecordKeys = keyBytes / RECORDS;
    const report = {
      records: RECORDS,
      keys,
      usedMemoryDelta: after - before,
      bytesPerRecordUsedMemory: Number(perRecordInfo.toFixed(1)),
      bytesPerRecordMemoryUsage: Number(perRecordKeys.toFixed(1)),
      perKind: Object.fromEntries([...byKind].map(([k, v]) => [k, { keys: v.keys, bytesPerRecord: Number((v.bytes / RECORDS).toFixed(1)) }])),
      encodings: [...encodings],
      startToCaughtUpMs,
    };
    process.stdout.write(`index memory/speed: ${JSON.stringify(report)}\n`);

    expect(encodings).toEqual(new Set(['p:listpack', 'd:listpack']));
    expect(perRecordInfo).toBeLessThanOrEqual(MAX_BYTES_PER_RECORD);
    expect(perRecordKeys).toBeLessThanOrEqual(MAX_BYTES_PER_RECORD);
    await expectIndexHolds(ix.store, b, 500);
    // every record past 2^17 (digest generation 1), and the cut that crosses into it, by digest
    for (const r of b.records.filter((r) => r.seq >= 130_990n && r.seq <= 131_200n)) expect((await ix.store.byDigest(r.digest))?.seq).toBe(r.seq);
    await ix.close();

    // Speed of building the index from ledger messages already fetched (decode, link check,
    // Redis writes), without Kafka's fetch and group join: the indexer's steady-state rate.
    const raw: RawLedgerMessage[] = [];
    await readRanges({
      kafka: f.kafka,
      topic: kafkaNames.ledgerTopic(f.chain),
      ranges: new Map([[0, { from: 0n, to: await f.ledgerEnd() }]]),
      groupPrefix: `${f.chain}.check`,
      logger: f.logger,
      onMessages: (_p, ms) => void raw.push(...ms.map((m) => ({ offset: BigInt(m.offset), value: m.value }))),
    });
    const rates: number[] = [];
    for (let round = 0; round < 3; round++) {
      await ix.store.reset();
      const writer = new IndexWriter(redis, config.redis.keyPrefix, f.chain, f.genesis.hash);
      await writer.attach();
      const applier = new LedgerApplier(writer, f.chain, f.genesis.hash, { seq: 0n, hash: f.genesis.hash, ledgerOffset: -1n }, Buffer.alloc(0));
      const t1 = performance.now();
      // in fetch-sized slices, as the consumer delivers them
      for (let i = 0; i < raw.length; i += 40) expect((await applier.apply(raw.slice(i, i + 40))).kind).toBe('ok');
      rates.push(Math.round((RECORDS * 1000) / (performance.now() - t1)));
      expect(applier.confirmed.seq).toBe(BigInt(RECORDS));
    }
    process.stdout.write(`index build rate (records/s, 3 rounds): ${JSON.stringify(rates)}\n`);
    // A figure, not a timed assertion (speed is the benchmark's business): docs/INDEX.md quotes it.
    await expectIndexHolds(ix.store, b, 100);
  }, 300_000);
});
