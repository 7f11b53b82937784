import type { PauseInfo } from '../coordination/pause.js';
import type { SeqchainError } from '../errors.js';
import type { IndexQuery, IndexedRecord } from '../index-store/index-store.js';
import type { ReadinessCheck } from '../readiness.js';
import type { SeqchainMetrics } from '../metrics/metrics.js';
import type { SequencedRecord } from '../reader/window.js';
import type { LivenessIdentity } from '../wire/liveness-event.js';
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
  /** Who this process is, for GET /v1/liveness; null before its first ZooKeeper session. */
  liveness(): LivenessIdentity | null;
  /** Leader only (else SEQCHAIN_ERR_NOT_LEADER): ends the term and hands leadership on. */
  resign(): Promise<{ resigned: string; epoch: string }>;
  pause(reason: string): Promise<PauseInfo>;
  /** False when sequencing was not paused. */
  resume(): Promise<boolean>;
  /** Flushes the index and rebuilds it from the ledger in the background. */
  reindex(): Promise<void>;
  verifyRange(from: bigint, to: bigint): Promise<RangeVerifyReport>;
  /** A reader of the source records behind index entries, for one request or stream; close it when done. */
  openSourceReader(): SourceReader;
}

/** The source records of one request or stream, read by one consumer (src/replica/source-page.ts). */
export interface SourceReader {
  /**
   * Reads the source records at consecutive index entries (fetched in Kafka's batches, never one
   * fetch per record) and checks each against the chain; `prevHash` is the hash of the seq before
   * the first entry. Pages come in seq order. Throws only when it cannot read (Kafka unreachable:
   * SEQCHAIN_ERR_UNREACHABLE).
   */
  page(prevHash: Buffer, entries: readonly IndexedRecord[]): Promise<SourcePage>;
  close(): Promise<void>;
}

/**
 * Source records of consecutive index entries, each checked: its hash recomputed from the one
 * before (SCL1) and its digest recomputed from the source bytes (SCR1), both equal to the index's.
 */
export interface SourcePage {
  /** The entries' records in seq order, up to (not including) the first that failed. */
  records: SequencedRecord[];
  /**
   * Why the next entry was not served, or null when all were: SEQCHAIN_ERR_CHAIN_BROKEN (link,
   * digest or a record missing from the source; details kind, seq, partition, offset, expected,
   * actual) or SEQCHAIN_ERR_SOURCE_DELETED (retention deleted it; details partition, from, to, seq).
   */
  failure: SeqchainError | null;
}

/**
 * The log view as the index holds it (src/index-store/log-store.ts), and the log's identity from
 * the configuration. Sizes and indexes are safe integers. Each call throws
 * SEQCHAIN_ERR_UNREACHABLE when Redis is down.
 */
export interface LogPort {
  /** The checkpoint origin, which is also the signing key's name. */
  readonly origin: string;
  /** `<name>+<key id>+<base64 key>`: the keys checkpoints are signed with (several during a key rotation, the first listed in the config first). */
  readonly verifierKeys: readonly string[];
  /**
   * The latest signed checkpoint (the log's note with any witness cosignatures of it appended, and
   * its size), or null before the first one: the newest committed to the ledger, which the index
   * may not hold yet (a proof to it then waits for the index, bounded).
   */
  latest(): Promise<{ size: number; note: string } | null>;
  /** The largest checkpoint size seen so far, without I/O (0 when none): a bound check that needs no read. */
  knownSize(): number;
  /** The first `width` hashes of hash tile level/index, or null when the tree does not hold them. */
  tile(level: number, index: number, width: number): Promise<Buffer | null>;
  /** Entry bundle `index` with `width` entries, or null when they are not all indexed. */
  entries(index: number, width: number): Promise<Buffer | null>;
  /**
   * Inclusion proof of leaf `index` in the tree of `size` (≤ the latest checkpoint's; null: the
   * latest tree the index holds a checkpoint of), with the signed checkpoint of that size (and its
   * cosignatures, if any) or null; `proof` null when the leaf is beyond the tree. Null when the
   * index holds no checkpoint yet.
   */
  inclusionAt(index: number, size: number | null): Promise<{ size: number; proof: Buffer[] | null; checkpoint: string | null } | null>;
  /** Consistency proof between the trees of sizes from ≤ to (`to` as `size` above); `proof` null when from > to. */
  consistencyAt(from: number, to: number | null): Promise<{ size: number; proof: Buffer[] | null } | null>;
}

export interface ApiDeps {
  query: QueryPort;
  replica: ReplicaPort;
  metrics: SeqchainMetrics;
  /** Null when the log view is off (logView.enabled false): its routes answer SEQCHAIN_ERR_LOG_VIEW_OFF. */
  log: LogPort | null;
}
