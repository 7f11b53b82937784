import { sleep } from '../retry/sleep.js';
import type { Admin } from 'kafkajs';
import { SeqchainError } from '../errors.js';
import { partitionCount } from './offsets.js';

/**
 * Makes `<chain>.digests` hold at least `count` partitions (digest partition p carries the
 * batches of source partition p). Idempotent: it calls createPartitions only when the topic has
 * fewer, and a replica that loses the race to another one doing the same (Kafka answers
 * INVALID_PARTITIONS) just reads the count again. Returns once the broker's metadata lists
 * every partition with a leader, so a producer that refreshes its metadata can write to them.
 * Returns the partition count (which may be more than asked for).
 */
export async function ensureDigestPartitions(admin: Admin, digestTopic: string, count: number, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let current = await partitionCount(admin, digestTopic).catch((err: unknown) =>
    (err as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION' ? 0 : Promise.reject(err),
  );
  if (current === 0) {
    throw new SeqchainError('SEQCHAIN_ERR_CHAIN_NOT_FOUND', `digest topic ${digestTopic} does not exist: run "seqchain init" first`, {
      details: { topic: digestTopic },
    });
  }
  if (current < count) {
    try {
      await admin.createPartitions({ topicPartitions: [{ topic: digestTopic, count }] });
    } catch (err) {
      // Another replica may have grown it first; anything else shows in the count below.
      current = await partitionCount(admin, digestTopic);
      if (current < count && !isRaceLost(err)) {
        throw new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', `cannot add partitions to ${digestTopic} (${current} → ${count}): ${(err as Error).message}`, {
          retriable: true,
          cause: err,
          details: { topic: digestTopic, current, wanted: count },
        });
      }
    }
  }
  for (;;) {
    const meta = await admin.fetchTopicMetadata({ topics: [digestTopic] });
    const partitions = meta.topics[0]?.partitions ?? [];
    if (partitions.length >= count && partitions.every((p) => p.leader !== undefined && p.leader !== null && p.leader >= 0)) return partitions.length;
    if (Date.now() > deadline) {
      throw new SeqchainError(
        'SEQCHAIN_ERR_TIMEOUT',
        `${digestTopic} still lists ${partitions.length} partitions with leaders after ${timeoutMs} ms, ${count} needed`,
        {
          retriable: true,
          details: { topic: digestTopic, current: partitions.length, wanted: count },
        },
      );
    }
    await sleep(100);
  }
}

function isRaceLost(err: unknown): boolean {
  const e = err as { type?: string; errors?: { type?: string }[] } | null;
  return e?.type === 'INVALID_PARTITIONS' || Boolean(e?.errors?.some((x) => x.type === 'INVALID_PARTITIONS'));
}
