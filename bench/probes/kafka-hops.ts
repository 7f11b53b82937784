/**
 * Probe for docs/PERFORMANCE.md (issue 14, the e2e latency target): what bare kafkajs hops cost
 * at a fixed offered load on this machine, with nothing of seqchain in them. The parent offers
 * the bench's open-loop load (phases/load.ts: 200-byte records, keys, 2 headers, stamped with
 * their intended send time) to a 12-partition topic; `hops` forwarder processes, each shaped like
 * the worker (its consumer settings, eachBatch awaiting one produce with acks -1 per batch,
 * offsets committed at most once a second), pass each batch on to the next topic as one message
 * of 48 bytes per record, as the worker's digest batch is (here: each record's timestamp, then
 * zeros); a sink process (read_committed, like the bench's ledger watcher) notes, per record,
 * now − intended send time. seqchain's path is two such hops (worker → digests → sequencer) and
 * a transaction before its watcher: what one and two bare hops take is a floor under its e2e.
 *
 *   node dist/bench/probes/kafka-hops.js [records/s, default 20000] [seconds, default 20] [hops, default 2]
 *
 * hops = 0: the sink reads the offered records themselves (one consume).
 *
 * Prints one JSON line: offered and sent rate, and the sink's p50 / p90 / p99 / max in ms. Start
 * it beside the stack only (`scripts/stack.sh up`), with no bench running.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EachBatchPayload } from 'kafkajs';
import { loadConfig } from '../../src/config/load.js';
import { kafkaClientOptions } from '../../src/config/slices.js';
import { createKafka, groupConsumerConfig } from '../../src/kafka/client.js';
import { withAdmin } from '../../src/kafka/offsets.js';
import { createLogger } from '../../src/log.js';
import { RecordFactory } from '../lib/records.js';
import { percentileSorted } from '../lib/stats.js';
import { offerLoad } from '../phases/load.js';

const PARTITIONS = 12;
const config = loadConfig({ overrides: { replicaId: 'bench-probe' } });
const kafka = createKafka(kafkaClientOptions(config), createLogger({ level: 'fatal' }), 'probe');

type ChildMessage = { type: 'ready' } | { type: 'latencies'; ms: number[] };

/** Bytes per record of a forwarded batch: a digest batch entry's size (offset, timestamp, digest). */
const ENTRY_BYTES = 48;

function pack(stamps: number[]): Buffer {
  const out = Buffer.alloc(ENTRY_BYTES * stamps.length);
  for (const [i, t] of stamps.entries()) out.writeUIntBE(t, i * ENTRY_BYTES, 6);
  return out;
}

function unpack(value: Buffer): number[] {
  return Array.from({ length: value.length / ENTRY_BYTES }, (_, i) => value.readUIntBE(i * ENTRY_BYTES, 6));
}

/** A forwarder (topic `from` → `to`, the worker's shape) or, with no `to`, the sink; `packed`: `from` holds forwarded batches. */
async function child(from: string, to: string | undefined, group: string, packed: boolean): Promise<void> {
  const consumer = kafka.consumer(groupConsumerConfig({ ...config.worker, metadataMaxAgeMs: config.kafka.metadataMaxAgeMs }, group));
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
  const latencies: number[] = [];
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: from, fromBeginning: true });
  consumer.on(consumer.events.GROUP_JOIN, () => process.send?.({ type: 'ready' } satisfies ChildMessage));
  const forward = async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }: EachBatchPayload) => {
    if (batch.messages.length === 0) return;
    const stamps = packed ? batch.messages.flatMap((m) => unpack(m.value!)) : batch.messages.map((m) => Number(m.timestamp));
    if (to === undefined) {
      const now = Date.now();
      for (const t of stamps) latencies.push(now - t);
    } else {
      await producer.send({ topic: to, acks: -1, messages: [{ partition: batch.partition, value: pack(stamps) }] });
    }
    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();
    await heartbeat();
  };
  await consumer.run({ autoCommit: false, autoCommitInterval: 1_000, partitionsConsumedConcurrently: 64, eachBatchAutoResolve: false, eachBatch: forward });
  process.on('message', (m: { type: string }) => {
    if (m.type !== 'stop') return;
    process.send?.({ type: 'latencies', ms: latencies } satisfies ChildMessage, () => {
      void consumer
        .disconnect()
        .then(() => producer.disconnect())
        .finally(() => process.exit(0));
    });
  });
}

async function parent(): Promise<void> {
  const rate = Number(process.argv[2] ?? 20_000);
  const seconds = Number(process.argv[3] ?? 20);
  const hops = Number(process.argv[4] ?? 2);
  const run = `bench-hops-${randomUUID().slice(0, 8)}`;
  const topics = Array.from({ length: hops + 1 }, (_, i) => `${run}.t${i}`);
  await withAdmin(kafka, (admin) => admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })) }));
  const self = fileURLToPath(import.meta.url);
  const children = topics.map((from, i) =>
    fork(self, ['--child', from, topics[i + 1] ?? '', `${run}.g${i}`, String(i > 0)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  try {
    await Promise.all(children.map((c) => new Promise<void>((resolve) => c.once('message', () => resolve()))));
    await sleep(2_000);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const factory = new RecordFactory({ size: 200, keys: 1_000, headers: 2 });
    const sent = await offerLoad(producer, factory, {
      topic: topics[0]!,
      partitions: PARTITIONS,
      rate,
      seconds,
      firstIndex: 0,
      label: `${hops} kafkajs hops at ${rate}/s`,
    });
    await producer.disconnect();
    await sleep(3_000);
    const sink = children.at(-1)!;
    const ms = await new Promise<number[]>((resolve) => {
      sink.on('message', (m: ChildMessage) => m.type === 'latencies' && resolve(m.ms));
      sink.send({ type: 'stop' });
    });
    const sorted = Float64Array.from(ms).sort();
    const [p50, p90, p99] = [50, 90, 99].map((p) => percentileSorted(sorted, p));
    process.stdout.write(
      `${JSON.stringify({ probe: 'kafka-hops', hops, offeredRps: rate, sentRps: Math.round(sent.sentRps), records: sent.records, received: ms.length, p50, p90, p99, max: sorted.at(-1) })}\n`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await withAdmin(kafka, (admin) => admin.deleteTopics({ topics })).catch(() => undefined);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4] || undefined, process.argv[5]!, process.argv[6] === 'true');
else await parent();
