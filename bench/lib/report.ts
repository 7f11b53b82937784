/**
 * Turns the repetitions' raw figures into the result: medians with their spread, ratios (the
 * median of each repetition's own ratio, so both sides of a ratio come from the same moment of
 * a noisy machine), latency per offered load, the targets of issue 4, the JSON and the table.
 * Pure.
 */
import { fmtInt, fmtMs, fmtPct, fmtRatio, formatTable, roundFigure } from './table.js';
import { median, ratio, spreadOf, type LatencySummary, type Spread } from './stats.js';
import { KNEE_P99_MS, type KneeRun } from './knee.js';
import { HOPS, type HopSummary } from './hops.js';
import { describeSteps, type FailoverSteps } from './failover-steps.js';

/** One repetition's figures; a phase that was not run leaves its field undefined. */
export interface Repetition {
  chainLimitRps?: number;
  linkOnlyRps?: number;
  /** Sustained: over the middle 80% of the records. */
  clientCeilingRps?: number;
  onePartitionRps?: number;
  seqchainRps?: number;
  /** From the moment the consumers / replicas were ready to the last record. */
  clientCeilingFromReadyRps?: number;
  onePartitionFromReadyRps?: number;
  seqchainFromReadyRps?: number;
  /**
   * CPU per record over the same from-ready windows, µs, every process of the run together: the
   * consumer processes and Kafka; the replicas, Kafka, Redis and ZooKeeper. What bounds a rate
   * on a machine whose cores are all busy.
   */
  clientCeilingCpuUsPerRecord?: number;
  onePartitionCpuUsPerRecord?: number;
  seqchainCpuUsPerRecord?: number;
  /** The source topic consumed by one kafkajs process (the reader's baseline). */
  rawOneProcessRps?: number;
  /** `readSequenced` over the chain the seqchain phase sequenced, one process at Node's defaults (as the baseline). */
  readerRps?: number;
  /** Highest resident memory of that run, MiB. */
  readerDefaultsMaxRssMb?: number;
  /** The same reader run under the memory bound (READER_NODE_OPTIONS, READER_ENV), records/s. */
  readerBoundedRps?: number;
  /** Highest resident memory of the bounded run, MiB: the figure against the ≤ 200 MB target. */
  readerMaxRssMb?: number;
  /** `seqchain verify` from the genesis over the backlog: records ÷ its report's durationMs (start-up excluded), records/s. */
  verifyRps?: number;
  /** The same over the process's whole life (start-up included), records/s. */
  verifyWallRps?: number;
  /** Highest resident memory of the verify process, MiB. */
  verifyMaxRssMb?: number;
  /** The ordered-topic writer republishing the backlog, records/s. */
  orderedRps?: number;
  /** Its lag behind the ledger while following a chain under 20,000 records/s offered, records. */
  orderedLag?: LatencySummary;
  /** The knee: the highest offered rate with p99 ≤ 100 ms among this repetition's latency runs (the fixed loads and the search's). */
  knee?: { rps: number | null; runs: KneeRun[] };
  /** Per-hop latency of a sample of each fixed load's records, keyed by offered load (records/s); null: none traced. */
  hops?: Record<string, HopSummary | null>;
  /** Keyed by offered load (records/s). */
  latency?: Record<string, { e2e: LatencySummary; close: LatencySummary; sentRps: number }>;
  /** seqchain from backlog over the same records with `logView.enabled` off and on (signed checkpoints), records/s. */
  logViewOffRps?: number;
  logViewOnRps?: number;
  /** The same two runs from ready to the last record, records/s, and their CPU per record (every process), µs. */
  logViewOffFromReadyRps?: number;
  logViewOnFromReadyRps?: number;
  logViewOffCpuUsPerRecord?: number;
  logViewOnCpuUsPerRecord?: number;
  /** Proof latency from a replica's API at the backlog's tree size, ms. */
  proofMs?: { treeSize: number; inclusion: LatencySummary; consistency: LatencySummary };
  /** Cut visible in the ledger → covered by the checkpoint the API serves, ms, under LOG_VIEW lag load. */
  checkpointLag?: { offeredRps: number; lag: LatencySummary; fromClose: LatencySummary; e2e: LatencySummary; unsignedCuts: number };
}

export interface ReportInput {
  meta: Record<string, unknown>;
  repetitions: Repetition[];
  /** Leader SIGKILL → first cut of the next epoch visible in the ledger, over the run's kills (phase failover). */
  failover?: {
    kills: number;
    medianMs: number;
    worstMs: number;
    closedMedianMs: number;
    samplesMs: number[];
    /** SIGKILL → the successor's verdict, election and ready term, medians over the kills (ms). */
    stepMediansMs?: { verdict: number | null; elected: number | null; leading: number | null };
    worstSteps?: FailoverSteps | null;
  } | null;
  /** Worker SIGKILL → each partition it owned sequenced past its end at the kill (phase failover). */
  workerFailover?: { kills: number; medianMs: number; worstMs: number; samplesMs: number[] } | null;
  /** Resident memory, MiB, and of which process(es) during which run. */
  rssMb: { start: number | null; end: number | null; of: string; during: string } | null;
  extra: Record<string, unknown>;
}

type Figure =
  | 'chainLimitRps'
  | 'linkOnlyRps'
  | 'clientCeilingRps'
  | 'onePartitionRps'
  | 'seqchainRps'
  | 'clientCeilingFromReadyRps'
  | 'onePartitionFromReadyRps'
  | 'seqchainFromReadyRps'
  | 'clientCeilingCpuUsPerRecord'
  | 'onePartitionCpuUsPerRecord'
  | 'seqchainCpuUsPerRecord'
  | 'rawOneProcessRps'
  | 'readerRps'
  | 'readerDefaultsMaxRssMb'
  | 'readerBoundedRps'
  | 'readerMaxRssMb'
  | 'verifyRps'
  | 'verifyWallRps'
  | 'verifyMaxRssMb'
  | 'orderedRps'
  | 'logViewOffRps'
  | 'logViewOnRps'
  | 'logViewOffFromReadyRps'
  | 'logViewOnFromReadyRps'
  | 'logViewOffCpuUsPerRecord'
  | 'logViewOnCpuUsPerRecord';

/** Figures in µs of CPU per record, printed in a table of their own. */
const CPU_FIGURES: ReadonlySet<Figure> = new Set([
  'clientCeilingCpuUsPerRecord',
  'onePartitionCpuUsPerRecord',
  'seqchainCpuUsPerRecord',
  'logViewOffCpuUsPerRecord',
  'logViewOnCpuUsPerRecord',
]);

const FIGURES: [Figure, string][] = [
  ['chainLimitRps', 'chain limit: digest + link, 1 core'],
  ['linkOnlyRps', "  link only (the sequencer's hashing)"],
  ['clientCeilingRps', 'client ceiling: kafkajs, consume only'],
  ['clientCeilingFromReadyRps', '  from ready to last record'],
  ['onePartitionRps', 'one-partition topic, 1 consumer chaining'],
  ['onePartitionFromReadyRps', '  from ready to last record'],
  ['seqchainRps', 'seqchain, sustained from backlog'],
  ['seqchainFromReadyRps', '  from ready to last record'],
  ['clientCeilingCpuUsPerRecord', 'client ceiling (consumers, Kafka)'],
  ['onePartitionCpuUsPerRecord', 'one-partition baseline (consumer, Kafka)'],
  ['seqchainCpuUsPerRecord', 'seqchain (replicas, Kafka, Redis, ZooKeeper)'],
  ['rawOneProcessRps', 'one kafkajs process, consume only'],
  ['readerRps', 'reader (readSequenced), one process'],
  ['readerBoundedRps', '  under the memory bound (Node options)'],
  ['verifyRps', 'seqchain verify from the genesis, after start-up'],
  ['verifyWallRps', '  start-up included (whole process)'],
  ['orderedRps', 'ordered-topic writer, from backlog'],
  ['logViewOffRps', 'seqchain, log view off (same records)'],
  ['logViewOnRps', 'seqchain, log view on (signed checkpoints)'],
  ['logViewOffFromReadyRps', '  log view off, from ready to last record'],
  ['logViewOnFromReadyRps', '  log view on, from ready to last record'],
  ['logViewOffCpuUsPerRecord', 'seqchain, log view off'],
  ['logViewOnCpuUsPerRecord', 'seqchain, log view on'],
];

const RATIOS: [string, Figure, Figure, string, number | null][] = [
  ['seqchainOverClientCeiling', 'seqchainRps', 'clientCeilingRps', 'seqchain ÷ client ceiling', 0.8],
  ['seqchainOverOnePartition', 'seqchainRps', 'onePartitionRps', 'seqchain ÷ one-partition', 1.0],
  // The same two over the whole runs from ready: a backlog's start (every worker digesting while the sequencer waits) included.
  ['seqchainOverClientCeilingFromReady', 'seqchainFromReadyRps', 'clientCeilingFromReadyRps', '  from ready: seqchain ÷ client ceiling', null],
  ['seqchainOverOnePartitionFromReady', 'seqchainFromReadyRps', 'onePartitionFromReadyRps', '  from ready: seqchain ÷ one-partition', null],
  ['chainLimitOverSeqchain', 'chainLimitRps', 'seqchainRps', 'chain limit ÷ seqchain', null],
  // The rate ratio above can be at most this much when both runs keep every core busy.
  ['clientCeilingCpuOverSeqchainCpu', 'clientCeilingCpuUsPerRecord', 'seqchainCpuUsPerRecord', 'CPU per record: client ceiling ÷ seqchain', null],
  ['readerOverRawOneProcess', 'readerRps', 'rawOneProcessRps', 'reader ÷ one kafkajs process', 0.8],
  ['logViewOnOverOff', 'logViewOnRps', 'logViewOffRps', 'log view on ÷ off', 0.9],
  ['logViewOnOverOffFromReady', 'logViewOnFromReadyRps', 'logViewOffFromReadyRps', '  from ready: log view on ÷ off', null],
  // What the on ÷ off rate ratio can be at most when both runs keep every core busy.
  ['logViewOffCpuOverOnCpu', 'logViewOffCpuUsPerRecord', 'logViewOnCpuUsPerRecord', 'CPU per record: log view off ÷ on', null],
];

/** Offered load under which the ordered-topic writer's lag is measured, records/s (issue 11). */
export const ORDERED_LAG_LOAD = 20_000;

/** Highest resident memory of the reader while it reads the backlog, MiB (issue 11). */
export const READER_RSS_TARGET_MB = 200;

/** The log view's targets (issue 12, "Speed"): entries/s with signed checkpoints, proof p99 and checkpoint lag p99, ms. */
export const LOG_VIEW_ON_TARGET_RPS = 100_000;
export const PROOF_P99_TARGET_MS = 5;
export const CHECKPOINT_LAG_P99_TARGET_MS = 10;

/** `seqchain verify` from the genesis, records/s (issue 14: 4 × the seeds' Java verifier on this machine). */
export const VERIFY_TARGET_RPS = 100_000;

/** Leader SIGKILL → first cut of the next leader, worst of the kills, ms (issue 14). */
export const FAILOVER_TARGET_MS = 2_000;
/** Issue 14: worker SIGKILL → its partitions flowing again, worst of the kills. */
export const WORKER_FAILOVER_TARGET_MS = 3_000;

/** p99 target at 20,000 records/s, ms (issue 4). */
export const P99_TARGET_MS = 50;
export const P99_TARGET_LOAD = 20_000;

function values(reps: Repetition[], f: Figure): number[] {
  return reps.map((r) => r[f]).filter((v): v is number => v !== undefined && Number.isFinite(v));
}

export interface Report {
  json: Record<string, unknown>;
  table: string;
}

export function buildReport(input: ReportInput): Report {
  const reps = input.repetitions;
  const spreads: Partial<Record<Figure, Spread>> = {};
  for (const [f] of FIGURES) {
    const v = values(reps, f);
    if (v.length > 0) spreads[f] = spreadOf(v);
  }
  const ratioSpreads: Record<string, Spread> = {};
  for (const [name, a, b] of RATIOS) {
    const v = reps.map((r) => ratio(r[a] ?? Number.NaN, r[b] ?? Number.NaN)).filter(Number.isFinite);
    if (v.length > 0) ratioSpreads[name] = spreadOf(v);
  }
  const loads = [...new Set(reps.flatMap((r) => Object.keys(r.latency ?? {})))].sort((x, y) => Number(x) - Number(y));
  const latencyMs: Record<string, { p50: number | null; p99: number | null; max: number | null; samples: number }> = {};
  const cutCloseMs: Record<string, { p50: number | null; p99: number | null; max: number | null }> = {};
  const latencySpread: Record<string, { p99: Spread; sentRps: number | null }> = {};
  for (const load of loads) {
    const runs = reps.map((r) => r.latency?.[load]).filter((x) => x !== undefined);
    const pick = (g: (x: (typeof runs)[number]) => number) => median(runs.map(g));
    latencyMs[load] = {
      p50: roundFigure(pick((x) => x.e2e.p50)),
      p99: roundFigure(pick((x) => x.e2e.p99)),
      max: roundFigure(pick((x) => x.e2e.max)),
      samples: runs.reduce((n, x) => n + x.e2e.count, 0),
    };
    cutCloseMs[load] = { p50: roundFigure(pick((x) => x.close.p50)), p99: roundFigure(pick((x) => x.close.p99)), max: roundFigure(pick((x) => x.close.max)) };
    latencySpread[load] = { p99: spreadOf(runs.map((x) => x.e2e.p99)), sentRps: roundFigure(pick((x) => x.sentRps)) };
  }

  const med = (f: Figure) => roundFigure(spreads[f]?.median ?? Number.NaN);
  const ratios = Object.fromEntries(RATIOS.map(([name]) => [name, roundFigure(ratioSpreads[name]?.median ?? Number.NaN)]));
  const p99At20k = latencyMs[String(P99_TARGET_LOAD)]?.p99 ?? null;
  const lagRuns = reps.map((r) => r.orderedLag).filter((x) => x !== undefined);
  const orderedLag =
    lagRuns.length === 0
      ? null
      : {
          p50: roundFigure(median(lagRuns.map((x) => x.p50))),
          p99: roundFigure(median(lagRuns.map((x) => x.p99))),
          max: roundFigure(Math.max(...lagRuns.map((x) => x.max))),
          offeredRps: ORDERED_LAG_LOAD,
        };
  const maxOf = (f: Figure) => {
    const v = values(reps, f);
    return v.length > 0 ? roundFigure(Math.max(...v)) : null;
  };
  // The reader's memory target holds for every repetition, so the worst one counts.
  const readerMaxRssMb = maxOf('readerMaxRssMb');
  const proofRuns = reps.map((r) => r.proofMs).filter((x) => x !== undefined);
  const proofs =
    proofRuns.length === 0
      ? null
      : {
          treeSize: proofRuns[0]!.treeSize,
          inclusion: medianSummary(proofRuns.map((x) => x.inclusion)),
          consistency: medianSummary(proofRuns.map((x) => x.consistency)),
        };
  const cpLagRuns = reps.map((r) => r.checkpointLag).filter((x) => x !== undefined);
  const checkpointLag =
    cpLagRuns.length === 0
      ? null
      : {
          ...medianSummary(cpLagRuns.map((x) => x.lag)),
          offeredRps: cpLagRuns[0]!.offeredRps,
          fromCutClosed: medianSummary(cpLagRuns.map((x) => x.fromClose)),
          cutVisible: medianSummary(cpLagRuns.map((x) => x.e2e)),
          // In the ledger a cut and its checkpoint commit in one transaction: any cut without one is named here.
          cutsWithoutCheckpoint: cpLagRuns.reduce((n, x) => n + x.unsignedCuts, 0),
        };
  const logViewOnRps = med('logViewOnRps');
  const verifyRps = med('verifyRps');
  const knees = reps.map((r) => r.knee).filter((k) => k !== undefined);
  const kneeValues = knees.map((k) => k.rps ?? 0);
  const targets = {
    seqchainOverClientCeilingAtLeast0_8: ratios.seqchainOverClientCeiling === null ? null : ratios.seqchainOverClientCeiling! >= 0.8,
    seqchainOverOnePartitionAtLeast1_0: ratios.seqchainOverOnePartition === null ? null : ratios.seqchainOverOnePartition! >= 1.0,
    p99At20kAtMost50ms: p99At20k === null ? null : p99At20k <= P99_TARGET_MS,
    readerOverRawOneProcessAtLeast0_8: ratios.readerOverRawOneProcess === null ? null : ratios.readerOverRawOneProcess! >= 0.8,
    readerRssAtMost200Mb: readerMaxRssMb === null ? null : readerMaxRssMb <= READER_RSS_TARGET_MB,
    logViewOnOverOffAtLeast0_9: ratios.logViewOnOverOff === null ? null : ratios.logViewOnOverOff! >= 0.9,
    logViewOnAtLeast100kRps: logViewOnRps === null ? null : logViewOnRps >= LOG_VIEW_ON_TARGET_RPS,
    proofP99AtMost5ms: proofs === null || proofs.inclusion.p99 === null ? null : proofs.inclusion.p99 <= PROOF_P99_TARGET_MS,
    checkpointLagP99AtMost10ms: checkpointLag === null || checkpointLag.p99 === null ? null : checkpointLag.p99 <= CHECKPOINT_LAG_P99_TARGET_MS,
    verifyAtLeast100kRps: verifyRps === null ? null : verifyRps >= VERIFY_TARGET_RPS,
    failoverWorstAtMost2s: input.failover ? input.failover.worstMs <= FAILOVER_TARGET_MS : null,
    workerFailoverWorstAtMost3s: input.workerFailover ? input.workerFailover.worstMs <= WORKER_FAILOVER_TARGET_MS : null,
  };
  const json: Record<string, unknown> = {
    ...input.meta,
    chainLimitRps: med('chainLimitRps'),
    linkOnlyRps: med('linkOnlyRps'),
    clientCeilingRps: med('clientCeilingRps'),
    onePartitionRps: med('onePartitionRps'),
    seqchainRps: med('seqchainRps'),
    cpuUsPerRecord: {
      clientCeiling: med('clientCeilingCpuUsPerRecord'),
      onePartition: med('onePartitionCpuUsPerRecord'),
      seqchain: med('seqchainCpuUsPerRecord'),
    },
    rawOneProcessRps: med('rawOneProcessRps'),
    readerRps: med('readerRps'),
    readerBoundedRps: med('readerBoundedRps'),
    readerMaxRssMb,
    readerDefaultsMaxRssMb: maxOf('readerDefaultsMaxRssMb'),
    readerMeasures:
      'readerRps: readSequenced (client options: its source thread) from seq 1 to the head over the backlog, one process at Node defaults like the one-kafkajs-process baseline, middle 80%; readerBoundedRps and readerMaxRssMb: the same under --max-semi-space-size=4 --max-old-space-size=128 and MALLOC_ARENA_MAX=2 (docs/CONSUMING.md, the memory bound), highest RSS of any repetition; readerDefaultsMaxRssMb: the highest RSS at the defaults',
    verifyRecordsPerSec: verifyRps,
    verifyWallRecordsPerSec: med('verifyWallRps'),
    verifyMaxRssMb: values(reps, 'verifyMaxRssMb').length > 0 ? roundFigure(Math.max(...values(reps, 'verifyMaxRssMb'))) : null,
    verifyMeasures:
      'seqchain verify --json (the CLI, its own process) from the genesis over the backlog the seqchain phase sequenced: records ÷ the report durationMs (from its first Kafka request to the report, consumer-group joins included; Node start, module load and the ZooKeeper genesis read excluded); Wall: ÷ spawn → exit; MaxRssMb: the highest of the runs',
    kneeRecordsPerSec: knees.length === 0 ? null : roundFigure(median(kneeValues)),
    kneeRuns: knees.length === 0 ? null : knees.map((k) => k.runs),
    kneeMeasures: `highest offered rate whose latency run had produce → cut visible p99 ≤ ${KNEE_P99_MS} ms, sent ≥ 95% of the offer and every record in the ledger, per repetition (the --loads runs, then a bisecting search of --knee-steps runs), median of the repetitions (0: no rate passed)`,
    ...hopFigures(reps),
    failoverMs: input.failover ? roundFigure(input.failover.medianMs) : null,
    failoverWorstMs: input.failover ? roundFigure(input.failover.worstMs) : null,
    failoverClosedMs: input.failover ? roundFigure(input.failover.closedMedianMs) : null,
    failoverSamplesMs: input.failover ? input.failover.samplesMs.map(roundFigure) : null,
    failoverStepMediansMs: input.failover?.stepMediansMs ?? null,
    failoverWorstSteps: input.failover?.worstSteps ?? null,
    failoverMeasures:
      'leader SIGKILL (its process restarted at once with the same id) → the first cut of the next epoch received by a read_committed ledger reader, median and worst over the kills; failoverClosedMs: → that cut closedAtMs (median)',
    workerFailoverMs: input.workerFailover ? roundFigure(input.workerFailover.medianMs) : null,
    workerFailoverWorstMs: input.workerFailover ? roundFigure(input.workerFailover.worstMs) : null,
    workerFailoverSamplesMs: input.workerFailover ? input.workerFailover.samplesMs.map(roundFigure) : null,
    workerFailoverMeasures:
      'SIGKILL of a replica that does not lead (restarted at once with the same id) → the ledger covers, on every source partition its worker owned, a record produced after the kill (read_committed ledger reader), median and worst over the kills',
    orderedRps: med('orderedRps'),
    orderedLagRecords: orderedLag,
    logViewOnRps,
    logViewOffRps: med('logViewOffRps'),
    proofP50Ms: proofs?.inclusion.p50 ?? null,
    proofP99Ms: proofs?.inclusion.p99 ?? null,
    proofTreeSize: proofs?.treeSize ?? null,
    consistencyProofP50Ms: proofs?.consistency.p50 ?? null,
    consistencyProofP99Ms: proofs?.consistency.p99 ?? null,
    checkpointLagMs: checkpointLag,
    logViewMeasures:
      'logViewOn/OffRps: seqchain from backlog over the same records, view on and off alternated, middle 80%; proof*Ms: GET /v1/proofs/inclusion?seq=<random> (consistency: from=<random>) from a non-leading replica, one request at a time, at the backlog size, after its index caught up; checkpointLagMs: a cut visible to a read_committed ledger reader → the first GET /checkpoint answer of a non-leading replica with a size ≥ the end of the cut (fromCutClosed: from closedAtMs of the cut; cutVisible: produce → cut visible, for comparison)',
    fromReadyRps: { clientCeiling: med('clientCeilingFromReadyRps'), onePartition: med('onePartitionFromReadyRps'), seqchain: med('seqchainFromReadyRps') },
    throughputMeasures:
      'records/s over the middle 80% of the backlog (10% → 90% done); fromReadyRps: from the moment the consumers or replicas were ready to the last record',
    ratios,
    latencyMs,
    latencyMeasures: "produce (the record's intended send time, stamped as its Kafka timestamp) → its cut received by a read_committed consumer of the ledger",
    cutCloseMs,
    rssMb: input.rssMb,
    targets,
    spread: {
      ...Object.fromEntries(Object.entries(spreads).map(([k, s]) => [k, compactSpread(s)])),
      ratios: Object.fromEntries(Object.entries(ratioSpreads).map(([k, s]) => [k, compactSpread(s)])),
      latencyP99: Object.fromEntries(Object.entries(latencySpread).map(([k, s]) => [k, compactSpread(s.p99)])),
    },
    ...input.extra,
  };
  return { json, table: renderTable(input, spreads, ratioSpreads, loads, latencyMs, cutCloseMs, latencySpread, targets, { proofs, checkpointLag }) };
}

/**
 * hopShares: per offered load, each hop's share of the mean produce → visible (median over the
 * repetitions); hopMs: its mean, p50 and p99 in ms (medians), and the samples traced.
 */
function hopFigures(reps: Repetition[]): Record<string, unknown> {
  const loads = [...new Set(reps.flatMap((r) => Object.keys(r.hops ?? {})))].sort((a, b) => Number(a) - Number(b));
  if (loads.length === 0) return { hopShares: null, hopMs: null };
  const shares: Record<string, Record<string, number | null>> = {};
  const ms: Record<string, Record<string, unknown>> = {};
  for (const load of loads) {
    const runs = reps.map((r) => r.hops?.[load]).filter((h): h is HopSummary => h !== undefined && h !== null);
    if (runs.length === 0) continue;
    shares[load] = Object.fromEntries(HOPS.map((h) => [h, roundFigure(median(runs.map((x) => x.hops[h].share)))]));
    ms[load] = {
      samples: runs.reduce((n, x) => n + x.samples, 0),
      meanMs: roundFigure(median(runs.map((x) => x.meanMs))),
      ...Object.fromEntries(
        HOPS.map((h) => [
          h,
          {
            meanMs: roundFigure(median(runs.map((x) => x.hops[h].meanMs))),
            p50: roundFigure(median(runs.map((x) => x.hops[h].p50))),
            p99: roundFigure(median(runs.map((x) => x.hops[h].p99))),
          },
        ]),
      ),
    };
  }
  return {
    hopShares: shares,
    hopMs: ms,
    hopMeasures:
      'every 50th record of each latency run: produced (its timestamp) → the Kafka timestamp of the first digest batch covering it (the worker send) → its cut closedAtMs → the Kafka timestamp of the cut ledger message (the transactional send) → received by a read_committed ledger reader; share = the hop mean ÷ the mean of the whole',
  };
}

/** The median of each percentile over repetitions (count: the samples of all). */
function medianSummary(runs: LatencySummary[]): { p50: number | null; p99: number | null; max: number | null; samples: number } {
  return {
    p50: roundFigure(median(runs.map((x) => x.p50))),
    p99: roundFigure(median(runs.map((x) => x.p99))),
    max: roundFigure(median(runs.map((x) => x.max))),
    samples: runs.reduce((n, x) => n + x.count, 0),
  };
}

function compactSpread(s: Spread): Record<string, unknown> {
  return {
    median: roundFigure(s.median),
    min: roundFigure(s.min),
    max: roundFigure(s.max),
    relative: roundFigure(s.relative),
    values: s.values.map(roundFigure),
  };
}

function verdict(ok: boolean | null): string {
  return ok === null ? 'n/a' : ok ? 'met' : 'NOT met';
}

function renderTable(
  input: ReportInput,
  spreads: Partial<Record<Figure, Spread>>,
  ratioSpreads: Record<string, Spread>,
  loads: string[],
  latencyMs: Record<string, { p50: number | null; p99: number | null; max: number | null; samples: number }>,
  cutCloseMs: Record<string, { p50: number | null; p99: number | null; max: number | null }>,
  latencySpread: Record<string, { p99: Spread; sentRps: number | null }>,
  targets: Record<string, boolean | null>,
  logView: {
    proofs: { treeSize: number; inclusion: ReturnType<typeof medianSummary>; consistency: ReturnType<typeof medianSummary> } | null;
    checkpointLag: (ReturnType<typeof medianSummary> & { offeredRps: number; cutsWithoutCheckpoint: number }) | null;
  },
): string {
  const out: string[] = [];
  const rowsOf = (cpu: boolean, fmt: (n: number) => string) =>
    FIGURES.filter(([f]) => spreads[f] && CPU_FIGURES.has(f) === cpu).map(([f, label]) => {
      const s = spreads[f]!;
      return [label, fmt(s.median), fmt(s.min), fmt(s.max), fmtPct(s.relative), String(s.values.length)];
    });
  const throughput = rowsOf(false, fmtInt);
  if (throughput.length > 0) out.push(formatTable(['throughput, records/s', 'median', 'min', 'max', 'spread', 'runs'], throughput));
  const cpu = rowsOf(true, (n) => n.toFixed(2));
  if (cpu.length > 0) out.push(formatTable(['CPU per record from ready, µs, every process', 'median', 'min', 'max', 'spread', 'runs'], cpu));
  const ratioRows = RATIOS.filter(([name]) => ratioSpreads[name]).map(([name, , , label, target]) => {
    const s = ratioSpreads[name]!;
    const goal = target === null ? '' : `≥ ${target.toFixed(2)}`;
    const met = target === null ? '' : verdict(s.median >= target);
    return [label, fmtRatio(s.median), fmtRatio(s.min), fmtRatio(s.max), goal, met];
  });
  if (ratioRows.length > 0) out.push(formatTable(['ratio (per repetition)', 'median', 'min', 'max', 'target', ''], ratioRows));
  if (loads.length > 0) {
    const rows = loads.map((load) => {
      const l = latencyMs[load]!;
      const c = cutCloseMs[load]!;
      const sp = latencySpread[load]!;
      return [
        fmtInt(Number(load)),
        fmtInt(sp.sentRps ?? Number.NaN),
        fmtMs(l.p50 ?? Number.NaN),
        fmtMs(l.p99 ?? Number.NaN),
        fmtMs(l.max ?? Number.NaN),
        `${fmtMs(sp.p99.min)}–${fmtMs(sp.p99.max)}`,
        fmtMs(c.p50 ?? Number.NaN),
        fmtMs(c.p99 ?? Number.NaN),
        fmtInt(l.samples),
      ];
    });
    out.push(
      'latency, ms: produce → cut committed and visible to a ledger reader (e2e); produce → cut closed (close)\n' +
        formatTable(['offered/s', 'sent/s', 'e2e p50', 'e2e p99', 'e2e max', 'p99 range', 'close p50', 'close p99', 'samples'], rows),
    );
  }
  const lines: string[] = [];
  const lags = input.repetitions.map((r) => r.orderedLag).filter((x) => x !== undefined);
  if (lags.length > 0)
    lines.push(
      `ordered-topic writer behind the ledger at ${fmtInt(ORDERED_LAG_LOAD)}/s offered, records: ${lags.map((l) => `p50 ${fmtInt(l.p50)} p99 ${fmtInt(l.p99)} max ${fmtInt(l.max)}`).join('; ')}`,
    );
  const readerRss = values(input.repetitions, 'readerMaxRssMb');
  if (readerRss.length > 0)
    lines.push(
      `reader RSS, highest of each run: ${readerRss.map((v) => fmtInt(v)).join(', ')} MiB (target ≤ ${READER_RSS_TARGET_MB}) ${verdict(Math.max(...readerRss) <= READER_RSS_TARGET_MB)}`,
    );
  if (logView.proofs) {
    const { inclusion: i, consistency: c, treeSize } = logView.proofs;
    lines.push(
      `proofs from the API at tree size ${fmtInt(treeSize)}, ms: inclusion p50 ${fmtMs(i.p50 ?? Number.NaN)} p99 ${fmtMs(i.p99 ?? Number.NaN)} max ${fmtMs(i.max ?? Number.NaN)} (${fmtInt(i.samples)}); consistency p50 ${fmtMs(c.p50 ?? Number.NaN)} p99 ${fmtMs(c.p99 ?? Number.NaN)} (${fmtInt(c.samples)}); target p99 ≤ ${PROOF_P99_TARGET_MS} ms ${verdict(targets.proofP99AtMost5ms ?? null)}`,
    );
  }
  if (logView.checkpointLag) {
    const l = logView.checkpointLag;
    lines.push(
      `checkpoint lag at ${fmtInt(l.offeredRps)}/s offered, cut visible in the ledger → /checkpoint covers it, ms: p50 ${fmtMs(l.p50 ?? Number.NaN)} p99 ${fmtMs(l.p99 ?? Number.NaN)} max ${fmtMs(l.max ?? Number.NaN)} (${fmtInt(l.samples)} cuts, ${fmtInt(l.cutsWithoutCheckpoint)} of them unsigned in the ledger); target p99 ≤ ${CHECKPOINT_LAG_P99_TARGET_MS} ms ${verdict(targets.checkpointLagP99AtMost10ms ?? null)}`,
    );
  }
  if (targets.logViewOnAtLeast100kRps !== null && targets.logViewOnAtLeast100kRps !== undefined)
    lines.push(`log view on ≥ ${fmtInt(LOG_VIEW_ON_TARGET_RPS)} entries/s: ${verdict(targets.logViewOnAtLeast100kRps)}`);
  if (targets.verifyAtLeast100kRps !== null && targets.verifyAtLeast100kRps !== undefined) {
    const rss = values(input.repetitions, 'verifyMaxRssMb');
    lines.push(
      `seqchain verify ≥ ${fmtInt(VERIFY_TARGET_RPS)} records/s after start-up: ${verdict(targets.verifyAtLeast100kRps)}${rss.length > 0 ? `; its RSS at most ${rss.map((v) => fmtInt(v)).join(', ')} MiB` : ''}`,
    );
  }
  const hopLoads = [...new Set(input.repetitions.flatMap((r) => Object.keys(r.hops ?? {})))].sort((a, b) => Number(a) - Number(b));
  const hopRows = hopLoads.flatMap((load) => {
    const runs = input.repetitions.map((r) => r.hops?.[load]).filter((h): h is HopSummary => h !== undefined && h !== null);
    if (runs.length === 0) return [];
    return [
      [
        fmtInt(Number(load)),
        ...HOPS.map((h) => `${fmtPct(median(runs.map((x) => x.hops[h].share)))} (${fmtMs(median(runs.map((x) => x.hops[h].p50)))})`),
        fmtMs(median(runs.map((x) => x.meanMs))),
      ],
    ];
  });
  if (hopRows.length > 0)
    out.push(
      'per-hop share of the mean produce → cut visible, median of the repetitions (p50 of the hop, ms)\n' +
        formatTable(['offered/s', 'produce → worker', 'digests → cut closed', 'closed → ledger sent', 'sent → visible', 'mean, ms'], hopRows),
    );
  const knees = input.repetitions.map((r) => r.knee).filter((k) => k !== undefined);
  if (knees.length > 0)
    lines.push(
      `knee, highest offered rate with e2e p99 ≤ ${KNEE_P99_MS} ms, records/s: ${knees.map((k) => (k.rps === null ? 'none' : fmtInt(k.rps))).join(', ')} (median ${fmtInt(median(knees.map((k) => k.rps ?? 0)))}); runs tried: ${knees.map((k) => k.runs.map((x) => `${fmtInt(x.offeredRps)} (p99 ${fmtMs(x.p99Ms)})`).join(' ')).join(' | ')}`,
    );
  if (input.failover) {
    const f = input.failover;
    lines.push(
      `failover, leader SIGKILL → first cut of the next epoch visible, ms: median ${fmtMs(f.medianMs)}, worst ${fmtMs(f.worstMs)} of ${f.kills} kills (${f.samplesMs.map((x) => fmtMs(x)).join(', ')}); cut closed after ${fmtMs(f.closedMedianMs)} (median); target worst ≤ ${fmtInt(FAILOVER_TARGET_MS)} ms ${verdict(f.worstMs <= FAILOVER_TARGET_MS)}`,
    );
    const m = f.stepMediansMs;
    if (m && m.elected !== null) {
      const worst = f.worstSteps ? `; the worst kill: ${describeSteps(f.worstSteps)}` : '';
      lines.push(
        `failover steps, medians from SIGKILL, ms: verdict ${m.verdict === null ? '–' : fmtMs(m.verdict)}, successor elected ${fmtMs(m.elected)}, its term ready ${m.leading === null ? '–' : fmtMs(m.leading)}${worst}`,
      );
    }
  }
  if (input.workerFailover) {
    const w = input.workerFailover;
    lines.push(
      `failover, worker SIGKILL → its partitions flowing again, ms: median ${fmtMs(w.medianMs)}, worst ${fmtMs(w.worstMs)} of ${w.kills} kills (${w.samplesMs.map((x) => fmtMs(x)).join(', ')}); target worst ≤ ${fmtInt(WORKER_FAILOVER_TARGET_MS)} ms ${verdict(w.worstMs <= WORKER_FAILOVER_TARGET_MS)}`,
    );
  }
  if (input.rssMb)
    lines.push(
      `RSS (${input.rssMb.of}, ${input.rssMb.during}): ${fmtInt(input.rssMb.start ?? Number.NaN)} MiB at start → ${fmtInt(input.rssMb.end ?? Number.NaN)} MiB at end`,
    );
  lines.push(
    `targets: seqchain ≥ 0.8 × client ceiling: ${verdict(targets.seqchainOverClientCeilingAtLeast0_8 ?? null)}; ≥ 1.0 × one-partition: ${verdict(targets.seqchainOverOnePartitionAtLeast1_0 ?? null)}; p99 ≤ ${P99_TARGET_MS} ms at ${fmtInt(P99_TARGET_LOAD)}/s: ${verdict(targets.p99At20kAtMost50ms ?? null)}`,
  );
  out.push(lines.join('\n'));
  return out.join('\n\n');
}
