import { EventEmitter } from 'node:events';
import { sleep } from '../retry/sleep.js';
import type { Consumer, EachBatchPayload, Kafka, Message, Producer } from 'kafkajs';
import { recordDigest } from '../chain/record-digest.js';
import { SeqchainError } from '../errors.js';
import { groupConsumerConfig } from '../kafka/client.js';
import type { WorkerSettings } from '../config/settings.js';
import { consumerCrashError, crashAction } from '../kafka/consumer-crash.js';
import { backoffDelayMs, type BackoffPolicy } from '../retry/backoff.js';
import { kafkaNames } from '../kafka/names.js';
import { partitionCount, withAdmin } from '../kafka/offsets.js';
import { ensureDigestPartitions } from '../kafka/partitions.js';
import { toSourceRecord } from '../kafka/source-record.js';
import type { Logger } from '../log.js';
import { encodeDigestBatch, type DigestEntry } from '../wire/digest-batch-v1.js';
import { chunkDigests } from './digest-chunks.js';
import { recordBytes, RecordTooLargeError } from './record-size.js';

export interface WorkerOptions {
  chain: string;
  settings: Readonly<WorkerSettings>;
  /** `kafka.metadataMaxAgeMs`: how soon the worker's clients see partitions added while it runs, ms. */
  metadataMaxAgeMs: number;
  kafka: Kafka;
  logger: Logger;
  sourceTopic: string;
}

export interface WorkerEvents {
  /** `memberId`: the worker's member id in the group (null once its consumer is gone), published for ../coordination/member-watch.ts. */
  'worker:assigned': [partitions: number[], memberId: string | null];
  'worker:batch': [info: { partition: number; from: bigint; to: bigint; records: number }];
  /** The worker stopped on a partition at a record above worker.maxRecordBytes (never skipped). */
  'worker:stalled': [err: RecordTooLargeError];
  /** A stalled partition moved to another replica (that one stops on it too, unless its limit is higher). */
  'worker:unstalled': [partition: number];
  /** The consumer crashed; a new one joins after `delayMs` (its partitions were released: 'worker:assigned' []). */
  'worker:restarting': [info: { attempt: number; delayMs: number; err: SeqchainError }];
  /** The consumer failed in a way a new one would repeat (bad SASL login, a bug): the worker digests nothing. */
  'worker:failed': [err: SeqchainError];
}

/** Pause before re-creating a crashed consumer, ms: doubling per attempt, reset by a group join. */
const RECREATE_BACKOFF = {
  /** First re-creation, ms. */
  initialMs: 500,
  /** Longest pause between attempts while Kafka stays away, ms. */
  maxMs: 10_000,
} as const satisfies BackoffPolicy;

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
  /**
   * Partitions of the digest topic this worker knows to exist. A source partition at or beyond
   * it (added while running) first gets its digest partition (ensureDigestPartitions).
   */
  private digestPartitions = 0;
  private growingDigests: Promise<void> | null = null;
  /** Partitions this worker stopped on, with the record that stopped it (status, readiness). */
  private readonly stalledOn = new Map<number, RecordTooLargeError>();
  private started = false;
  private closing: Promise<void> | null = null;
  /** The consumer being created (close waits for it, so that no consumer outlives close). */
  private starting: Promise<void> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  /** Consumer re-creations since the last successful group join (the backoff grows with it). */
  private restartAttempts = 0;
  private failedWith: SeqchainError | null = null;

  constructor(private readonly options: WorkerOptions) {
    super();
    this.digestTopic = kafkaNames.digestTopic(options.chain);
  }

  async start(): Promise<void> {
    if (this.started) throw new SeqchainError('SEQCHAIN_ERR_ALREADY_STARTED', 'worker already started');
    this.started = true;
    const { kafka, metadataMaxAgeMs } = this.options;
    this.digestPartitions = await withAdmin(kafka, (admin) => partitionCount(admin, this.digestTopic));
    // metadataMaxAge: how soon the producer sees digest partitions added while it runs, and the
    // consumer sees source partitions added (kafkajs then rejoins the group and is assigned them).
    this.producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, metadataMaxAge: metadataMaxAgeMs });
    await this.producer.connect();
    await this.startConsumer();
  }

  /**
   * Creates, connects and runs a group consumer over the source topic. Every failure of it — a
   * CRASH event (kafkajs never restarts a seqchain consumer, see consumer-crash.ts) or a call that
   * throws — goes to onConsumerFailure, which re-creates it or fails the worker.
   */
  private startConsumer(): Promise<void> {
    this.starting = (async () => {
      const { chain, settings, metadataMaxAgeMs, kafka, logger, sourceTopic } = this.options;
      const consumer = kafka.consumer(groupConsumerConfig({ ...settings, metadataMaxAgeMs }, kafkaNames.workerGroup(chain)));
      this.consumer = consumer;
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        this.restartAttempts = 0;
        this.claimedTo.clear();
        const partitions = [...(event.payload.memberAssignment[sourceTopic] ?? [])].sort((a, b) => a - b);
        this.forgetStalls(consumer, sourceTopic, new Set(partitions));
        logger.info({ partitions, groupId: event.payload.groupId }, 'worker assignment');
        this.emit('worker:assigned', partitions, event.payload.memberId);
      });
      consumer.on(consumer.events.REBALANCING, () => this.claimedTo.clear());
      consumer.on(consumer.events.CRASH, (event) => this.onConsumerFailure(consumer, event.payload.error));
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: sourceTopic, fromBeginning: true });
        await consumer.run({
          // Offsets are committed at most once a second (commitOffsetsIfNecessary after each batch),
          // not after every fetch: workers are at-least-once by design, the sequencer trims repeats.
          autoCommit: false,
          autoCommitInterval: 1_000,
          partitionsConsumedConcurrently: 64,
          eachBatchAutoResolve: false,
          eachBatch: (payload) => this.onBatch(payload),
        });
      } catch (err) {
        this.onConsumerFailure(consumer, err);
      }
    })();
    return this.starting;
  }

  /**
   * The consumer is dead (kafkajs has disconnected it). Its partitions are no longer this
   * worker's: the published ownership is cleared at once (status, and the chaos driver, must not
   * see a dead worker as the owner), and a new consumer joins the group after a backoff — or, when
   * a new one would fail the same way, the worker stops for good and says so ('worker:failed').
   */
  private onConsumerFailure(consumer: Consumer, error: unknown): void {
    if (this.closing || this.failedWith || consumer !== this.consumer) return;
    const { logger } = this.options;
    this.consumer = null;
    this.claimedTo.clear();
    // The new consumer is not paused anywhere: it stops again on a too-large record it meets.
    for (const partition of [...this.stalledOn.keys()]) {
      this.stalledOn.delete(partition);
      this.emit('worker:unstalled', partition);
    }
    this.emit('worker:assigned', [], null);
    const err = consumerCrashError(`worker (${kafkaNames.workerGroup(this.options.chain)})`, error);
    void consumer.disconnect().catch((e: unknown) => logger.debug({ err: e }, 'crashed worker consumer disconnect failed'));
    if (crashAction(error) === 'fail') {
      this.failedWith = err;
      logger.fatal(
        { err: error, code: err.code, details: err.details },
        'worker consumer failed and a new one would fail the same way: this replica digests nothing',
      );
      this.emit('worker:failed', err);
      return;
    }
    const attempt = ++this.restartAttempts;
    const delayMs = backoffDelayMs(RECREATE_BACKOFF, attempt);
    logger.error(
      { err: error, kafkaError: (error as Error)?.name, attempt, delayMs },
      'worker consumer crashed: partitions released, re-creating the consumer',
    );
    this.emit('worker:restarting', { attempt, delayMs, err });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closing) return;
      void this.startConsumer().then(() => {
        if (this.consumer) logger.info({ attempt }, 'worker consumer re-created');
      });
    }, delayMs);
  }

  /** Why the worker stopped for good (a consumer failure a new consumer would repeat), if it did. */
  get failure(): SeqchainError | null {
    return this.failedWith;
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isStale, isRunning } = payload;
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    // A batch fetched before the pause landed: claiming it would step over the record that stopped us.
    if (this.stalledOn.has(batch.partition)) return;
    const partition = batch.partition;
    const fetched = BigInt((batch as unknown as { fetchedOffset: string }).fetchedOffset);
    const claimed = this.claimedTo.get(partition);
    const from = claimed !== undefined && claimed < fetched ? claimed : fetched;
    const to = BigInt(batch.lastOffset()) + 1n;

    const { maxRecordBytes, maxBatchRecords } = this.options.settings;
    const entries: DigestEntry[] = new Array(batch.messages.length);
    for (let i = 0; i < batch.messages.length; i++) {
      const message = batch.messages[i]!;
      const size = recordBytes(message);
      if (size > maxRecordBytes) return this.stallAt(payload, entries.slice(0, i), from, message.offset, size);
      const record = toSourceRecord(batch.topic, partition, message);
      entries[i] = { offset: record.offset, timestampMs: record.timestampMs, digest: recordDigest(record) };
    }
    await this.publish(payload, from, to, entries, maxBatchRecords);
  }

  /** Claims [from, to) with these entries, then moves the group offset past them. */
  private async publish(payload: EachBatchPayload, from: bigint, to: bigint, entries: DigestEntry[], maxBatchRecords: number): Promise<void> {
    const { batch, resolveOffset, heartbeat, isStale, isRunning, commitOffsetsIfNecessary } = payload;
    const partition = batch.partition;
    const chunks = chunkDigests(partition, from, to, entries, maxBatchRecords);
    if (partition >= this.digestPartitions) await this.ensureDigestPartition(partition);
    await this.sendDigests(
      partition,
      chunks.map((chunk) => ({ partition, value: encodeDigestBatch(chunk) })),
      { heartbeat, isRunning },
    );
    if (isStale()) return;
    resolveOffset((to - 1n).toString());
    this.claimedTo.set(partition, to);
    this.emit('worker:batch', { partition, from, to, records: entries.length });
    await commitOffsetsIfNecessary();
    await heartbeat();
  }

  /**
   * A record above worker.maxRecordBytes: the records before it are claimed as usual, the range
   * ends just below it, and the partition is paused there. Nothing at or after it is claimed, so
   * the sequencer waits on this partition (exactly-once: it is never skipped) while the others
   * go on. Whoever owns the partition next reads it again from the same offset.
   */
  private async stallAt(payload: EachBatchPayload, before: DigestEntry[], from: bigint, offset: string, size: number): Promise<void> {
    const { batch } = payload;
    const at = BigInt(offset);
    if (at > from) await this.publish(payload, from, at, before, this.options.settings.maxBatchRecords);
    const err = new RecordTooLargeError(batch.topic, batch.partition, offset, size, this.options.settings.maxRecordBytes);
    this.consumer?.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
    if (this.stalledOn.get(batch.partition)?.details.offset === offset) return;
    this.stalledOn.set(batch.partition, err);
    this.options.logger.error({ err, code: err.code, details: err.details }, 'worker stopped on a partition: source record too large');
    this.emit('worker:stalled', err);
  }

  /** Stalls of partitions no longer assigned here are another replica's now (it stops on them too). */
  private forgetStalls(consumer: Consumer, topic: string, assigned: Set<number>): void {
    for (const partition of [...this.stalledOn.keys()]) {
      if (assigned.has(partition)) continue;
      this.stalledOn.delete(partition);
      consumer.resume([{ topic, partitions: [partition] }]);
      this.emit('worker:unstalled', partition);
    }
  }

  /** The partitions this worker stopped on, and why (for status and readiness). */
  get stalled(): RecordTooLargeError[] {
    return [...this.stalledOn.values()];
  }

  /** Grows the digest topic to the source topic's partition count (at least partition + 1). */
  private async ensureDigestPartition(partition: number): Promise<void> {
    while (partition >= this.digestPartitions) {
      this.growingDigests ??= (async () => {
        const { kafka, sourceTopic, logger } = this.options;
        const before = this.digestPartitions;
        this.digestPartitions = await withAdmin(kafka, async (admin) =>
          ensureDigestPartitions(admin, this.digestTopic, Math.max(partition + 1, await partitionCount(admin, sourceTopic))),
        );
        logger.info({ topic: this.digestTopic, before, partitions: this.digestPartitions }, 'digest topic covers the new source partitions');
      })().finally(() => (this.growingDigests = null));
      await this.growingDigests;
    }
  }

  /**
   * Sends digest batches to one digest partition and checks the broker acknowledged that
   * partition. kafkajs drops, without an error, messages for a partition its cached metadata
   * does not list yet (a digest partition added a moment ago): the worker waits for the
   * producer's metadata refresh (kafka.metadataMaxAgeMs) and sends again, rather than commit
   * source offsets whose digests never reached Kafka.
   */
  private async sendDigests(
    partition: number,
    messages: Message[],
    { heartbeat, isRunning }: Pick<EachBatchPayload, 'heartbeat' | 'isRunning'>,
  ): Promise<void> {
    const deadline = Date.now() + 2 * this.options.metadataMaxAgeMs + 10_000;
    for (let attempt = 1; ; attempt++) {
      const acked = await this.producer!.send({ topic: this.digestTopic, acks: -1, messages });
      if (acked.some((r) => r.partition === partition)) return;
      if (Date.now() > deadline || !isRunning()) {
        throw new SeqchainError('SEQCHAIN_ERR_TIMEOUT', `digest partition ${partition} of ${this.digestTopic} is still unknown to the producer`, {
          retriable: true,
          details: { topic: this.digestTopic, partition, attempts: attempt },
        });
      }
      if (attempt === 1)
        this.options.logger.info({ topic: this.digestTopic, partition }, 'digest partition not in the producer metadata yet: waiting for its refresh');
      await sleep(200);
      await heartbeat();
    }
  }

  /** Leaves the group (its partitions move at once) and disconnects; same promise on repeat calls. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const log = this.options.logger;
      if (this.restartTimer) clearTimeout(this.restartTimer);
      this.restartTimer = null;
      // First the consumer as it is (a join in progress fails and run() returns), then again once
      // a creation in progress has settled: no consumer of this worker outlives close().
      await this.consumer?.disconnect().catch((err) => log.warn({ err }, 'worker consumer disconnect failed'));
      await this.starting?.catch(() => undefined);
      await this.consumer?.disconnect().catch(() => undefined);
      await this.producer?.disconnect().catch((err) => log.warn({ err }, 'worker producer disconnect failed'));
    })();
    return this.closing;
  }
}
