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

/** Offsets of every partition of a topic, indexed by partition. kafkajs' admin lists with read_committed. */
export async function topicOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  const rows = await admin.fetchTopicOffsets(topic);
  const out: PartitionOffsets[] = [];
  for (const row of rows) out[row.partition] = { partition: row.partition, low: BigInt(row.low), high: BigInt(row.high) };
  return out;
}

export async function partitionCount(admin: Admin, topic: string): Promise<number> {
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  return meta.topics[0]?.partitions.length ?? 0;
}
