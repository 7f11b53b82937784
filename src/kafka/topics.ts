import type { Admin } from 'kafkajs';
import { SeqchainError } from '../errors.js';
import { sleep } from '../retry/sleep.js';
import { partitionCount } from './offsets.js';
import { replicationShortfall } from './replication-check.js';

/** `kafka.replicationFactor` and `kafka.minInsyncReplicas`: how seqchain's internal topics are replicated. */
export interface TopicReplication {
  replicationFactor: number;
  minInsyncReplicas: number;
}

/** Largest ledger or digest message, bytes (a cut of 15,000 records is ~780 KB). */
const INTERNAL_MESSAGE_BYTES = 2 * 1024 * 1024;

/** The ledger's topic config: infinite retention, never compacted (the source of truth). */
export const LEDGER_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'retention.ms': '-1',
  'retention.bytes': '-1',
  'cleanup.policy': 'delete',
  'max.message.bytes': String(INTERNAL_MESSAGE_BYTES),
};

/**
 * The ordered topic's config: kept like the ledger (a reader may start at seq 1 any time), and
 * large enough for the largest source record the worker accepts plus its two seqchain headers
 * and the batch overhead.
 */
export function orderedTopicConfig(maxRecordBytes: number): Record<string, string> {
  return {
    'retention.ms': '-1',
    'retention.bytes': '-1',
    'cleanup.policy': 'delete',
    'max.message.bytes': String(Math.max(INTERNAL_MESSAGE_BYTES, maxRecordBytes + 64 * 1024)),
  };
}

export function digestTopicConfig(retentionMs: number): Record<string, string> {
  return { 'retention.ms': String(retentionMs), 'cleanup.policy': 'delete', 'max.message.bytes': String(INTERNAL_MESSAGE_BYTES) };
}

/**
 * Creates a topic with seqchain's replication settings and `entries`, and waits until it has its
 * partitions. A topic deleted a moment ago may still be "marked for deletion": retried for ~10 s.
 * A topic that already exists with the wanted partition count counts as created.
 */
export async function createTopic(
  admin: Admin,
  topic: string,
  partitions: number,
  replication: Readonly<TopicReplication>,
  entries: Readonly<Record<string, string>>,
): Promise<void> {
  const configEntries = Object.entries({ 'min.insync.replicas': String(replication.minInsyncReplicas), ...entries }).map(([name, value]) => ({ name, value }));
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: partitions, replicationFactor: replication.replicationFactor, configEntries }],
      });
      if ((await partitionCount(admin, topic)) === partitions) return;
    } catch (err) {
      if (attempt >= 40)
        throw new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', `cannot create topic ${topic}: ${(err as Error).message}`, {
          cause: err,
          retriable: true,
          details: { topic },
        });
    }
    await sleep(250);
  }
}

/**
 * Throws NotEnoughBrokersError when the cluster has fewer live brokers than the replication
 * factor: Kafka would refuse every topic, and `createTopic` would retry for ~10 s first.
 */
export async function assertReplicationPossible(admin: Admin, replication: Readonly<TopicReplication>): Promise<void> {
  const { brokers } = await admin.describeCluster();
  const shortfall = replicationShortfall(replication, brokers.length);
  if (shortfall) throw shortfall;
}

export async function deleteTopic(admin: Admin, topic: string): Promise<void> {
  await admin.deleteTopics({ topics: [topic] });
  for (let i = 0; i < 80 && (await admin.listTopics()).includes(topic); i++) await sleep(250);
}
