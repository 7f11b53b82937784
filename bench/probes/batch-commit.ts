/**
 * Probe for docs/PERFORMANCE.md (proposal 3): two worker-shaped consumers side by side on one
 * 12-partition topic under a fixed load. Each eachBatch awaits a produce (acks -1), as the worker
 * does. Group A commits after every batch (kafkajs autoCommit, what src/worker/worker.ts does
 * today); group B commits at most once a second (autoCommit false + autoCommitInterval 1000 +
 * commitOffsetsIfNecessary). Prints produce → eachBatch latency for both.
 *
 *   node dist/bench/probes/batch-commit.js [records/s, default 5000] [seconds, default 15]
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer } from 'kafkajs';
import { loadConfig } from '../../src/config/load.js';
import { createKafka } from '../../src/kafka/client.js';
import { kafkaClientOptions } from '../../src/config/slices.js';
import { withAdmin } from '../../src/kafka/offsets.js';
import { createLogger } from '../../src/log.js';
import { summarizeLatencies } from '../lib/stats.js';

const rate = Number(process.argv[2] ?? 5_000);
const seconds = Number(process.argv[3] ?? 15);
const config = loadConfig({ overrides: { replicaId: 'bench-probe' } });
const kafka = createKafka(kafkaClientOptions(config), createLogger({ level: 'fatal' }), 'probe');
const topic = `bench-probe-${randomUUID().slice(0, 8)}`;
const out = `${topic}.out`;
await withAdmin(kafka, (admin) =>
  admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic, numPartitions: 12 },
      { topic: out, numPartitions: 12 },
    ],
  }),
);
const producer = kafka.producer();
const digests = kafka.producer();
const consumers: Consumer[] = [];
try {
  await producer.connect();
  await digests.connect();
  const latency: Record<string, number[]> = { A: [], B: [] };
  for (const [name, runOptions] of [
    ['A', {}],
    ['B', { autoCommit: false, autoCommitInterval: 1_000 }],
  ] as const) {
    const consumer = kafka.consumer({
      groupId: `${topic}.${name}`,
      sessionTimeout: config.worker.sessionTimeoutMs,
      heartbeatInterval: config.worker.heartbeatIntervalMs,
      maxWaitTimeInMs: config.worker.maxWaitTimeMs,
      readUncommitted: false,
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 64,
      eachBatchAutoResolve: false,
      ...runOptions,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
        const now = Date.now();
        for (const m of batch.messages) latency[name]!.push(now - Number(m.timestamp));
        await digests.send({ topic: out, acks: -1, messages: [{ partition: batch.partition, value: Buffer.alloc(48 * batch.messages.length) }] });
        resolveOffset(batch.lastOffset());
        await commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
    consumers.push(consumer);
  }
  await sleep(4_000);
  const started = Date.now();
  let sent = 0;
  while (sent < rate * seconds) {
    const due = Math.min(rate * seconds, Math.floor(((Date.now() - started) * rate) / 1000)) - sent;
    if (due > 0) {
      const timestamp = String(Date.now());
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: due }, (_, i) => ({ partition: (sent + i) % 12, value: Buffer.alloc(200), timestamp })),
      });
      sent += due;
    }
    await sleep(2);
  }
  await sleep(2_000);
  for (const [name, label] of [
    ['A', 'commit after every batch'],
    ['B', 'commit at most once a second'],
  ] as const) {
    const all = latency[name]!;
    const s = summarizeLatencies(all.slice(Math.floor(all.length / 10)));
    process.stdout.write(`${rate}/s, ${label.padEnd(28)}: produce → eachBatch p50 ${s.p50} p99 ${s.p99} max ${s.max} ms (${s.count} records)\n`);
  }
} finally {
  for (const c of consumers) await c.disconnect().catch(() => undefined);
  await producer.disconnect().catch(() => undefined);
  await digests.disconnect().catch(() => undefined);
  await withAdmin(kafka, (admin) => admin.deleteTopics({ topics: [topic, out] }));
}
