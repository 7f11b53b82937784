import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import { holdsOrderedLease, publishOrderedProgress, readOrderedLease, releaseOrderedLease, takeOrderedLease } from '../coordination/ordered-lease.js';
import type { ChainPaths } from '../coordination/paths.js';
import type { ZkSession } from '../coordination/zk-session.js';
import { SeqchainError } from '../errors.js';
import type { TopicReplication } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import type { ReaderGenesis, ReaderKafkaOptions } from '../reader/options.js';
import { OrderedTopicWriter } from './ordered-writer.js';

export interface OrderedDeliveryOptions {
  chain: string;
  replicaId: string;
  zk: ZkSession;
  paths: ChainPaths;
  kafka: Kafka;
  /** The replica's client options: the writer's reader reads the source on a thread of its own. */
  readerKafka?: ReaderKafkaOptions;
  genesis: ReaderGenesis;
  replication: Readonly<TopicReplication>;
  maxRecordBytes: number;
  logger: Logger;
  /** Last sequenced seq according to the counter znode: what the writer's lag is measured against. */
  counterSeq: () => Promise<bigint>;
  /** True while this replica sequences: it then leaves the ordered topic to a peer if one takes it. */
  leading: () => boolean;
}

export interface OrderedDeliveryEvents {
  /** After each lease check while this replica writes: its last committed seq and how far behind the counter. */
  'ordered:progress': [info: { seq: bigint; lag: bigint }];
  /** This replica started (true) or stopped (false) writing the ordered topic. */
  'ordered:writing': [writing: boolean];
}

/** This replica's view of the ordered topic, for its status. */
export interface OrderedDeliveryState {
  /** Whether this replica writes the ordered topic (holds the lease and runs the writer). */
  writer: boolean;
  /** Last seq this replica's writer committed (null when it does not write). */
  seq: string | null;
  halted: string | null;
}

/** How often the lease is checked and the progress published, ms. */
const LEASE_CHECK_MS = 2_000;
/** The leader takes a free lease only after it has stayed free this many checks (a peer goes first). */
const LEADER_PATIENCE = 2;
/** After its writer failed, a replica waits this long before taking the lease again (a peer goes first), ms. */
const RETRY_AFTER_FAILURE_MS = 5_000;

/**
 * A replica's share of the ordered topic (delivery.orderedTopic): it checks the ordered-writer
 * lease (an ephemeral znode, ../coordination/ordered-lease.ts) every 2 s, takes it when free
 * (the leader only after two free checks, so the role goes to a follower where there is one),
 * runs the `OrderedTopicWriter` while it holds it, and publishes the writer's progress in it.
 * A writer that stops on a retriable error (fenced, Kafka unreachable) gives the lease up, so
 * that any replica takes it again (this one only after 5 s, so a peer goes first); one that halts (a chain that does not verify, a record in the
 * topic that seqchain did not write) gives it up and never writes again on this replica.
 */
export class OrderedDelivery extends EventEmitter<OrderedDeliveryEvents> {
  private writer: OrderedTopicWriter | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private freeChecks = 0;
  private since = 0;
  private halted: SeqchainError | null = null;
  /** No new attempt at the lease before this time (ms): set when this replica's writer failed. */
  private retryAt = 0;
  private started = false;
  private closed = false;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: OrderedDeliveryOptions) {
    super();
  }

  start(): void {
    if (this.started || this.closed)
      throw new SeqchainError(
        'SEQCHAIN_ERR_ALREADY_STARTED',
        `ordered delivery of replica ${this.options.replicaId} ${this.closed ? 'is closed' : 'already started'}`,
      );
    this.started = true;
    this.timer = setInterval(() => void this.check(), LEASE_CHECK_MS);
    this.timer.unref();
    void this.check();
  }

  state(): OrderedDeliveryState {
    const seq = this.writer?.lastSeq ?? null;
    return {
      writer: this.writer !== null,
      seq: seq === null ? null : seq.toString(),
      halted: this.halted ? `${this.halted.code}: ${this.halted.message}` : null,
    };
  }

  /** Takes, keeps or loses the lease, and starts or stops the writer to match. */
  private check(): Promise<void> {
    this.checking ??= (async () => {
      const { zk, paths, replicaId, logger } = this.options;
      try {
        if (this.closed) return;
        if (this.writer) {
          const seq = this.writer.lastSeq;
          // Before the writer has read where the topic stands there is no progress to publish, only the lease to keep.
          const held =
            seq === null ? await holdsOrderedLease(zk, paths) : await publishOrderedProgress(zk, paths, { replicaId, since: this.since, seq, at: Date.now() });
          if (!held) {
            await this.stopWriter("the ordered-writer lease is no longer this replica's");
            return;
          }
          const head = await this.options.counterSeq().catch(() => null);
          if (head !== null && seq !== null) this.emit('ordered:progress', { seq, lag: head > seq ? head - seq : 0n });
          return;
        }
        if (this.halted || Date.now() < this.retryAt) return;
        const free = (await readOrderedLease(zk, paths)) === null;
        this.freeChecks = free ? this.freeChecks + 1 : 0;
        if (!free || (this.options.leading() && this.freeChecks < LEADER_PATIENCE)) return;
        this.since = Date.now();
        if (await takeOrderedLease(zk, paths, { replicaId, since: this.since, seq: 0n, at: this.since })) this.startWriter();
      } catch (err) {
        // ZooKeeper unreachable: the next check tries again. A running writer goes on (fencing keeps it safe).
        logger.debug({ err }, 'ordered-writer lease check failed');
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  private startWriter(): void {
    const { chain, kafka, readerKafka, genesis, replication, maxRecordBytes, logger, zk, paths } = this.options;
    const writer = new OrderedTopicWriter({ chain, kafka, ...(readerKafka ? { readerKafka } : {}), genesis, replication, maxRecordBytes, logger });
    writer.on('ordered:stopped', ({ failed, error }) => {
      if (this.writer !== writer) return;
      this.writer = null;
      this.emit('ordered:writing', false);
      if (failed && error && !error.retriable) this.halted = error;
      if (failed) this.retryAt = Date.now() + RETRY_AFTER_FAILURE_MS;
      // Let any replica (this one too, unless halted) take the role again.
      if (failed) void releaseOrderedLease(zk, paths).catch(() => undefined);
    });
    this.writer = writer;
    logger.info({ lease: paths.orderedWriter }, 'this replica writes the ordered topic (holds the ordered-writer lease)');
    this.emit('ordered:writing', true);
    writer.start();
  }

  private async stopWriter(reason: string): Promise<void> {
    const writer = this.writer;
    this.writer = null;
    if (!writer) return;
    this.options.logger.info({ reason }, 'this replica stops writing the ordered topic');
    this.emit('ordered:writing', false);
    await writer.close();
  }

  /** Stops the writer, then gives the lease up, so that a peer takes over at its next check. The same promise on every call. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      if (this.timer) clearInterval(this.timer);
      await this.checking;
      const wasWriter = this.writer !== null;
      await this.stopWriter('replica closing');
      if (wasWriter || (await holdsOrderedLease(this.options.zk, this.options.paths).catch(() => false)))
        await releaseOrderedLease(this.options.zk, this.options.paths).catch(() => undefined);
    })();
    return this.closing;
  }
}
