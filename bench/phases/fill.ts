/**
 * Writes the benchmark's records: topic creation, then `total` records round-robin over its
 * partitions, as fast as the broker takes them (several requests in flight), with progress.
 */
import type { Admin, Kafka, Message } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Progress } from '../../src/cli/progress.js';
import type { Config } from '../../src/config/schema.js';
import { partitionCount } from '../../src/kafka/offsets.js';
import { partitionOf, type RecordFactory } from '../lib/records.js';

const BATCH = 2_000;
const IN_FLIGHT = 4;

export async function createTopic(admin: Admin, config: Readonly<Config>, topic: string, partitions: number): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic,
        numPartitions: partitions,
        replicationFactor: config.kafka.replicationFactor,
        configEntries: [{ name: 'min.insync.replicas', value: String(config.kafka.minInsyncReplicas) }],
      },
    ],
  });
  for (let i = 0; i < 40 && (await partitionCount(admin, topic)) !== partitions; i++) await sleep(250);
}

export async function fillTopic(
  kafka: Kafka,
  factory: RecordFactory,
  opts: { topic: string; partitions: number; total: number; label: string },
): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const progress = new Progress(`bench ${opts.label}`, opts.total);
  const inFlight = new Set<Promise<void>>();
  const started = Date.now();
  let sent = 0;
  let acked = 0;
  try {
    while (sent < opts.total) {
      const n = Math.min(BATCH, opts.total - sent);
      const messages: Message[] = new Array(n);
      for (let k = 0; k < n; k++) messages[k] = factory.message(sent + k, partitionOf(sent + k, opts.partitions));
      sent += n;
      const p: Promise<void> = producer.sendBatch({ acks: -1, topicMessages: [{ topic: opts.topic, messages }] }).then(() => {
        acked += n;
        progress.update(acked);
        inFlight.delete(p);
      });
      inFlight.add(p);
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  progress.finish(acked);
  return (acked * 1000) / Math.max(1, Date.now() - started);
}
