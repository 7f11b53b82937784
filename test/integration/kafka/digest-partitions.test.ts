import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { createKafka } from '../../../src/kafka/client.js';
import { kafkaClientOptions } from '../../../src/config/slices.js';
import { partitionCount, withAdmin } from '../../../src/kafka/offsets.js';
import { ensureDigestPartitions } from '../../../src/kafka/partitions.js';
import { createLogger } from '../../../src/log.js';

const logger = createLogger({ level: 'warn', name: 'test' });
const kafka = createKafka(kafkaClientOptions(loadConfig({ overrides: { chain: 'digest-partitions-test' } })), logger, 'test');
const topic = `t-${randomUUID().slice(0, 8)}.digests`;

afterAll(async () => {
  await withAdmin(kafka, (admin) => admin.deleteTopics({ topics: [topic] })).catch(() => undefined);
});

describe('ensureDigestPartitions (real Kafka)', () => {
  it('grows the digest topic once when replicas race, never shrinks it, and names a missing topic', async () => {
    await withAdmin(kafka, (admin) => admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2 }] }));
    // Three replicas noticing the same new source partitions at the same moment.
    const counts = await Promise.all([6, 6, 5].map((n) => withAdmin(kafka, (admin) => ensureDigestPartitions(admin, topic, n))));
    expect(counts.every((c) => c >= 5)).toBe(true);
    expect(counts.filter((c) => c === 6).length).toBeGreaterThanOrEqual(2);
    expect(await withAdmin(kafka, (admin) => partitionCount(admin, topic))).toBe(6);
    // Asking for fewer is a no-op.
    expect(await withAdmin(kafka, (admin) => ensureDigestPartitions(admin, topic, 3))).toBe(6);
    await expect(withAdmin(kafka, (admin) => ensureDigestPartitions(admin, `${topic}.missing`, 3))).rejects.toMatchObject({
      code: 'SEQCHAIN_ERR_CHAIN_NOT_FOUND',
    });
  }, 60_000);
});
