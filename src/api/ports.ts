import type { PauseInfo } from '../coordination/pause.js';
import type { IndexQuery } from '../index-store/index-store.js';
import type { ReadinessCheck } from '../readiness.js';
import type { SeqchainMetrics } from '../metrics/metrics.js';
import type { RangeVerifyReport } from '../verify/verify-range.js';

/**
 * What the HTTP API needs from the rest of the replica, and nothing more: the routes depend on
 * these ports, the composition root (src/replica/replica.ts) implements them.
 */

/** Records and head as the index holds them (the index store owns their shape). */
export type { IndexedRecord as RecordView, IndexHead as HeadView } from '../index-store/index-store.js';
export type { ReadinessCheck } from '../readiness.js';
/** Read side of the Redis index. Each call throws SEQCHAIN_ERR_UNREACHABLE when Redis is down. */
export type QueryPort = IndexQuery;

export interface Readiness {
  ready: boolean;
  /** sequencing: not halted; worker: not stopped on any partition (a record above worker.maxRecordBytes). */
  checks: {
    zookeeper: ReadinessCheck;
    kafka: ReadinessCheck;
    redis: ReadinessCheck;
    index: ReadinessCheck;
    sequencing: ReadinessCheck;
    worker: ReadinessCheck;
  };
}

export interface ReplicaPort {
  readonly replicaId: string;
  /** The leader as ZooKeeper says (id, epoch, API address), or null. */
  leader(): Promise<{ replicaId: string; epoch: bigint; apiAddress: string } | null>;
  status(): Promise<Record<string, unknown>>;
  /** Brings the gauges that are sampled, not event-driven (lag, index), up to date. */
  refreshGauges(): Promise<void>;
  readiness(): Promise<Readiness>;
  /** Leader only (else SEQCHAIN_ERR_NOT_LEADER): ends the term and hands leadership on. */
  resign(): Promise<{ resigned: string; epoch: string }>;
  pause(reason: string): Promise<PauseInfo>;
  /** False when sequencing was not paused. */
  resume(): Promise<boolean>;
  /** Flushes the index and rebuilds it from the ledger in the background. */
  reindex(): Promise<void>;
  verifyRange(from: bigint, to: bigint): Promise<RangeVerifyReport>;
}

export interface ApiDeps {
  query: QueryPort;
  replica: ReplicaPort;
  metrics: SeqchainMetrics;
}
