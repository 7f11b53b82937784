/**
 * The ordered topic (delivery.orderedTopic) on the real stack: switched on after records were
 * sequenced, it holds the chain from seq 1; read by a client that is not kafkajs (Debian's kcat,
 * read_committed) after a SIGKILL of the replica writing it, every seq is there exactly once, in
 * the ledger's order, with the source's key, value and headers.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigResourceTypes, type KafkaMessage } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, ReplicaSet, runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { connectZk } from '../../../src/coordination/connect.js';
import { type OrderedLeaseInfo, readOrderedLease } from '../../../src/coordination/ordered-lease.js';
import type { ZkSession } from '../../../src/coordination/zk-session.js';
import { measureOrderedWriter } from '../../../src/delivery/ordered-rate.js';
import { OrderedTopicWriter } from '../../../src/delivery/ordered-writer.js';
import type { SeqchainError } from '../../../src/errors.js';
import { kafkaNames } from '../../../src/kafka/names.js';
import { partitionCount, topicOffsets, withAdmin } from '../../../src/kafka/offsets.js';
import { initChain } from '../../../src/ops/init-chain.js';
import { readRanges } from '../../../src/kafka/range-reader.js';
import type { ChainStatus } from '../../../src/ops/chain-status.js';
import { readSequenced } from '../../../src/reader/sequenced-reader.js';
import type { SequencedRecord } from '../../../src/reader/window.js';
import type { ChainFixture } from '../../helpers/chain-fixture.js';
import { perTest, waitForOwnership } from '../operations/helpers.js';

const ORDERED_ON = { SEQCHAIN_DELIVERY_ORDERED_TOPIC: 'true' };
const t = perTest();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function zkOf(f: ChainFixture): Promise<ZkSession> {
  const zk = await connectZk(f.set.config.zookeeper, f.logger);
  cleanups.push(() => zk.close());
  return zk;
}

/** The ordered-writer lease once `check` accepts it. */
function leaseWhen(zk: ZkSession, f: ChainFixture, label: string, check: (l: OrderedLeaseInfo) => boolean, timeoutMs = 60_000): Promise<OrderedLeaseInfo> {
  return waitFor(
    label,
    async () => {
      const lease = await readOrderedLease(zk, f.set.paths);
      return lease !== null && check(lease) ? lease : undefined;
    },
    timeoutMs,
    200,
  );
}

/** Every committed record of the ordered topic (kafkajs, read_committed), in offset order. */
async function orderedRecords(f: ChainFixture): Promise<KafkaMessage[]> {
  const topic = kafkaNames.orderedTopic(f.chain);
  const [end] = await withAdmin(f.kafka, (admin) => topicOffsets(admin, topic));
  const got: KafkaMessage[] = [];
  await readRanges({
    kafka: f.kafka,
    topic,
    ranges: new Map([[0, { from: 0n, to: end!.high }]]),
    groupPrefix: `${f.chain}.check`,
    logger: f.logger,
    onMessages: (_p, ms) => void got.push(...ms),
  });
  return got;
}

/** The chain as the verifying reader yields it, to the head: the reference for order, payload and hash. */
async function sequencedRecords(f: ChainFixture): Promise<SequencedRecord[]> {
  const out: SequencedRecord[] = [];
  for await (const r of readSequenced({ kafka: f.kafka, chain: f.chain, genesis: f.genesis, logger: f.logger })) out.push(r);
  return out;
}

/** The source record's headers as kafkajs delivers them (names grouped, a repeated name's values in order). */
function groupedHeaders(r: SequencedRecord): Record<string, Buffer[]> {
  const out: Record<string, Buffer[]> = {};
  for (const h of r.headers) (out[h.name] ??= []).push(h.value ?? Buffer.alloc(0));
  return out;
}

describe('the ordered topic (real Kafka, ZooKeeper; replicas as processes)', () => {
  it('switched on after records were sequenced: holds the chain from seq 1, byte for byte, with seqchain.seq and seqchain.hash', async () => {
    const f = t.chain();
    await f.startSequenced(3, 600); // r1, without the ordered topic
    const orderedTopic = kafkaNames.orderedTopic(f.chain);
    expect(await withAdmin(f.kafka, (admin) => admin.listTopics())).not.toContain(orderedTopic);

    // A second replica of the same chain with the option on: it creates the topic and writes it from seq 1.
    const on = new ReplicaSet({ chain: f.chain, logDir: join(REPO, '.stack', 'test-logs', `${f.chain}-ordered`), env: ORDERED_ON, logger: f.logger });
    cleanups.push(() => on.close());
    on.start(`${f.chain}-r2`);
    await f.produce(300);
    await waitFor('900 sequenced', async () => (await f.set.sequenced()) >= 900, 60_000, 100);
    const zk = await zkOf(f);
    const lease = await leaseWhen(zk, f, 'the ordered topic written up to seq 900', (l) => l.seq >= 900n);
    expect(lease.replicaId).toBe(`${f.chain}-r2`);

    const reference = await sequencedRecords(f);
    expect(reference.length).toBe(900);
    const got = await orderedRecords(f);
    expect(got.length).toBe(900);
    got.forEach((m, i) => {
      const r = reference[i]!;
      const { 'seqchain.seq': seq, 'seqchain.hash': hash, ...source } = m.headers ?? {};
      expect(String(seq)).toBe(String(i + 1));
      expect(String(hash)).toBe(r.hash.toString('hex'));
      expect(m.key).toEqual(r.key);
      expect(m.value).toEqual(r.value);
      expect(m.timestamp).toBe(r.timestampMs.toString());
      const asArrays = Object.fromEntries(Object.entries(source).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map((x) => Buffer.from(x as Buffer))]));
      expect(asArrays).toEqual(groupedHeaders(r));
    });

    // `status --json` names the writer and its progress.
    const out = await runCli(['status', '--json'], { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' });
    expect(out.code).toBe(0);
    const status = JSON.parse(out.stdout) as ChainStatus;
    expect(status.ordered).toMatchObject({ topic: orderedTopic, holder: `${f.chain}-r2`, seq: '900', lag: '0' });
  }, 240_000);

  it('kcat (read_committed) reads every seq exactly once, in ledger order, after a SIGKILL of the replica writing it', async () => {
    const f = t.chain(ORDERED_ON);
    // init with the option on creates the topic: one partition, kept like the ledger.
    f.genesis = await initChain({ ...f.set.config, delivery: { orderedTopic: true } }, f.logger, {
      topic: f.topic,
      partitions: 3,
      start: 'earliest',
      force: false,
    });
    const orderedTopic = kafkaNames.orderedTopic(f.chain);
    const created = await withAdmin(f.kafka, async (admin) => ({
      partitions: await partitionCount(admin, orderedTopic),
      configs: await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: orderedTopic }] }),
    }));
    expect(created.partitions).toBe(1);
    const entries = Object.fromEntries(created.configs.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(entries).toMatchObject({ 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' });
    const ids = [1, 2].map((i) => `${f.chain}-r${i}`);
    for (const id of ids) f.set.start(id);
    await waitForOwnership(f, ids, 3, 60_000);
    const zk = await zkOf(f);
    const load = await t.startLoad(f, 400);
    const first = await leaseWhen(zk, f, 'an ordered writer past seq 400', (l) => l.seq >= 400n);
    await load.waitFor(200); // the writer is mid-stream
    await f.set.kill(first.replicaId, 'SIGKILL');
    const other = ids.find((id) => id !== first.replicaId)!;
    const second = await leaseWhen(zk, f, `${other} takes the ordered topic over`, (l) => l.replicaId === other && l.seq > first.seq, 60_000);
    await load.waitFor(400);
    const total = await t.stopLoad();
    await waitFor(`${total} sequenced`, async () => (await f.set.sequenced()) >= total, 90_000, 100);
    await leaseWhen(zk, f, `the ordered topic written up to seq ${total}`, (l) => l.seq >= BigInt(total), 60_000);
    expect(second.replicaId).toBe(other);

    const { stdout } = await promisify(execFile)(
      'kcat',
      ['-C', '-b', f.set.config.kafka.brokers[0]!, '-t', orderedTopic, '-X', 'isolation.level=read_committed', '-e', '-q', '-J'],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    const lines = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { partition: number; key: string | null; payload: string | null; headers?: string[] });
    const reference = await sequencedRecords(f);
    expect(reference.length).toBe(total);
    expect(lines.length).toBe(total);
    lines.forEach((m, i) => {
      const r = reference[i]!;
      const headers = m.headers ?? [];
      const pairs = Array.from({ length: headers.length / 2 }, (_, k) => [headers[2 * k]!, headers[2 * k + 1]!] as const);
      expect(m.partition).toBe(0);
      expect(pairs.slice(-2)).toEqual([
        ['seqchain.seq', String(i + 1)],
        ['seqchain.hash', r.hash.toString('hex')],
      ]);
      expect(m.key).toBe(r.key?.toString() ?? null);
      expect(m.payload).toBe(r.value?.toString() ?? null);
      expect(pairs.slice(0, -2)).toEqual(r.headers.map((h) => [h.name, h.value?.toString() ?? '']));
    });
  }, 300_000);

  it('a zombie writer is fenced at its next commit and writes nothing; an open transaction at the end is aborted, not resumed from', async () => {
    const f = t.chain();
    await f.startSequenced(3, 300);
    const writerOptions = {
      chain: f.chain,
      kafka: f.kafka,
      genesis: f.genesis,
      replication: f.set.config.kafka,
      maxRecordBytes: 1 << 20,
      logger: f.logger,
    };
    const writer = () => new OrderedTopicWriter(writerOptions);
    const zombie = writer();
    const stopped = new Promise<{ failed: boolean; error?: SeqchainError }>((resolve) => zombie.once('ordered:stopped', resolve));
    cleanups.push(() => zombie.close());
    zombie.start();
    await waitFor('the first writer at seq 300', async () => zombie.lastSeq === 300n, 60_000, 50);

    // A writer that died mid-batch leaves an open transaction at the topic's end (150 records, more
    // than the first window the resume point is looked for in). The next writer aborts it and
    // resumes after the last committed record.
    const dying = f.kafka.producer({ transactionalId: kafkaNames.orderedTransactionalId(f.chain), maxInFlightRequests: 1, idempotent: true });
    cleanups.push(() => dying.disconnect());
    await dying.connect();
    const open = await dying.transaction();
    await open.send({
      topic: kafkaNames.orderedTopic(f.chain),
      messages: Array.from({ length: 150 }, (_, i) => ({ partition: 0, value: `never committed ${i}` })),
    });

    const successor = writer();
    cleanups.push(() => successor.close());
    const resumed = new Promise<{ seq: bigint }>((resolve) => successor.once('ordered:resumed', resolve));
    successor.start();
    expect((await resumed).seq).toBe(300n);
    await f.produce(200);
    const end = await stopped;
    expect(end.failed).toBe(true);
    expect(end.error).toMatchObject({ code: 'SEQCHAIN_ERR_FENCED', retriable: true });
    await waitFor('the successor at seq 500', async () => successor.lastSeq === 500n, 60_000, 50);
    const seqs = (await orderedRecords(f)).map((m) => String(m.headers?.['seqchain.seq']));
    expect(seqs).toEqual(Array.from({ length: 500 }, (_, i) => String(i + 1)));

    // The bench hook: a new writer after a graceful close resumes at 500 and reports its run.
    await successor.close();
    await f.produce(100);
    await waitFor('600 sequenced', async () => (await f.set.sequenced()) >= 600, 60_000, 50);
    const run = await measureOrderedWriter({
      ...writerOptions,
      toSeq: 600n,
      headSeq: async () => BigInt(await f.set.sequenced()),
      timeoutMs: 60_000,
    });
    expect(run).toMatchObject({ fromSeq: 500n, toSeq: 600n, records: 100 });
    expect(run.transactions).toBeGreaterThanOrEqual(1);
    expect(run.recordsPerSec).toBeGreaterThan(0);
    expect((await orderedRecords(f)).map((m) => String(m.headers?.['seqchain.seq']))).toEqual(Array.from({ length: 600 }, (_, i) => String(i + 1)));
  }, 180_000);
});
