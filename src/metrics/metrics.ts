import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric a replica exports, in one registry per replica (tests run several
 * replicas in one process, so nothing goes to prom-client's global registry). Names follow
 * Prometheus conventions: `_total` counters, base units (seconds), one `seqchain_` prefix.
 */
export class SeqchainMetrics {
  readonly registry = new Registry();

  readonly recordsSequenced = new Counter({
    name: 'seqchain_records_sequenced_total',
    help: 'Records this replica sequenced (as leader) into the ledger',
    registers: [this.registry],
  });
  readonly cuts = new Counter({ name: 'seqchain_cuts_total', help: 'Cuts (ledger messages) this replica appended', registers: [this.registry] });
  readonly cutRecords = new Histogram({
    name: 'seqchain_cut_records',
    help: 'Records per cut',
    buckets: [1, 10, 50, 100, 500, 1_000, 2_500, 5_000, 10_000, 15_000],
    registers: [this.registry],
  });
  readonly cutLatency = new Histogram({
    name: 'seqchain_cut_latency_seconds',
    help: 'From closing a cut to its counter update (ledger transaction committed)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly partitionLag = new Gauge({
    name: 'seqchain_partition_lag_records',
    help: 'Source records not yet sequenced, per partition',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  readonly leaderEpoch = new Gauge({
    name: 'seqchain_leader_epoch',
    help: 'Epoch of the current leader as this replica last saw it',
    registers: [this.registry],
  });
  readonly isLeader = new Gauge({ name: 'seqchain_is_leader', help: '1 while this replica runs the sequencer', registers: [this.registry] });
  readonly paused = new Gauge({ name: 'seqchain_paused', help: '1 while sequencing is paused for the chain', registers: [this.registry] });
  readonly elections = new Counter({ name: 'seqchain_elections_total', help: 'Times this replica was elected leader', registers: [this.registry] });
  readonly fencing = new Counter({
    name: 'seqchain_fencing_events_total',
    help: 'fenced_predecessor: this replica fenced the previous leader at term start; fenced: a write of this replica was refused',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly halted = new Gauge({
    name: 'seqchain_sequencer_halted',
    help: '1 when this replica stopped sequencing rather than write a wrong chain',
    registers: [this.registry],
  });
  readonly rejectedMessages = new Counter({
    name: 'seqchain_rejected_messages_total',
    help: 'Internal messages that did not decode (topic: digest or ledger; reason: empty, bad_magic, truncated, trailing_bytes, out_of_bounds, invalid_field, wrong_partition); each one stops sequencing or indexing',
    labelNames: ['topic', 'reason'] as const,
    registers: [this.registry],
  });
  readonly recordsTooLarge = new Counter({
    name: 'seqchain_records_too_large_total',
    help: 'Source records above worker.maxRecordBytes; the worker stops on their partition (SEQCHAIN_ERR_RECORD_TOO_LARGE), nothing is skipped',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  readonly stalledPartitions = new Gauge({
    name: 'seqchain_worker_stalled_partitions',
    help: "Source partitions this replica's worker stopped on (a record above worker.maxRecordBytes)",
    registers: [this.registry],
  });
  readonly gaps = new Counter({ name: 'seqchain_coverage_gaps_total', help: 'Digest batches that arrived ahead of coverage', registers: [this.registry] });
  readonly workerRecords = new Counter({ name: 'seqchain_worker_records_total', help: 'Source records this replica digested', registers: [this.registry] });
  readonly verificationFailures = new Counter({
    name: 'seqchain_verification_failures_total',
    help: 'Verifications (API: /v1/verify, and record reads with payload or streamed) that found a broken link or a mismatch with the source',
    registers: [this.registry],
  });
  readonly indexedSeq = new Gauge({ name: 'seqchain_index_seq', help: 'Highest global seq in the Redis index', registers: [this.registry] });
  readonly indexLag = new Gauge({ name: 'seqchain_index_lag_records', help: 'Sequenced records not yet in the Redis index', registers: [this.registry] });
  readonly redisUp = new Gauge({ name: 'seqchain_redis_up', help: '1 while the index can reach Redis', registers: [this.registry] });
  readonly orderedWriting = new Gauge({
    name: 'seqchain_ordered_writer',
    help: '1 while this replica writes the ordered topic <chain>.ordered (holds the ordered-writer lease)',
    registers: [this.registry],
  });
  readonly orderedSeq = new Gauge({
    name: 'seqchain_ordered_seq',
    help: 'Last global seq committed to the ordered topic, as its writer (this replica) last saw it',
    registers: [this.registry],
  });
  readonly orderedLag = new Gauge({
    name: 'seqchain_ordered_lag_records',
    help: 'Sequenced records not yet in the ordered topic (exported by its writer)',
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'seqchain_http_requests_total',
    help: 'HTTP API requests',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });

  constructor(labels: { chain: string; replicaId: string }) {
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry, prefix: 'seqchain_' });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
