/**
 * What a rogue with write access to Kafka or ZooKeeper does to a chain, done for real on the
 * local stack: rewrite the ledger topic (delete, recreate, write back a modified copy), append
 * to it as another producer, copy the source topic with a record altered, rewrite znodes. Plus
 * `verify` run as the CLI, its JSON report parsed.
 */
import type { IHeaders, Kafka, KafkaMessage, Message } from 'kafkajs';
import { runCli } from '../../scripts/lib/replica-set.js';
import { connectZk } from '../../src/coordination/connect.js';
import { chainPaths } from '../../src/coordination/paths.js';
import type { ZkSession } from '../../src/coordination/zk-session.js';
import { kafkaNames } from '../../src/kafka/names.js';
import { topicOffsets, withAdmin } from '../../src/kafka/offsets.js';
import { readRanges } from '../../src/kafka/range-reader.js';
import type { VerifyReport } from '../../src/verify/verify-chain.js';
import type { ChainFixture } from './chain-fixture.js';

export interface VerifyRun {
  code: number | null;
  report: VerifyReport;
  stderr: string;
}

/** `seqchain verify --json <args>` for the fixture's chain. */
export async function verifyCli(f: ChainFixture, args: string[] = []): Promise<VerifyRun> {
  const out = await runCli(['verify', '--json', ...args], { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' });
  let report: VerifyReport;
  try {
    report = JSON.parse(out.stdout) as VerifyReport;
  } catch {
    throw new Error(`verify printed no report (exit ${out.code}): ${out.stderr.slice(0, 2000)}`);
  }
  return { code: out.code, report, stderr: out.stderr };
}

/** Every committed ledger message's bytes, in ledger order. */
export async function ledgerValues(f: ChainFixture): Promise<Buffer[]> {
  const out: Buffer[] = [];
  await readRanges({
    kafka: f.kafka,
    topic: kafkaNames.ledgerTopic(f.chain),
    ranges: new Map([[0, { from: 0n, to: await f.ledgerEnd() }]]),
    groupPrefix: `${f.chain}.tamper`,
    logger: f.logger,
    onMessages: (_p, ms) => void out.push(...ms.map((m) => m.value!)),
  });
  return out;
}

/** Deletes the topic (waiting until it is gone) and creates it again with these settings. */
async function recreateTopic(kafka: Kafka, topic: string, partitions: number, configEntries: { name: string; value: string }[]): Promise<void> {
  await withAdmin(kafka, async (admin) => {
    if ((await admin.listTopics()).includes(topic)) {
      await admin.deleteTopics({ topics: [topic] });
      for (let i = 0; i < 120 && (await admin.listTopics()).includes(topic); i++) await sleep(250);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries }] });
        const meta = await admin.fetchTopicMetadata({ topics: [topic] });
        if (meta.topics[0]?.partitions.length === partitions) return;
      } catch (err) {
        if (attempt >= 40) throw err;
      }
      await sleep(250);
    }
  });
}

/**
 * A rogue Kafka admin rewrites the ledger: deletes `<chain>.ledger`, creates it again as `init`
 * does, and writes `values` back, one transaction per message from one transactional producer
 * (as seqchain writes it: the rewrite itself leaves no trace a verifier could see).
 */
export async function rewriteLedger(f: ChainFixture, values: readonly Buffer[], transactionalId = `rogue.${f.chain}`): Promise<bigint[]> {
  const topic = kafkaNames.ledgerTopic(f.chain);
  await recreateTopic(f.kafka, topic, 1, [
    { name: 'retention.ms', value: '-1' },
    { name: 'retention.bytes', value: '-1' },
    { name: 'cleanup.policy', value: 'delete' },
    { name: 'max.message.bytes', value: String(2 * 1024 * 1024) },
  ]);
  return appendLedger(f, values, { transactionalId });
}

/**
 * Appends to the ledger: in one transaction per message when `transactionalId` is given, else as
 * a plain producer. Returns each message's ledger offset (a commit marker takes an offset too).
 */
export async function appendLedger(f: ChainFixture, values: readonly Buffer[], opts: { transactionalId?: string } = {}): Promise<bigint[]> {
  const offsets: bigint[] = [];
  const topic = kafkaNames.ledgerTopic(f.chain);
  const producer = opts.transactionalId
    ? f.kafka.producer({ transactionalId: opts.transactionalId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
    : f.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const value of values) {
      if (!opts.transactionalId) {
        const [meta] = await producer.send({ topic, acks: -1, messages: [{ value }] });
        offsets.push(BigInt(meta!.baseOffset!));
        continue;
      }
      const txn = await producer.transaction();
      const [meta] = await txn.send({ topic, acks: -1, messages: [{ value }] });
      await txn.commit();
      offsets.push(BigInt(meta!.baseOffset!));
    }
  } finally {
    await producer.disconnect();
  }
  return offsets;
}

/** Every record of a topic, per partition in offset order. */
export async function topicRecords(f: ChainFixture, topic: string): Promise<KafkaMessage[][]> {
  const offsets = await withAdmin(f.kafka, (admin) => topicOffsets(admin, topic));
  const out: KafkaMessage[][] = offsets.map(() => []);
  await readRanges({
    kafka: f.kafka,
    topic,
    ranges: new Map(offsets.map((o) => [o.partition, { from: o.low, to: o.high }])),
    groupPrefix: `${f.chain}.tamper`,
    logger: f.logger,
    onMessages: (p, ms) => void out[p]!.push(...ms),
  });
  return out;
}

/**
 * Copies the source topic record by record to `target` (same partition count; created here),
 * keeping key, value, headers and timestamp, so each record lands at the same offset when the
 * source has no holes. `alter` may change a record on its way.
 */
export async function copySourceTopic(
  f: ChainFixture,
  target: string,
  alter: (partition: number, offset: bigint, m: Message) => Message = (_p, _o, m) => m,
): Promise<void> {
  const records = await topicRecords(f, f.topic);
  await recreateTopic(f.kafka, target, records.length, []);
  const producer = f.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let p = 0; p < records.length; p++) {
      const messages = records[p]!.map((m) =>
        alter(p, BigInt(m.offset), { partition: p, key: m.key, value: m.value, headers: m.headers as IHeaders, timestamp: m.timestamp }),
      );
      for (let i = 0; i < messages.length; i += 500) await producer.send({ topic: target, acks: -1, messages: messages.slice(i, i + 500) });
    }
  } finally {
    await producer.disconnect();
  }
  const copied = await withAdmin(f.kafka, (admin) => topicOffsets(admin, target));
  copied.forEach((o) => {
    const last = records[o.partition]!.at(-1);
    if (last && o.high !== BigInt(last.offset) + 1n)
      throw new Error(`copy of partition ${o.partition} ends at ${o.high}, the source at ${BigInt(last.offset) + 1n}: offsets differ`);
  });
}

/** What retention does: deletes a partition's records below `offset` (kafkajs needs the topic's metadata first). */
export async function deleteRecordsBelow(f: ChainFixture, topic: string, partition: number, offset: bigint): Promise<void> {
  await withAdmin(f.kafka, async (admin) => {
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.deleteTopicRecords({ topic, partitions: [{ partition, offset: offset.toString() }] });
  });
}

export async function deleteTopic(f: ChainFixture, topic: string): Promise<void> {
  await withAdmin(f.kafka, (admin) => admin.deleteTopics({ topics: [topic] })).catch(() => undefined);
}

/** A ZooKeeper session on the fixture's chain, for rewriting its znodes; closed by `fn`'s end. */
export async function withChainZk<T>(f: ChainFixture, fn: (zk: ZkSession, paths: ReturnType<typeof chainPaths>) => Promise<T>): Promise<T> {
  const zk = await connectZk(f.set.config.zookeeper, f.logger);
  return fn(zk, chainPaths(f.set.config.zookeeper.root, f.chain)).finally(() => zk.close());
}

/** Replaces a znode's data (any version), returning what it held. */
export async function rewriteZnode(f: ChainFixture, which: 'genesis' | 'epoch', change: (old: Buffer) => Buffer): Promise<Buffer> {
  return withChainZk(f, async (zk, paths) => {
    const got = await zk.getData(paths[which]);
    if (got === null) throw new Error(`no ${which} znode`);
    await zk.setData(paths[which], change(got.data), got.version);
    return got.data;
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
