import { EventEmitter } from 'node:events';
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { recordDigest } from '../chain/record-digest.js';
import type { Config } from '../config/schema.js';
import { SeqchainError } from '../errors.js';
import { kafkaNames } from '../kafka/names.js';
import { toSourceRecord } from '../kafka/source-record.js';
import type { Logger } from '../log.js';
import { encodeDigestBatch, type DigestEntry } from '../wire/digest-batch-v1.js';
import { chunkDigests } from './digest-chunks.js';

export interface WorkerOptions {
  config: Readonly<Config>;
  kafka: Kafka;
  logger: Logger;
  sourceTopic: string;
}

export interface WorkerEvents {
  'worker:assigned': [partitions: number[]];
  'worker:batch': [info: { partition: number; from: bigint; to: bigint; records: number }];
}

/**
 * The worker role (every replica): reads its share of the source topic in the consumer group
 * `seqchain.<chain>.workers`, digests each record, and publishes digest batches that claim
 * contiguous source ranges to `<chain>.digests` (same partition number). At-least-once: the
 * group offset is committed only after the digest batch is acknowledged, so a new owner starts
 * at or below what the sequencer has already seen.
 */
export class Worker extends EventEmitter<WorkerEvents> {
  private readonly digestTopic: string;
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  /**
   * End of the last range this worker claimed, per partition, in the current assignment.
   * kafkajs silently skips fetches that held only transaction markers or aborted records; the
   * next batch then starts above it, and the worker's own in-order stream proves the offsets
   * between hold nothing to sequence. Cleared on every rebalance.
   */
  private readonly claimedTo = new Map<number, bigint>();
  private started = false;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: WorkerOptions) {
    super();
    this.digestTopic = kafkaNames.digestTopic(options.config.chain);
  }

  async start(): Promise<void> {
    if (this.started) throw new SeqchainError('SEQCHAIN_ERR_ALREADY_STARTED', 'worker already started');
    this.started = true;
    const { config, kafka, logger, sourceTopic } = this.options;
    this.producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
    await this.producer.connect();
    const consumer = kafka.consumer({
      groupId: kafkaNames.workerGroup(config.chain),
      sessionTimeout: config.worker.sessionTimeoutMs,
      heartbeatInterval: config.worker.heartbeatIntervalMs,
      maxWaitTimeInMs: config.worker.maxWaitTimeMs,
      readUncommitted: false,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.claimedTo.clear();
      const partitions = [...(event.payload.memberAssignment[sourceTopic] ?? [])].sort((a, b) => a - b);
      logger.info({ partitions, groupId: event.payload.groupId }, 'worker assignment');
      this.emit('worker:assigned', partitions);
    });
    consumer.on(consumer.events.REBALANCING, () => this.claimedTo.clear());
    consumer.on(consumer.events.CRASH, (event) => logger.error({ err: event.payload.error, restart: event.payload.restart }, 'worker consumer crashed'));
    await consumer.connect();
    await consumer.subscribe({ topic: sourceTopic, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 64,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isStale, isRunning, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const partition = batch.partition;
    const fetched = BigInt((batch as unknown as { fetchedOffset: string }).fetchedOffset);
    const claimed = this.claimedTo.get(partition);
    const from = claimed !== undefined && claimed < fetched ? claimed : fetched;
    const to = BigInt(batch.lastOffset()) + 1n;

    const entries: DigestEntry[] = new Array(batch.messages.length);
    for (let i = 0; i < batch.messages.length; i++) {
      const message = batch.messages[i]!;
      const record = toSourceRecord(batch.topic, partition, message);
      entries[i] = { offset: record.offset, timestampMs: record.timestampMs, digest: recordDigest(record) };
    }
    const chunks = chunkDigests(partition, from, to, entries, this.options.config.worker.maxBatchRecords);
    await this.producer!.send({
      topic: this.digestTopic,
      acks: -1,
      messages: chunks.map((chunk) => ({ partition, value: encodeDigestBatch(chunk) })),
    });
    if (isStale()) return;
    resolveOffset(batch.lastOffset());
    this.claimedTo.set(partition, to);
    this.emit('worker:batch', { partition, from, to, records: entries.length });
    await commitOffsetsIfNecessary();
    await heartbeat();
  }

  /** Leaves the group (its partitions move at once) and disconnects; same promise on repeat calls. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const log = this.options.logger;
      await this.consumer?.disconnect().catch((err) => log.warn({ err }, 'worker consumer disconnect failed'));
      await this.producer?.disconnect().catch((err) => log.warn({ err }, 'worker producer disconnect failed'));
    })();
    return this.closing;
  }
}
