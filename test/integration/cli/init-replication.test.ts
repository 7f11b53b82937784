/**
 * `seqchain init` asked for more replicas than the Kafka cluster has brokers (replication factor 3
 * on the single-broker local stack): one clear line, exit 2, and nothing created — no source,
 * ledger or digest topic, no znode of the chain.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../scripts/lib/replica-set.js';
import { loadConfig } from '../../../src/config/load.js';
import { kafkaClientOptions } from '../../../src/config/slices.js';
import { withZkSession } from '../../../src/coordination/connect.js';
import { chainPaths } from '../../../src/coordination/paths.js';
import { createKafka } from '../../../src/kafka/client.js';
import { kafkaNames } from '../../../src/kafka/names.js';
import { createLogger } from '../../../src/log.js';

const chain = `rf-${randomUUID().slice(0, 8)}`;
const topic = `${chain}.source`;
const logger = createLogger({ level: 'warn', name: 'init-replication-test' });
const config = loadConfig({ overrides: { chain } });
const admin = createKafka(kafkaClientOptions(config), logger, 'test').admin();

afterAll(async () => {
  await admin.disconnect();
});

describe('seqchain init with a replication factor the cluster cannot meet', () => {
  it('refuses in one line naming the factor and the brokers, and creates nothing', async () => {
    await admin.connect();
    const brokers = (await admin.describeCluster()).brokers.length;
    const factor = brokers + 2; // 3 on the single-broker stack
    const started = Date.now();
    const out = await runCli(['init', '--topic', topic, '--partitions', '3'], {
      SEQCHAIN_CHAIN: chain,
      SEQCHAIN_KAFKA_REPLICATION_FACTOR: String(factor),
      SEQCHAIN_KAFKA_MIN_INSYNC_REPLICAS: '2',
      SEQCHAIN_LOG_LEVEL: 'warn',
    });
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      `seqchain: SEQCHAIN_ERR_NOT_ENOUGH_BROKERS: replication factor ${factor} (kafka.replicationFactor, SEQCHAIN_KAFKA_REPLICATION_FACTOR) needs ${factor} brokers, the Kafka cluster has ${brokers} live broker${brokers === 1 ? '' : 's'}: lower the factor to at most ${brokers} or start the missing brokers\n`,
    );
    // Refused up front, not after ~10 s of CreateTopics retries.
    expect(Date.now() - started).toBeLessThan(8_000);

    const topics = await admin.listTopics();
    for (const t of [topic, kafkaNames.ledgerTopic(chain), kafkaNames.digestTopic(chain), kafkaNames.orderedTopic(chain)]) expect(topics, t).not.toContain(t);
    const base = chainPaths(config.zookeeper.root, chain).base;
    expect(await withZkSession(config.zookeeper, logger, (zk) => zk.getData(base))).toBeNull();
  }, 30_000);
});
