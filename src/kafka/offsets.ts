import { sleep } from '../retry/sleep.js';
import type { Admin, Kafka } from 'kafkajs';

/** Runs `fn` with a connected admin client and always disconnects it afterwards. */
export async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface PartitionOffsets {
  partition: number;
  /** Earliest offset still held (retention may have moved it). */
  low: bigint;
  /** Last stable offset: the end a read_committed reader can reach. */
  high: bigint;
}

/**
 * A partition created a moment ago (new topic, createPartitions) answers ListOffsets with these
 * until its leader is ready, and kafkajs' admin gives up at once on them.
 */
const NOT_READY = new Set(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Offsets of every partition of a topic, indexed by partition. kafkajs' admin lists with
 * read_committed. Retries for up to ~5 s while a partition's leader is not ready yet.
 */
export async function topicOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  let rows;
  for (let attempt = 1; ; attempt++) {
    try {
      rows = await admin.fetchTopicOffsets(topic);
      break;
    } catch (err) {
      if (attempt >= 20 || !NOT_READY.has((err as { type?: string }).type ?? '')) throw err;
      await sleep(250);
    }
  }
  const out: PartitionOffsets[] = [];
  for (const row of rows) out[row.partition] = { partition: row.partition, low: BigInt(row.low), high: BigInt(row.high) };
  return out;
}

export async function partitionCount(admin: Admin, topic: string): Promise<number> {
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  return meta.topics[0]?.partitions.length ?? 0;
}
