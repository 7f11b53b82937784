import { describe, expect, it } from 'vitest';
import { runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { kafkaNames } from '../../../src/kafka/names.js';
import { partitionCount, withAdmin } from '../../../src/kafka/offsets.js';
import type { ChainStatus } from '../../../src/ops/chain-status.js';
import { readLedgerHead } from '../../../src/kafka/ledger-tail.js';
import type { VerifyReport } from '../../../src/verify/verify-chain.js';
import type { CutMessage } from '../../../src/wire/ledger-v1.js';
import type { ChainFixture } from '../../helpers/chain-fixture.js';
import { epochsOf, expectInvariantOne, expectVerified, perTest, startReplicaSet, waitForOwnership } from './helpers.js';

const t = perTest();

/** Coverage length of the ledger's last message (genesis: its P). */
async function coveredPartitions(f: ChainFixture): Promise<number> {
  const counter = await f.set.counter();
  const head = await readLedgerHead({
    kafka: f.kafka,
    ledgerTopic: kafkaNames.ledgerTopic(f.chain),
    groupPrefix: `${f.chain}.check`,
    genesis: { hash: f.genesis.hash, start: f.genesis.start },
    fromOffset: counter?.ledgerOffset ?? 0n,
    logger: f.logger,
  });
  return head.coverage.length;
}

describe('source topic partition expansion while replicas run (real Kafka, ZooKeeper)', () => {
  it('covers partitions added under load with an expansion cut, keeps them after a leader SIGKILL, and verify knows where they start', async () => {
    const f = t.chain({ SEQCHAIN_KAFKA_METADATA_MAX_AGE_MS: '1000', SEQCHAIN_PARTITION_CHECK_INTERVAL_MS: '500' });
    const ids = await startReplicaSet(f, 4, 3);

    const load = await t.startLoad(f, 2_000);
    await waitFor('records sequenced before the expansion', async () => (await f.set.sequenced()) >= 2_000, 60_000, 50);

    // 4 → 6 partitions under load: the producer writes into all six as soon as it sees them.
    const addedAt = Date.now();
    await withAdmin(f.kafka, (admin) => admin.createPartitions({ topicPartitions: [{ topic: f.topic, count: 6 }] }));
    await waitForOwnership(f, ids, 6);
    const ownedAt = Date.now();
    await waitFor('the expansion cut', async () => (await coveredPartitions(f)) === 6, 30_000, 250);
    const seenAt = Date.now();
    expect(await withAdmin(f.kafka, (admin) => partitionCount(admin, kafkaNames.digestTopic(f.chain)))).toBe(6);
    await load.waitFor(4_000);
    expect(load.perPartition[4]).toBeGreaterThan(0);
    expect(load.perPartition[5]).toBeGreaterThan(0);

    // Failover after the expansion: the successor recovers the six-slot coverage from the ledger.
    const victim = (await f.set.leader())!;
    await f.set.kill(victim.replicaId, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor(
      'a new leader',
      async () => {
        const leader = await f.set.leader();
        return leader !== null && leader.epoch > victim.epoch ? leader : undefined;
      },
      30_000,
    );
    await load.waitFor(6_000);
    const total = await t.stopLoad();

    const rows = await expectInvariantOne(f, total);
    const messages = (await f.ledgerMessages()).filter((m): m is CutMessage => m.kind === 'cut');
    // Exactly one cut grows the coverage, and it is an expansion cut: no records, the head kept,
    // and partitions 4 and 5 starting at their earliest offset (0).
    const growing = messages.map((m, i) => ({ m, i })).filter(({ m, i }) => m.coverage.length > (i === 0 ? 4 : messages[i - 1]!.coverage.length));
    expect(growing.length).toBe(1);
    const { m: expansion, i: at } = growing[0]!;
    const before = messages[at - 1]!;
    expect(expansion.entries).toEqual([]);
    expect(expansion.firstSeq).toBe(before.lastSeq + 1n);
    expect(expansion.lastSeq).toBe(before.lastSeq);
    expect(expansion.prevHash.equals(before.headHash)).toBe(true);
    expect(expansion.headHash.equals(before.headHash)).toBe(true);
    expect(expansion.coverage.slice(0, 4)).toEqual(before.coverage);
    expect(expansion.coverage.slice(4)).toEqual([
      { sourceNext: 0n, digestNext: 0n },
      { sourceNext: 0n, digestNext: 0n },
    ]);
    expect(messages.slice(at).every((m) => m.coverage.length === 6)).toBe(true);
    expect(messages.slice(0, at).some((m) => m.entries.some((e) => e.partition >= 4))).toBe(false);

    // The new partitions' records are sequenced, under both leaders.
    const successor = (await f.set.leader())!;
    const epochs = epochsOf(rows);
    expect(epochs[0]).toBe(victim.epoch);
    expect(epochs[epochs.length - 1]).toBe(successor.epoch);
    expect(rows.filter((r) => r.partition >= 4 && r.epoch === victim.epoch).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.partition >= 4 && r.epoch === successor.epoch).length).toBeGreaterThan(0);

    const report = await expectVerified(f, total);
    expect(report.partitions).toBe(6);
    expect(report.unsequenced).toEqual([]);

    const firstNew = messages.find((m) => m.entries.some((e) => e.partition >= 4))!;
    const figures = {
      records: total,
      expansionCutMs: Number(expansion.closedAtMs) - addedAt,
      firstNewRecordSequencedMs: Number(firstNew.closedAtMs) - addedAt,
      workersAssignedMs: ownedAt - addedAt,
      testSawCoverageMs: seenAt - addedAt,
      failoverAt: killedAt - addedAt,
    };
    process.stderr.write(`partition expansion: ${JSON.stringify(figures)}\n`);
    // Noticed within the check interval (500 ms) plus the metadata refresh (1000 ms), with room for a slow CI machine.
    expect(figures.expansionCutMs).toBeLessThan(10_000);

    // A partition added while no replica runs: its records are reported as not sequenced (lag,
    // not a break), and status lists the partition with its lag.
    await f.set.stopAll();
    await withAdmin(f.kafka, (admin) => admin.createPartitions({ topicPartitions: [{ topic: f.topic, count: 7 }] }));
    const producer = f.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic: f.topic, acks: -1, messages: [0, 1, 2].map((i) => ({ partition: 6, value: Buffer.from(`late-${i}`) })) });
    await producer.disconnect();
    const env = { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' };
    const late = await runCli(['verify', '--json'], env);
    const lateReport = JSON.parse(late.stdout) as VerifyReport;
    expect(late.code).toBe(0);
    expect(lateReport).toMatchObject({ ok: true, records: total, partitions: 6, unsequenced: [{ partition: 6, from: '0', to: '3', covered: false }] });
    const text = await runCli(['verify'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('unsequenced  partition 6 [0, 3) (a partition the ledger does not cover yet)');
    const status = await runCli(['status', '--json'], env);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as ChainStatus;
    expect(s.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(s.partitions[6]).toMatchObject({ nextOffset: '0', endOffset: '3', lag: '3' });
    expect(s.totalLag).toBe('3');
  }, 180_000);

  it('a digest batch for a partition beyond coverage waits for the expansion cut and is not lost (no periodic check)', async () => {
    // The leader checks the partition count once, at the start of its term: here the new
    // partition reaches it only through a worker's digest batch.
    const f = t.chain({ SEQCHAIN_KAFKA_METADATA_MAX_AGE_MS: '1000', SEQCHAIN_PARTITION_CHECK_INTERVAL_MS: '600000' });
    await startReplicaSet(f, 3, 2);
    const load = await t.startLoad(f, 1_000);
    await load.waitFor(1_000);

    const addedAt = Date.now();
    await withAdmin(f.kafka, (admin) => admin.createPartitions({ topicPartitions: [{ topic: f.topic, count: 4 }] }));
    await waitFor('the expansion cut', async () => (await coveredPartitions(f)) === 4, 30_000, 250);
    await load.waitFor(2_000);
    const total = await t.stopLoad();

    const rows = await expectInvariantOne(f, total);
    expect(rows.some((r) => r.partition === 3)).toBe(true);
    const cuts = (await f.ledgerMessages()).filter((m): m is CutMessage => m.kind === 'cut');
    const expansion = cuts.find((m) => m.coverage.length === 4)!;
    expect(expansion.entries).toEqual([]);
    expect(expansion.coverage[3]).toEqual({ sourceNext: 0n, digestNext: 0n });
    // The worker grew the digest topic before sending the first batch of the new partition.
    expect(await withAdmin(f.kafka, (admin) => partitionCount(admin, kafkaNames.digestTopic(f.chain)))).toBe(4);
    process.stderr.write(
      `partition expansion through a digest batch: ${JSON.stringify({ records: total, expansionCutMs: Number(expansion.closedAtMs) - addedAt })}\n`,
    );
    await expectVerified(f, total);
  }, 120_000);
});
