import type { Kafka } from 'kafkajs';
import type { GenesisRecord } from '../coordination/genesis-store.js';
import type { ChainHead } from '../kafka/ledger-tail.js';
import { SeqchainError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SeqchainMetrics } from '../metrics/metrics.js';
import { IndexLease } from '../index-store/index-lease.js';
import type { ReadinessCheck } from '../readiness.js';
import { IndexStore, type IndexQuery } from '../index-store/index-store.js';
import { chainKeys } from '../index-store/keys.js';
import { LedgerIndexer } from './ledger-indexer.js';
import type { IndexerSettings } from '../config/settings.js';
import { rejectedMessage } from '../wire/rejected-message.js';
import { createRedis, type Redis } from '../index-store/redis-client.js';
import type { RedisClientOptions } from '../config/settings.js';

export interface ReplicaIndexOptions {
  settings: Readonly<IndexerSettings>;
  /** This replica's Redis, the one whose index it serves (and writes while it holds the lease). */
  redisClient: Readonly<RedisClientOptions>;
  kafka: Kafka;
  genesis: GenesisRecord;
  logger: Logger;
  metrics: SeqchainMetrics;
  /** Last sequenced seq according to the counter znode: what "caught up" is measured against. */
  counterSeq: () => Promise<bigint>;
  /** True while this replica sequences: it then leaves the indexing to a peer if one takes it. */
  leading: () => boolean;
}

export interface IndexState {
  seq: string;
  /** Sequenced records not yet in the index ('unknown' while the counter cannot be read). */
  lag: string;
  redis: 'up' | 'down';
  caughtUp: boolean;
  /** Whether this replica is the one writing the index into its Redis (holds the lease). */
  writer: boolean;
  halted: string | null;
}

/** How long a lease lives without renewal, and how often it is checked, ms. */
const LEASE_TTL_MS = 10_000;
const LEASE_CHECK_MS = 2_000;
/** The leader takes a free lease only after it has stayed free this many checks (a peer goes first). */
const LEADER_PATIENCE = 2;

/**
 * A replica's share of the index: its Redis connection, the read side the API queries, and —
 * while it holds the index lease of its Redis — the indexer that keeps the index caught up with
 * the ledger. Replicas sharing one Redis elect one writer through the lease, preferably not the
 * leader; a replica with a Redis of its own always holds it. Nothing here can stop sequencing.
 */
export class ReplicaIndex {
  readonly redis: Redis;
  readonly store: IndexStore;
  readonly query: IndexQuery;
  private readonly lease: IndexLease;
  private indexer: LedgerIndexer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private freeChecks = 0;
  private redisUp = false;
  private started = false;
  private closed = false;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: ReplicaIndexOptions) {
    const { settings, genesis, logger } = options;
    this.redis = createRedis(options.redisClient, logger);
    this.store = new IndexStore(this.redis, settings.keyPrefix, settings.chain, genesis.hash);
    this.query = this.store;
    this.lease = new IndexLease(this.redis, chainKeys(settings.keyPrefix, settings.chain).lease, settings.replicaId, LEASE_TTL_MS);
    this.redis.on('ready', () => this.setRedisUp(true));
    this.redis.on('end', () => this.setRedisUp(false));
    this.redis.on('close', () => this.setRedisUp(false));
  }

  private setRedisUp(up: boolean): void {
    this.redisUp = up;
    this.options.metrics.redisUp.set(up ? 1 : 0);
  }

  /** Starts checking the index lease (and indexing while this replica holds it). */
  start(): void {
    if (this.started || this.closed)
      throw new SeqchainError(
        'SEQCHAIN_ERR_ALREADY_STARTED',
        `index of replica ${this.options.settings.replicaId} ${this.closed ? 'is closed' : 'already started'}`,
      );
    this.started = true;
    this.timer = setInterval(() => void this.checkLease(), LEASE_CHECK_MS);
    this.timer.unref();
    void this.checkLease();
  }

  /** The chain head as this replica's indexer knows it (null when it does not index, or has not caught up). */
  get knownHead(): ChainHead | null {
    return this.indexer?.knownHead ?? null;
  }

  /** Takes, keeps or loses the lease, and starts or stops the indexer to match. */
  private checkLease(): Promise<void> {
    this.checking ??= (async () => {
      try {
        if (this.closed) return;
        if (this.indexer) {
          // Redis down: keep the indexer (it retries by itself); the lease is settled when Redis is back.
          const held = await this.lease.renew().catch(() => true);
          if (!held) await this.stopIndexer('the index lease passed to another replica');
          return;
        }
        const free = (await this.lease.holder()) === null;
        this.freeChecks = free ? this.freeChecks + 1 : 0;
        if (!free || (this.options.leading() && this.freeChecks < LEADER_PATIENCE)) return;
        if (await this.lease.acquire()) this.startIndexer();
      } catch {
        // Redis unreachable: nobody can index now; the next check tries again.
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  private startIndexer(): void {
    const { settings, kafka, genesis, logger, metrics } = this.options;
    const indexer = new LedgerIndexer({ settings, kafka, redis: this.redis, logger, genesisHash: genesis.hash });
    indexer.on('index:applied', ({ seq }) => metrics.indexedSeq.set(Number(seq)));
    indexer.on('index:redis-down', () => this.setRedisUp(false));
    indexer.on('index:redis-up', () => this.setRedisUp(true));
    indexer.on('index:halted', ({ err }) => {
      const rejected = rejectedMessage(err);
      if (rejected) metrics.rejectedMessages.inc({ topic: rejected.stream, reason: rejected.reason });
    });
    this.indexer = indexer;
    logger.info({ lease: this.lease.key }, 'this replica writes the index (holds the index lease)');
    void indexer.start();
  }

  private async stopIndexer(reason: string): Promise<void> {
    const indexer = this.indexer;
    this.indexer = null;
    if (!indexer) return;
    this.options.logger.info({ reason }, 'this replica stops writing the index');
    await indexer.close();
  }

  /** Flushes the index; its writer (this replica or a peer) rebuilds it from the ledger. */
  async reset(): Promise<void> {
    if (this.indexer) await this.indexer.reset();
    else await this.store.reset();
  }

  /** Stops indexing, releases the lease, disconnects Redis. The same promise on every call. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      if (this.timer) clearInterval(this.timer);
      await this.checking;
      const wasWriter = this.indexer !== null;
      await this.stopIndexer('replica closing');
      if (wasWriter) await this.lease.release().catch(() => undefined);
      this.redis.disconnect();
    })();
    return this.closing;
  }

  /** Where the index in Redis stands against the counter; also refreshes the index gauges. */
  async state(): Promise<IndexState> {
    const stored = await this.store.head().catch(() => null);
    const seq = stored?.seq ?? this.indexer?.indexedSeq ?? 0n;
    const counter = await this.options.counterSeq().catch(() => null);
    const lag = counter === null ? null : counter > seq ? counter - seq : 0n;
    this.options.metrics.indexedSeq.set(Number(seq));
    if (lag !== null) this.options.metrics.indexLag.set(Number(lag));
    const halted = this.indexer?.halted ?? null;
    return {
      seq: seq.toString(),
      lag: lag === null ? 'unknown' : lag.toString(),
      redis: this.redisUp ? 'up' : 'down',
      caughtUp: lag === 0n,
      writer: this.indexer !== null,
      halted: halted ? `${halted.code}: ${halted.message}` : null,
    };
  }

  async readiness(): Promise<{ redis: ReadinessCheck; index: ReadinessCheck }> {
    const redis = await this.redis.ping().then(
      () => ({ ok: true, detail: 'PING answered' }),
      (err: unknown) => ({ ok: false, detail: `Redis: ${(err as Error).message}` }),
    );
    const s = await this.state();
    const index = s.halted
      ? { ok: false, detail: `indexing halted: ${s.halted}` }
      : s.lag === '0'
        ? { ok: true, detail: `caught up at seq ${s.seq}` }
        : { ok: false, detail: `index at seq ${s.seq}, ${s.lag} records behind the counter` };
    return { redis, index };
  }
}
