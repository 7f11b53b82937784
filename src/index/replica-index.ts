import type { Kafka } from 'kafkajs';
import type { QueryPort, ReadinessCheck } from '../api/ports.js';
import type { Config } from '../config/schema.js';
import type { GenesisRecord } from '../coordination/genesis-store.js';
import type { Logger } from '../log.js';
import type { SeqchainMetrics } from '../metrics/metrics.js';
import { LedgerIndexer } from './ledger-indexer.js';
import { createRedis, type Redis } from './redis-client.js';

export interface ReplicaIndexOptions {
  config: Readonly<Config>;
  kafka: Kafka;
  genesis: GenesisRecord;
  logger: Logger;
  metrics: SeqchainMetrics;
  /** Last sequenced seq according to the counter znode: what "caught up" is measured against. */
  counterSeq: () => Promise<bigint>;
}

export interface IndexState {
  seq: string;
  /** Sequenced records not yet in the index ('unknown' while the counter cannot be read). */
  lag: string;
  redis: 'up' | 'down';
  caughtUp: boolean;
  halted: string | null;
}

/**
 * A replica's share of the index: its Redis connection, the indexer that keeps the index caught
 * up with the ledger, and the read side the API queries. Nothing here can stop sequencing.
 */
export class ReplicaIndex {
  readonly redis: Redis;
  readonly indexer: LedgerIndexer;
  readonly query: QueryPort;
  private redisUp = false;

  constructor(private readonly options: ReplicaIndexOptions) {
    const { config, kafka, genesis, logger, metrics } = options;
    this.redis = createRedis(config, logger);
    this.indexer = new LedgerIndexer({ config, kafka, redis: this.redis, logger, genesisHash: genesis.hash });
    this.query = this.indexer.store;
    this.redis.on('ready', () => this.setRedisUp(true));
    this.redis.on('end', () => this.setRedisUp(false));
    this.redis.on('close', () => this.setRedisUp(false));
    this.indexer.on('index:applied', ({ seq }) => metrics.indexedSeq.set(Number(seq)));
    this.indexer.on('index:redis-down', () => this.setRedisUp(false));
    this.indexer.on('index:redis-up', () => this.setRedisUp(true));
  }

  private setRedisUp(up: boolean): void {
    this.redisUp = up;
    this.options.metrics.redisUp.set(up ? 1 : 0);
  }

  start(): void {
    void this.indexer.start();
  }

  reset(): Promise<void> {
    return this.indexer.reset();
  }

  async close(): Promise<void> {
    await this.indexer.stop();
    this.redis.disconnect();
  }

  /** Where the index stands against the counter; also refreshes the index gauges. */
  async state(): Promise<IndexState> {
    // The index in Redis may be ahead of this replica's own indexer when replicas share a Redis.
    const stored = await this.indexer.store.head().catch(() => null);
    const seq = stored && stored.seq > this.indexer.indexedSeq ? stored.seq : this.indexer.indexedSeq;
    const counter = await this.options.counterSeq().catch(() => null);
    const lag = counter === null ? null : counter > seq ? counter - seq : 0n;
    if (lag !== null) this.options.metrics.indexLag.set(Number(lag));
    const halted = this.indexer.halted;
    return { seq: seq.toString(), lag: lag === null ? 'unknown' : lag.toString(), redis: this.redisUp ? 'up' : 'down', caughtUp: lag === 0n, halted: halted ? `${halted.code}: ${halted.message}` : null };
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
