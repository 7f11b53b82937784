/**
 * Add partitions to the source topic under load (admin createPartitions, +2). The producer
 * writes into them within a second; workers and the leader notice within the metadata age and
 * the partition check interval. Recovered when the ledger's coverage vector includes the new
 * partitions, at least one record of each new partition is sequenced, and the ledger covers
 * every record acknowledged when the partitions were added.
 */
import { withAdmin } from '../../src/kafka/offsets.js';
import type { Fault } from './types.js';

export const ADDED_PARTITIONS = 2;

export const partitionExpansion: Fault = async (c) => {
  const from = c.partitions;
  const to = from + ADDED_PARTITIONS;
  const ref = c.producer.snapshot();
  const injectedAt = Date.now();
  await withAdmin(c.kafka, (admin) => admin.createPartitions({ topicPartitions: [{ topic: c.topic, count: to }] }));
  c.partitions = to;
  const referenceAt = Date.now();
  let coveredAt: number | null = null;
  const recoveredAt = await c.waitRecovered(ref, (s) => {
    if (s.coverage.length < to) return false;
    coveredAt ??= Date.now();
    for (let p = from; p < to; p++) if ((s.coverage[p] ?? 0) < 1) return false;
    return true;
  });
  return {
    target: `${c.topic} ${from}→${to}`,
    injectedAt,
    referenceAt,
    recoveredAt,
    detail: coveredAt ? `expansion cut seen ${coveredAt - referenceAt} ms after` : 'no expansion cut',
  };
};
