import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { verifyChain } from '../../../src/verify/verify-chain.js';
import { ChainFixture, invariantOneViolations } from '../../helpers/chain-fixture.js';

let fixture: ChainFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

describe('a source topic written by a transactional producer', () => {
  it('sequences committed records with no gap in global seq although source offsets have holes, and skips aborted ones', async () => {
    fixture = new ChainFixture();
    const f = fixture;
    await f.init(3);
    f.set.start(`${f.chain}-r1`);
    f.set.start(`${f.chain}-r2`);
    await waitFor('a leader', async () => (await f.set.leader()) ?? undefined, 60_000);

    // Commit markers take one offset per partition per transaction; an aborted transaction
    // leaves records that a read_committed reader never sees.
    await f.produce(3_000, { transactional: true, batchSize: 100 });
    const producer = f.kafka.producer({ transactionalId: `${f.chain}-aborter`, maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: f.topic, messages: [0, 1, 2].map((partition) => ({ partition, value: Buffer.from('aborted') })) });
    await txn.abort();
    await producer.disconnect();
    await f.produce(1_500, { transactional: true, batchSize: 100 });

    await waitFor('4,500 records sequenced', async () => (await f.set.sequenced()) >= 4_500, 120_000, 200);
    const [source, rows] = await Promise.all([f.sourcePositions(), f.ledgerRows()]);
    expect(source.flat().length).toBe(4_500);
    // Holes exist: the highest offset of a partition is well above its record count.
    source.forEach((offsets) => {
      expect(offsets[offsets.length - 1]! + 1n).toBeGreaterThan(BigInt(offsets.length));
    });
    expect(rows.length).toBe(4_500);
    expect(invariantOneViolations(source, rows)).toEqual([]);

    const report = await verifyChain({ kafka: f.kafka, chain: f.chain, genesis: f.genesis, logger: f.logger });
    expect(report).toMatchObject({ ok: true, records: 4_500, sourceRecordsMatched: 4_500, gaps: 0 });
  }, 240_000);
});
