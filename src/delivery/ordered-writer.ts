import { EventEmitter } from 'node:events';
import type { Kafka, Message, Producer } from 'kafkajs';
import { isSeqchainError, SeqchainError } from '../errors.js';
import { fromKafkaError } from '../kafka/errors.js';
import { kafkaNames } from '../kafka/names.js';
import { partitionCount, withAdmin } from '../kafka/offsets.js';
import { createTopic, orderedTopicConfig, type TopicReplication } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import type { ReaderGenesis, ReaderKafkaOptions } from '../reader/options.js';
import { readSequenced } from '../reader/sequenced-reader.js';
import type { SequencedRecord } from '../reader/window.js';
import { messageBytes, type OrderedPosition, orderedMessage, splitBySize } from './ordered-record.js';
import { readOrderedPosition } from './ordered-position.js';

export interface OrderedWriterOptions {
  chain: string;
  kafka: Kafka;
  /**
   * How the writer's reader connects (the replica's `kafka.*`): given, it reads the source on a
   * thread of its own (`readSequenced`'s source thread), off the replica's event loop. Without
   * it, the reader uses `kafka` on this thread.
   */
  readerKafka?: ReaderKafkaOptions;
  /** The chain's genesis (ZooKeeper's): the reader checks the ledger against it. */
  genesis: ReaderGenesis;
  /** How the ordered topic is replicated when the writer has to create it. */
  replication: Readonly<TopicReplication>;
  /** `worker.maxRecordBytes`: sizes the topic's max.message.bytes when the writer creates it. */
  maxRecordBytes: number;
  logger: Logger;
  /** Records per transaction at most. @defaultValue 5000 */
  maxBatchRecords?: number;
  /** How often the reader looks for new cuts at the head, ms. @defaultValue 100 */
  pollIntervalMs?: number;
}

export const orderedWriterDefaults = {
  maxBatchRecords: 5_000,
  /** ms */
  pollIntervalMs: 100,
};

/** Bytes per produce request of one transaction: under the broker's default 1 MiB record batch. */
const SEND_BYTES = 900 * 1024;

export interface OrderedWriterEvents {
  /** The writer fenced any previous holder and found where the topic stands. */
  'ordered:resumed': [position: { seq: bigint }];
  /** One transaction committed: records firstSeq..lastSeq are in the ordered topic. */
  'ordered:committed': [info: { firstSeq: bigint; lastSeq: bigint; records: number; latencyMs: number }];
  /**
   * The writer stopped. `failed`: on an error, not because it was asked to; `error.retriable`
   * false means it cannot go on without writing a wrong order (a broken chain, a foreign record).
   */
  'ordered:stopped': [info: { reason: string; failed: boolean; error?: SeqchainError }];
}

/**
 * Writes the global order into `<chain>.ordered` (one partition), each record checked by the
 * sequenced reader (digest and link) before it is republished, one Kafka transaction per batch.
 * The topic is its own progress: on start the writer fences every previous holder of the role
 * (initTransactions with the one transactional.id of the chain's ordered writers, which also
 * aborts a holder's open transaction), reads where the topic's last committed record stands
 * (its seqchain.seq/seqchain.hash headers), and resumes right after it. A record and the
 * position it stands for commit together, so a read_committed consumer reads each seq exactly
 * once, across crashes and hand-overs.
 *
 * Lifecycle: start() once (refused twice); it runs until close(), or until it stops on an error
 * ('ordered:stopped'); close() returns the same promise on every call. Who runs a writer is
 * decided outside (./ordered-delivery.ts, a ZooKeeper lease); a stale writer that still runs is
 * harmless: its next send or commit is refused by the broker.
 */
export class OrderedTopicWriter extends EventEmitter<OrderedWriterEvents> {
  private started = false;
  private closing: Promise<void> | null = null;
  private running: Promise<void> = Promise.resolve();
  /** Ends the reader's wait at the head: on close(), and when the writer stops on its own. */
  private readonly abort = new AbortController();
  private closeRequested = false;
  private producer: Producer | null = null;
  private position: OrderedPosition | null = null;
  private readonly maxBatchRecords: number;
  private readonly pollIntervalMs: number;

  constructor(private readonly options: OrderedWriterOptions) {
    super();
    this.maxBatchRecords = options.maxBatchRecords ?? orderedWriterDefaults.maxBatchRecords;
    this.pollIntervalMs = options.pollIntervalMs ?? orderedWriterDefaults.pollIntervalMs;
  }

  /** Last seq committed to the ordered topic (null until the writer has read where it stands). */
  get lastSeq(): bigint | null {
    return this.position?.seq ?? null;
  }

  start(): void {
    if (this.started || this.closing)
      throw new SeqchainError('SEQCHAIN_ERR_ALREADY_STARTED', `ordered writer of ${this.options.chain} ${this.closing ? 'is closed' : 'already started'}`);
    this.started = true;
    this.running = this.run();
  }

  /** Stops writing (no transaction begins after this call) and disconnects. The same promise on every call. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closeRequested = true;
      this.abort.abort();
      await this.running;
    })();
    return this.closing;
  }

  private get stopping(): boolean {
    return this.closeRequested;
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    let reason = 'closed';
    let failed = false;
    let error: SeqchainError | undefined;
    try {
      await this.write();
    } catch (err) {
      const e = fromKafkaError(err);
      error = isSeqchainError(e) ? e : new SeqchainError('SEQCHAIN_ERR_UNEXPECTED', `ordered writer: ${(e as Error).message}`, { cause: e });
      if (!this.stopping) {
        failed = true;
        reason = error.message;
        if (error.retriable) logger.warn({ err: error, code: error.code }, 'ordered writer stopped; another holder (or this replica, later) takes over');
        else logger.error({ err: error, code: error.code, details: error.details }, 'ordered writer halted: it cannot go on without writing a wrong order');
      }
    } finally {
      await this.producer?.disconnect().catch((err: unknown) => logger.warn({ err }, 'ordered producer disconnect failed'));
      this.producer = null;
      this.emit('ordered:stopped', { reason, failed, ...(failed && error ? { error } : {}) });
    }
  }

  private async write(): Promise<void> {
    const { chain, kafka, genesis, logger } = this.options;
    const topic = kafkaNames.orderedTopic(chain);
    await this.ensureTopic(topic);
    if (this.stopping) return;
    const producer = kafka.producer({
      transactionalId: kafkaNames.orderedTransactionalId(chain),
      maxInFlightRequests: 1,
      idempotent: true,
      transactionTimeout: 30_000,
      allowAutoTopicCreation: false,
      // As the sequencer's: CONCURRENT_TRANSACTIONS right after a commit needs short first retries.
      retry: { initialRetryTime: 5, maxRetryTime: 3_000, retries: 12 },
    });
    this.producer = producer;
    await producer.connect();
    // Fence: InitProducerId aborts a previous holder's open transaction and refuses its later writes.
    await (await producer.transaction()).abort();
    if (this.stopping) return;
    const position = await readOrderedPosition({ kafka, chain, genesisHash: genesis.hash, logger });
    this.position = position;
    logger.info({ topic, seq: position.seq.toString() }, 'ordered writer resumes after the last committed record');
    this.emit('ordered:resumed', { seq: position.seq });

    const records = readSequenced({
      kafka: this.options.readerKafka ?? kafka,
      chain,
      genesis,
      resume: { seq: position.seq, hash: position.hash },
      until: 'follow',
      pollIntervalMs: this.pollIntervalMs,
      signal: this.abort.signal,
      logger,
    })[Symbol.asyncIterator]();
    // The next record is always asked for before a batch is written, so the reader fetches the
    // next window while the transaction commits.
    let pending = records.next();
    pending.catch(() => undefined);
    try {
      for (;;) {
        const first = await pending;
        if (first.done || this.stopping) return;
        const batch: SequencedRecord[] = [first.value];
        pending = records.next();
        pending.catch(() => undefined);
        // Take what the reader already holds (its window resolves in microtasks); stop at the first
        // record it would have to fetch or wait for.
        while (batch.length < this.maxBatchRecords) {
          const next = await Promise.race([pending, new Promise<'later'>((resolve) => setImmediate(() => resolve('later')))]);
          if (next === 'later' || next.done) break;
          batch.push(next.value);
          pending = records.next();
          pending.catch(() => undefined);
        }
        if (this.stopping) return;
        await this.commit(producer, topic, batch);
      }
    } finally {
      this.abort.abort();
      await pending.catch(() => undefined);
      await records.return(undefined).catch(() => undefined);
    }
  }

  /** One batch, one transaction: several sends when the batch is larger than one produce request should be. */
  private async commit(producer: Producer, topic: string, batch: readonly SequencedRecord[]): Promise<void> {
    const startedAt = Date.now();
    const expected = this.position!.seq + 1n;
    if (batch[0]!.seq !== expected) {
      // The reader yields from resume.seq + 1 without gaps; anything else is a bug, never written.
      throw new SeqchainError('SEQCHAIN_ERR_UNEXPECTED', `ordered writer: got seq ${batch[0]!.seq} where ${expected} was next`, {
        details: { expected: expected.toString(), got: batch[0]!.seq.toString() },
      });
    }
    const messages = batch.map(orderedMessage);
    const last = batch[batch.length - 1]!;
    const txn = await producer.transaction();
    try {
      for (const part of splitBySize<Message>(messages, messageBytes, SEND_BYTES))
        await txn.send({ topic, acks: -1, messages: part.map((m) => ({ ...m, partition: 0 })) });
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => undefined);
      throw new SeqchainError(
        'SEQCHAIN_ERR_FENCED',
        `ordered topic transaction for seqs ${batch[0]!.seq}..${last.seq} failed (fenced by a newer holder, or a broker error): ${(err as Error).message}`,
        { retriable: true, cause: err, details: { firstSeq: batch[0]!.seq.toString(), lastSeq: last.seq.toString() } },
      );
    }
    this.position = { seq: last.seq, hash: last.hash };
    this.emit('ordered:committed', { firstSeq: batch[0]!.seq, lastSeq: last.seq, records: batch.length, latencyMs: Date.now() - startedAt });
  }

  /** Creates the ordered topic when missing (the option was switched on after init); it must have one partition. */
  private async ensureTopic(topic: string): Promise<void> {
    const { kafka, replication, maxRecordBytes } = this.options;
    await withAdmin(kafka, async (admin) => {
      if (!(await admin.listTopics()).includes(topic)) await createTopic(admin, topic, 1, replication, orderedTopicConfig(maxRecordBytes));
      const partitions = await partitionCount(admin, topic);
      if (partitions !== 1) {
        throw new SeqchainError(
          'SEQCHAIN_ERR_CONFIG',
          `ordered topic ${topic} has ${partitions} partitions: it must have exactly one (a global order in one log)`,
          {
            details: { topic, partitions },
          },
        );
      }
    });
  }
}
