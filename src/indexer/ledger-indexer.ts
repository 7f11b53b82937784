import { EventEmitter } from 'node:events';
import type { Consumer, Kafka } from 'kafkajs';
import { ChainBrokenError, MalformedMessageError, SeqchainError, isSeqchainError } from '../errors.js';
import { fromKafkaError } from '../kafka/errors.js';
import { readLedger } from '../kafka/ledger-reader.js';
import type { ChainHead } from '../kafka/ledger-tail.js';
import { groupConsumerConfig } from '../kafka/client.js';
import type { IndexerSettings } from '../config/settings.js';
import { kafkaNames } from '../kafka/names.js';
import { topicOffsets, withAdmin } from '../kafka/offsets.js';
import { seekAll } from '../kafka/range-reader.js';
import { bindOnce, type Logger } from '../log.js';
import { backoffDelayMs, type BackoffPolicy } from '../retry/backoff.js';
import { sleep } from '../retry/sleep.js';
import type { FollowPoint } from './chain-follower.js';
import { IndexStore } from '../index-store/index-store.js';
import { IndexWriter } from '../index-store/index-writer.js';
import { LedgerApplier, type AppliedInfo } from './ledger-applier.js';
import { isRedisError, waitForRedis, type Redis } from '../index-store/redis-client.js';

export interface IndexerTuning {
  /** How often the indexer checks that the index in Redis is still where it left it, ms. @defaultValue 2000 */
  headCheckIntervalMs: number;
  /** First wait before trying again while Redis or Kafka is unreachable, ms (doubles each time). @defaultValue 100 */
  retryMinMs: number;
  /** Longest wait between attempts, ms. @defaultValue 5000 */
  retryMaxMs: number;
  /** Largest ledger fetch, bytes (a cut of 15,000 records is ~780 KB). @defaultValue 4 MiB */
  maxBytesPerPartition: number;
}

export const indexerDefaults = {
  headCheckIntervalMs: 2_000,
  retryMinMs: 100,
  retryMaxMs: 5_000,
  maxBytesPerPartition: 4 * 1024 * 1024,
} satisfies IndexerTuning;

export interface LedgerIndexerOptions {
  settings: Readonly<IndexerSettings>;
  kafka: Kafka;
  redis: Redis;
  logger: Logger;
  /** The chain's genesis hash (ZooKeeper's): the ledger must start with it. */
  genesisHash: Buffer;
  tuning?: Partial<IndexerTuning>;
}

export interface LedgerIndexerEvents {
  /** The index holds one more ledger message (written here, or already by another replica). */
  'index:applied': [info: AppliedInfo];
  /** The index reached the ledger's end as it was when indexing (re)started. */
  'index:caught-up': [info: { seq: bigint; ledgerOffset: bigint }];
  /** Redis stopped answering: once per outage. */
  'index:redis-down': [info: { err: SeqchainError }];
  /** Redis answers again; the indexer catches up from the index head. */
  'index:redis-up': [];
  /** The ledger does not hold a valid chain (or does not decode): indexing stopped for good. */
  'index:halted': [info: { err: SeqchainError }];
}

const HALTING = new Set<string>(['SEQCHAIN_ERR_CHAIN_BROKEN', 'SEQCHAIN_ERR_MALFORMED_MESSAGE']);

type SessionEnd = { kind: 'stop' } | { kind: 'reposition'; reason: string } | { kind: 'rebuild'; reason: string } | { kind: 'error'; err: unknown };

/** One positioning of the ledger consumer, from attach() to its end. */
class Session {
  closed = false;
  private settle!: (end: SessionEnd) => void;
  readonly done = new Promise<SessionEnd>((resolve) => (this.settle = resolve));

  end(end: SessionEnd): void {
    if (this.closed) return;
    this.closed = true;
    this.settle(end);
  }
}

/**
 * The indexer role: tails `<chain>.ledger` (read_committed) and keeps the Redis query index of
 * the chain up to date. It starts after the ledger offset the index head records (checking that
 * the message there is the head's own), or at the ledger start when the index is empty or
 * belongs to another genesis (then it is flushed). Every message is checked against the chain
 * before it is written. While Redis or Kafka is unreachable it retries with backoff, one warn
 * line per outage, and catches up from the index head by itself when it is back; it never
 * touches sequencing. A chain that does not hold halts it (`index:halted`).
 *
 * kafkajs has no assign(): the consumer is alone in the group `seqchain.<chain>.index.<replicaId>`,
 * commits nothing and seeks to where the index head says.
 */
export class LedgerIndexer extends EventEmitter<LedgerIndexerEvents> {
  readonly store: IndexStore;
  private readonly writer: IndexWriter;
  private readonly tuning: IndexerTuning;
  private readonly log: Logger;
  private readonly ledgerTopic: string;
  private loop: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private stopRequested = false;
  private session: Session | null = null;
  private wakeUp: (() => void) | null = null;
  private point: FollowPoint;
  private haltedWith: SeqchainError | null = null;
  private redisDown = false;
  private kafkaDown = false;
  private caughtUpNow = false;
  /** The head of the last cut indexed in this session, with its coverage. */
  private lastCut: ChainHead | null = null;

  constructor(private readonly options: LedgerIndexerOptions) {
    super();
    const { settings, redis, genesisHash } = options;
    this.tuning = Object.freeze({ ...indexerDefaults, ...options.tuning });
    this.log = bindOnce(options.logger, { component: 'indexer', chain: settings.chain });
    this.ledgerTopic = kafkaNames.ledgerTopic(settings.chain);
    this.store = new IndexStore(redis, settings.keyPrefix, settings.chain, genesisHash);
    this.writer = new IndexWriter(redis, settings.keyPrefix, settings.chain, genesisHash);
    this.point = { seq: 0n, hash: genesisHash, ledgerOffset: -1n };
  }

  /** Last global seq the index is known to hold (0: none yet). */
  get indexedSeq(): bigint {
    return this.point.seq;
  }

  /** Ledger offset of the last message the index is known to hold (-1: none yet). */
  get ledgerOffset(): bigint {
    return this.point.ledgerOffset;
  }

  /** True once the index reached the ledger's end since the last (re)positioning. */
  get caughtUp(): boolean {
    return this.caughtUpNow;
  }

  /**
   * The chain head (with its coverage) of the last cut indexed, once the index has caught up
   * with the ledger; null before. Status and the lag gauges read it instead of the ledger.
   */
  get knownHead(): ChainHead | null {
    return this.caughtUpNow ? this.lastCut : null;
  }

  /** The error that halted indexing, or null. */
  get halted(): SeqchainError | null {
    return this.haltedWith;
  }

  /** Starts indexing in the background; resolves at once (Redis or Kafka may still be down). */
  async start(): Promise<void> {
    if (this.loop || this.stopRequested)
      throw new SeqchainError('SEQCHAIN_ERR_ALREADY_STARTED', `ledger indexer of chain ${this.options.settings.chain} was already started`);
    this.log.info({ group: this.groupId() }, 'indexer starting');
    this.loop = this.run();
  }

  /** Stops indexing for good: the consumer leaves its group. The same promise on every call. */
  close(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopRequested = true;
      this.session?.end({ kind: 'stop' });
      this.wakeUp?.();
      await this.loop?.catch((err) => this.log.warn({ err }, 'indexer loop failed while stopping'));
      this.log.info('indexer stopped');
    })();
    return this.stopping;
  }

  /**
   * Flushes this chain's index and rebuilds it from the ledger start (POST /v1/ops/reindex).
   * Resolves once the flush is done; the rebuild goes on in the background (`index:caught-up`).
   * Fails with SEQCHAIN_ERR_UNREACHABLE when Redis is down. A halted indexer starts again.
   */
  async reset(): Promise<void> {
    const { previousIncarnation, deletedKeys } = await this.store.reset();
    this.log.info({ previousIncarnation, deletedKeys }, 'index flushed: rebuilding from the ledger start');
    this.point = { seq: 0n, hash: this.options.genesisHash, ledgerOffset: -1n };
    this.caughtUpNow = false;
    this.lastCut = null;
    if (this.haltedWith && this.loop && !this.stopRequested) {
      this.haltedWith = null;
      this.loop = this.run();
    }
    this.session?.end({ kind: 'reposition', reason: 'reset' });
    this.wakeUp?.();
  }

  private groupId(): string {
    return kafkaNames.readerGroup(this.options.settings.chain, 'index', this.options.settings.replicaId);
  }

  private async run(): Promise<void> {
    const backoff: BackoffPolicy = { initialMs: this.tuning.retryMinMs, maxMs: this.tuning.retryMaxMs };
    let failures = 0;
    while (!this.stopRequested) {
      let end: SessionEnd;
      try {
        end = await this.runSession();
      } catch (err) {
        end = { kind: 'error', err };
      }
      if (this.stopRequested) return;
      if (end.kind === 'error') {
        const error = asSeqchainError(end.err);
        // Only a ledger that does not hold a valid chain stops indexing; anything else may pass.
        if (HALTING.has(error.code)) return this.halt(error);
        this.noteOutage(error);
        await this.sleep(backoffDelayMs(backoff, ++failures));
        continue;
      }
      failures = 0;
      if (end.kind === 'reposition') {
        this.log.info({ reason: end.reason, seq: this.point.seq.toString() }, 'indexer re-positions from the index head');
      } else if (end.kind === 'rebuild') {
        this.log.warn({ reason: end.reason }, 'index does not describe this ledger: flushing and rebuilding it from the ledger start');
        try {
          await this.store.reset();
        } catch (err) {
          this.noteOutage(asSeqchainError(err));
          await this.sleep(backoffDelayMs(backoff, 1));
        }
      }
    }
  }

  private async runSession(): Promise<SessionEnd> {
    const session = new Session();
    this.session = session;
    try {
      // A client still (re)connecting gets up to one command timeout before that counts as an outage.
      if (this.options.redis.status !== 'ready') {
        await waitForRedis(this.options.redis, this.options.settings.redisCommandTimeoutMs);
      }
      const attached = await this.writer.attach();
      if (attached.status === 'foreign') {
        // Flush another chain's index only once the ledger says this genesis is the current one.
        await this.checkLedgerGenesis();
        return { kind: 'rebuild', reason: `the index in Redis belongs to genesis ${attached.genesisHex} (layout ${attached.layout})` };
      }
      this.redisUp();
      const head = attached.head;
      const ledger = await this.ledgerBounds();
      if (head.ledgerOffset >= ledger.high) {
        return { kind: 'rebuild', reason: `the index head is at ledger offset ${head.ledgerOffset}, the ledger ends at ${ledger.high}` };
      }
      if (session.closed) return session.done;
      const start: FollowPoint = { seq: head.seq, hash: head.hash, ledgerOffset: head.ledgerOffset };
      this.point = start;
      this.caughtUpNow = false;
      this.lastCut = null;
      this.lastCut = null;
      const applier = new LedgerApplier(this.writer, this.options.settings.chain, this.options.genesisHash, start, attached.border, (info) => {
        this.point = applier.confirmed;
        if (info.head) this.lastCut = info.head;
        if (this.listenerCount('index:applied') > 0) this.emit('index:applied', info);
      });
      const from = head.ledgerOffset >= 0n ? head.ledgerOffset : ledger.low;
      this.log.info(
        { seq: head.seq.toString(), from: from.toString(), ledgerEnd: ledger.high.toString(), created: attached.status === 'created' },
        'indexing from the index head',
      );
      return await this.consume(session, applier, from, ledger.high);
    } finally {
      this.session = null;
    }
  }

  /** Reads the ledger from `from` until the session ends; `target` is the end that counts as caught up. */
  private async consume(session: Session, applier: LedgerApplier, from: bigint, target: bigint): Promise<SessionEnd> {
    const { settings, kafka } = this.options;
    let position = from;
    const advance = (next: bigint) => {
      if (next > position) position = next;
      if (!this.caughtUpNow && position >= target) {
        this.caughtUpNow = true;
        this.log.info({ seq: this.point.seq.toString(), ledgerOffset: this.point.ledgerOffset.toString() }, 'index caught up with the ledger');
        this.emit('index:caught-up', { seq: this.point.seq, ledgerOffset: this.point.ledgerOffset });
      }
    };
    const consumer: Consumer = kafka.consumer({
      ...groupConsumerConfig(settings.consumer, this.groupId()),
      maxWaitTimeInMs: Math.max(settings.consumer.maxWaitTimeMs, 50),
      maxBytesPerPartition: this.tuning.maxBytesPerPartition,
      retry: { retries: 5, restartOnFailure: async () => false },
    });
    consumer.on(consumer.events.CRASH, (event) => session.end({ kind: 'error', err: event.payload.error }));
    // Fetches that held only transaction markers are never delivered, only announced.
    consumer.on(consumer.events.START_BATCH_PROCESS, (event) => {
      const { batchSize, lastOffset } = event.payload as { batchSize: number; lastOffset: string };
      if (batchSize === 0 && !session.closed) advance(BigInt(lastOffset) + 1n);
    });
    let checking = false;
    const timer = setInterval(() => {
      if (checking || session.closed) return;
      checking = true;
      this.checkHead(session, applier).finally(() => (checking = false));
    }, this.tuning.headCheckIntervalMs);
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.ledgerTopic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, heartbeat }) => {
          if (session.closed) return;
          const messages = [];
          // Anything fetched before the seek landed is below `from` (the group commits nothing).
          for (const m of batch.messages) {
            const offset = BigInt(m.offset);
            if (offset >= from) messages.push({ offset, value: m.value });
          }
          try {
            const outcome = await applier.apply(messages, heartbeat);
            if (outcome.kind === 'reposition') return session.end(outcome);
            if (outcome.kind === 'mismatch') return session.end({ kind: 'rebuild', reason: outcome.reason });
          } catch (err) {
            return session.end({ kind: 'error', err });
          }
          advance(BigInt(batch.lastOffset()) + 1n);
        },
      });
      seekAll(consumer, this.ledgerTopic, new Map([[0, from]]));
      this.kafkaUp();
      return await session.done;
    } catch (err) {
      throw fromKafkaError(err);
    } finally {
      clearInterval(timer);
      session.end({ kind: 'stop' });
      await consumer.disconnect().catch((err) => this.log.warn({ err }, 'ledger consumer disconnect failed'));
    }
  }

  /** While idle, notices a reset, a flush or a Redis restart (the index moved under us). */
  private async checkHead(session: Session, applier: LedgerApplier): Promise<void> {
    try {
      const current = await this.writer.current();
      if (session.closed) return;
      if (!current || current.inc !== this.writer.incarnation) session.end({ kind: 'reposition', reason: 'the index was reset or flushed' });
      else if (current.head.ledgerOffset < applier.confirmed.ledgerOffset) session.end({ kind: 'reposition', reason: 'the index head moved back' });
    } catch (err) {
      session.end({ kind: 'error', err });
    }
  }

  private async ledgerBounds(): Promise<{ low: bigint; high: bigint }> {
    const [ledger] = await withAdmin(this.options.kafka, (admin) => topicOffsets(admin, this.ledgerTopic)).catch((err: unknown) =>
      Promise.reject(fromKafkaError(err)),
    );
    if (!ledger || ledger.high <= ledger.low) {
      throw new SeqchainError('SEQCHAIN_ERR_CHAIN_NOT_FOUND', `ledger topic ${this.ledgerTopic} holds no message: nothing to index`, {
        details: { topic: this.ledgerTopic },
      });
    }
    return { low: ledger.low, high: ledger.high };
  }

  /** The ledger's first message must be this chain's genesis. */
  private async checkLedgerGenesis(): Promise<void> {
    const { low } = await this.ledgerBounds();
    let first: unknown = null;
    await readLedger({
      kafka: this.options.kafka,
      ledgerTopic: this.ledgerTopic,
      from: low,
      to: low + 1n,
      groupPrefix: kafkaNames.readerGroup(this.options.settings.chain, 'index-genesis', this.options.settings.replicaId),
      logger: this.log,
      onMessage: (_offset, message) => void (first ??= message),
    });
    const g = this.options.genesisHash;
    const msg = first as { kind?: string; hash?: Buffer } | MalformedMessageError | null;
    if (!msg || msg instanceof MalformedMessageError || msg.kind !== 'genesis' || !msg.hash?.equals(g)) {
      throw new ChainBrokenError(`chain ${this.options.settings.chain}: the ledger does not start with the genesis ${g.toString('hex')}`, {
        chain: this.options.settings.chain,
        ledgerOffset: low.toString(),
      });
    }
  }

  private halt(err: SeqchainError): void {
    this.haltedWith = err;
    this.log.error(
      { err, code: err.code, details: err.details, seq: this.point.seq.toString(), ledgerOffset: this.point.ledgerOffset.toString() },
      'indexing halted: the ledger does not hold a valid chain past this point; nothing of it is indexed',
    );
    this.emit('index:halted', { err });
  }

  private noteOutage(err: SeqchainError): void {
    if (isRedisError(err)) {
      if (this.redisDown) return void this.log.debug({ err: err.message }, 'redis still unreachable');
      this.redisDown = true;
      this.log.warn({ err, details: err.details }, 'redis unreachable: indexing waits and retries with backoff (sequencing is not affected)');
      this.emit('index:redis-down', { err });
      return;
    }
    if (this.kafkaDown) return void this.log.debug({ err: err.message }, 'ledger still unreadable');
    this.kafkaDown = true;
    this.log.warn({ err, code: err.code, details: err.details }, 'reading the ledger failed: indexing retries with backoff');
  }

  private redisUp(): void {
    if (!this.redisDown) return;
    this.redisDown = false;
    this.log.info('redis reachable again: indexing catches up from the index head');
    this.emit('index:redis-up');
  }

  private kafkaUp(): void {
    if (!this.kafkaDown) return;
    this.kafkaDown = false;
    this.log.info('ledger readable again');
  }

  /** Waits `ms`, or less when close() or reset() wakes it. */
  private sleep(ms: number): Promise<void> {
    const wake = new AbortController();
    this.wakeUp = () => wake.abort();
    return sleep(ms, { signal: wake.signal }).finally(() => (this.wakeUp = null));
  }
}

function asSeqchainError(err: unknown): SeqchainError {
  const e = fromKafkaError(err);
  if (isSeqchainError(e)) return e;
  return new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', `indexing failed: ${(e as Error)?.message ?? String(e)}`, { retriable: true, cause: err });
}
