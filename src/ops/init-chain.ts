import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { connectZk } from '../coordination/connect.js';
import { genesisHash } from '../chain/genesis.js';
import type { Config } from '../config/schema.js';
import { createCounter } from '../coordination/counter.js';
import { readGenesis, writeGenesis, type GenesisRecord } from '../coordination/genesis-store.js';
import { chainPaths } from '../coordination/paths.js';
import { ConfigError, SeqchainError } from '../errors.js';
import { createKafka } from '../kafka/client.js';
import { kafkaClientOptions } from '../config/slices.js';
import { kafkaNames } from '../kafka/names.js';
import { partitionCount, topicOffsets } from '../kafka/offsets.js';
import { assertReplicationPossible, createTopic, deleteTopic, digestTopicConfig, LEDGER_TOPIC_CONFIG, orderedTopicConfig } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import { encodeGenesisMessage, encodeGenesisMessageV2, type StartMode } from '../wire/ledger.js';
import { configuredVerifierKeys } from '../config/log-key.js';

export interface InitOptions {
  topic: string;
  /** Create the source topic with this many partitions when it does not exist. */
  partitions?: number;
  start: StartMode;
  /** Replace an existing chain: deletes its ledger and digest topics and znodes. */
  force: boolean;
}

/**
 * Refuses a replication factor above the cluster's live brokers before it touches anything
 * (NotEnoughBrokersError). Creates a chain: the internal topics (ledger: one partition, infinite retention, no
 * compaction; digests: one partition per source partition; the ordered topic when
 * `delivery.orderedTopic` is on), the genesis as the ledger's first
 * message and as a znode, the counter, and the worker group's start offsets. Refuses to touch
 * an existing chain unless `force`. With the log view on, the genesis carries the log's verifier
 * key (the first of `logView.verifierKey`, else of the signing key files' public halves), when one is configured.
 */
export async function initChain(config: Readonly<Config>, logger: Logger, opts: InitOptions): Promise<GenesisRecord> {
  const logVerifierKey = config.logView.enabled ? configuredVerifierKeys(config.logView)?.keys[0]?.verifierKey : undefined;
  const paths = chainPaths(config.zookeeper.root, config.chain);
  const zk = await connectZk(config.zookeeper, logger);
  const kafka = createKafka(kafkaClientOptions(config), logger, 'init');
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Before anything is created or deleted: a factor the cluster cannot meet fails every topic.
    await assertReplicationPossible(admin, config.kafka);
    if (!opts.force) {
      const existing = await readGenesis(zk, paths).catch((err: unknown) =>
        err instanceof SeqchainError && err.code === 'SEQCHAIN_ERR_CHAIN_NOT_FOUND' ? null : Promise.reject(err),
      );
      if (existing) {
        throw new SeqchainError(
          'SEQCHAIN_ERR_CHAIN_EXISTS',
          `chain "${config.chain}" already exists (genesis ${existing.hash.toString('hex').slice(0, 16)}…, topic ${existing.topic}); pass --force to replace it and its ledger`,
          {
            details: { chain: config.chain },
          },
        );
      }
    }
    const topics = new Set(await admin.listTopics());
    if (!topics.has(opts.topic)) {
      if (!opts.partitions) throw new ConfigError(`source topic "${opts.topic}" does not exist: create it or pass --partitions N`, { topic: opts.topic });
      await createTopic(admin, opts.topic, opts.partitions, config.kafka, {});
    }
    const P = await partitionCount(admin, opts.topic);
    const offsets = await topicOffsets(admin, opts.topic);
    const start = Array.from({ length: P }, (_, p) => (opts.start === 'earliest' ? offsets[p]!.low : offsets[p]!.high));

    const ledgerTopic = kafkaNames.ledgerTopic(config.chain);
    const digestTopic = kafkaNames.digestTopic(config.chain);
    const orderedTopic = kafkaNames.orderedTopic(config.chain);
    // An ordered topic left by a replaced chain holds another global order: it goes with the ledger.
    for (const t of [ledgerTopic, digestTopic, orderedTopic]) {
      if (!topics.has(t)) continue;
      if (!opts.force) {
        throw new SeqchainError(
          'SEQCHAIN_ERR_CHAIN_EXISTS',
          `topic ${t} already exists without a chain genesis in ZooKeeper; pass --force to delete and recreate it`,
          { details: { topic: t } },
        );
      }
      await deleteTopic(admin, t);
    }
    await createTopic(admin, ledgerTopic, 1, config.kafka, LEDGER_TOPIC_CONFIG);
    await createTopic(admin, digestTopic, P, config.kafka, digestTopicConfig(config.kafka.digestRetentionMs));
    if (config.delivery.orderedTopic) {
      await createTopic(admin, orderedTopic, 1, config.kafka, orderedTopicConfig(config.worker.maxRecordBytes));
    }

    const createdAtMs = BigInt(Date.now());
    const nonce = randomBytes(16);
    const hash = genesisHash({ chainId: config.chain, topic: opts.topic, start, createdAtMs, nonce });
    const fields = { chainId: config.chain, topic: opts.topic, start, createdAtMs, nonce, hash, startMode: opts.start };
    const ledgerOffset = await appendGenesis(
      kafka,
      config.chain,
      ledgerTopic,
      logVerifierKey === undefined ? encodeGenesisMessage(fields) : encodeGenesisMessageV2({ ...fields, logVerifierKey }),
    );

    const genesis: GenesisRecord = {
      version: 1,
      chainId: config.chain,
      topic: opts.topic,
      partitions: P,
      start,
      createdAtMs,
      nonce,
      hash,
      startMode: opts.start,
      ledgerTopic,
      digestTopic,
      ...(logVerifierKey === undefined ? {} : { logVerifierKey }),
    };
    await writeGenesis(zk, paths, genesis, { force: opts.force });
    await createCounter(zk, paths, { epoch: 0n, nextSeq: 1n, headHash: hash, ledgerOffset });
    // Workers start where sequencing starts, not at the topic's beginning.
    const workerGroup = kafkaNames.workerGroup(config.chain);
    await admin.deleteGroups([workerGroup]).catch(() => undefined);
    await admin.setOffsets({ groupId: workerGroup, topic: opts.topic, partitions: start.map((s, partition) => ({ partition, offset: s.toString() })) });
    logger.info(
      { chain: config.chain, topic: opts.topic, partitions: P, start: start.map(String), genesis: hash.toString('hex'), logVerifierKey },
      'chain initialised',
    );
    return genesis;
  } finally {
    await admin.disconnect().catch(() => undefined);
    await zk.close().catch(() => undefined);
  }
}

async function appendGenesis(kafka: Kafka, chain: string, ledgerTopic: string, value: Buffer): Promise<bigint> {
  // Written with the sequencers' transactional.id: the ledger has one writer identity from its first message.
  const producer = kafka.producer({
    transactionalId: kafkaNames.transactionalId(chain),
    maxInFlightRequests: 1,
    idempotent: true,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    const txn = await producer.transaction();
    try {
      const [meta] = await txn.send({ topic: ledgerTopic, acks: -1, messages: [{ value }] });
      await txn.commit();
      return BigInt(meta!.baseOffset ?? '0');
    } catch (err) {
      await txn.abort().catch(() => undefined);
      throw err;
    }
  } finally {
    await producer.disconnect();
  }
}
