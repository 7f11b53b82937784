/**
 * seqchain under fixed offered loads: a new chain over the live topic (start latest), N
 * replicas, a ledger watcher (bench/child/ledger-watch.ts), then for each load an open-loop run
 * of `seconds`, a drain (every record visible in the ledger), and the latency summaries of that
 * run. Also the soak: one long run at one load, with the replicas' RSS sampled throughout.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';
import { waitFor } from '../../scripts/lib/replica-set.js';
import { loadConfig } from '../../src/config/load.js';
import { createKafka } from '../../src/kafka/client.js';
import { kafkaClientOptions } from '../../src/config/slices.js';
import type { Logger } from '../../src/log.js';
import { initChain } from '../../src/ops/init-chain.js';
import type { WatchMessage } from '../child/ledger-watch.js';
import { loadavg } from 'node:os';
import { rssMb } from '../lib/proc.js';
import type { RecordFactory } from '../lib/records.js';
import type { LatencySummary } from '../lib/stats.js';
import { type DigestSend, type HopSample, type HopSummary, hopShares } from '../lib/hops.js';
import { kafkaNames } from '../../src/kafka/names.js';
import { topicOffsets, withAdmin } from '../../src/kafka/offsets.js';
import { readRanges } from '../../src/kafka/range-reader.js';
import { decodeDigestBatch } from '../../src/wire/digest-batch-v1.js';
import { offerLoad } from './load.js';
import { leaderPid, sampleReplicas, startReplicas, stopReplicas, waitSteady, type BenchReplicas } from './replicas.js';

const WATCHER = fileURLToPath(new URL('../child/ledger-watch.js', import.meta.url));

export interface LoadRun {
  offeredRps: number;
  sentRps: number;
  records: number;
  /** Produce (intended send time) → cut visible to a read_committed ledger reader. */
  e2e: LatencySummary;
  /** Produce (intended send time) → cut closed by the sequencer (closedAtMs). */
  close: LatencySummary;
  /** How far the load generator's sends started behind schedule (included in e2e and close). */
  generatorBehindMs: LatencySummary;
  cuts: number;
  meanRecordsPerCut: number;
  /** False when the drain timed out (soak only): the latencies then cover only the records seen in the ledger. */
  complete: boolean;
  /** Records of this run seen in the ledger when it was collected. */
  recordsSeen: number;
  /** CPU the replicas used during the run, in cores (1 = one core busy): the leader, then the others. */
  cpuCores: { leader: number; followers: number[] };
  /** The machine's 1-minute load average at the end of the run (other users of the machine count). */
  loadAverage: number;
  /** Per-hop latency of a sample of the run's records (lib/hops.ts); only when asked for, null when none could be traced. */
  hops?: HopSummary | null;
  /** Every cut of the run: end seq, seen by the ledger reader at, closed at (ms); cuts without a signed checkpoint; only when asked for. */
  cutTimes?: { lastSeq: number[]; visibleAt: number[]; closedAt: number[]; unsigned: number };
}

export interface RssSample {
  atS: number;
  leaderMb: number;
  replicasMb: Record<string, number>;
}

export interface LatencySession {
  runs: LoadRun[];
  /** RSS of the leader replica before the first (warm-up) load and after the last, MiB. */
  leaderRssMb: { start: number; end: number };
  rss: RssSample[];
  /** What the sidecar's stop gave, if one ran. */
  sidecar?: unknown;
}

class Watcher {
  private seen = 0;
  private waiting: ((m: Extract<WatchMessage, { type: 'collected' }>) => void) | null = null;
  private readonly ready: Promise<void>;

  constructor(private readonly child: ChildProcess) {
    let markReady!: () => void;
    this.ready = new Promise((res) => (markReady = res));
    child.on('message', (m: WatchMessage) => {
      if (m.type === 'ready') markReady();
      else if (m.type === 'progress') this.seen = m.records;
      else if (m.type === 'collected') this.waiting?.(m);
    });
  }

  static start(chain: string, cutTimes: boolean, hopEvery: number): Watcher {
    const env = {
      ...process.env,
      BENCH_CHAIN: chain,
      ...(cutTimes ? { BENCH_WATCH_CUTS: '1' } : {}),
      ...(hopEvery > 0 ? { BENCH_WATCH_HOPS: String(hopEvery) } : {}),
    };
    return new Watcher(fork(WATCHER, [], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  }

  get records(): number {
    return this.seen;
  }

  async whenReady(timeoutMs: number): Promise<void> {
    await Promise.race([this.ready, sleep(timeoutMs).then(() => Promise.reject(new Error('ledger watcher did not join its group')))]);
  }

  collect(): Promise<Extract<WatchMessage, { type: 'collected' }>> {
    return new Promise((res) => {
      this.waiting = res;
      this.child.send({ type: 'collect' });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((res) => this.child.once('exit', res));
    this.child.send({ type: 'stop' });
    await Promise.race([exited, sleep(10_000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

export async function runLatencySession(
  factory: RecordFactory,
  opts: {
    label: string;
    chain: string;
    topic: string;
    partitions: number;
    replicas: number;
    /** Offered loads in order, records/s; each for `seconds`. */
    loads: number[];
    seconds: number;
    warmupSeconds: number;
    logger: Logger;
    /** Sample RSS every this many ms during the runs (0 = only start and end). */
    rssEveryMs: number;
    /** Show progress lines of the load generator. */
    progress: boolean;
    /**
     * How long to wait for the last run's records to reach the ledger; past it, a soak reports what
     * it saw (complete: false) instead of failing. Default 180 s, and failing.
     */
    drainTimeoutMs?: number;
    tolerateBacklog?: boolean;
    /** Started once the set is steady, with the number of records the ledger holds so far; stopped (and awaited) after the runs. */
    sidecar?: (chain: string, ledgerRecords: () => number, replicas: BenchReplicas) => Promise<() => Promise<unknown>>;
    /** Extra environment of every replica. */
    env?: Record<string, string>;
    /** Keep every cut's end seq and the moments it closed and was seen in the ledger (LoadRun.cutTimes). */
    cutTimes?: boolean;
    /** Trace every n-th record hop by hop (LoadRun.hops); 0 = none. @defaultValue 0 */
    hopEvery?: number;
    /** After `loads`, the next load to offer given the runs so far, until it says null (the knee's search). */
    more?: (runs: readonly LoadRun[]) => number | null;
  },
): Promise<LatencySession> {
  const { logger } = opts;
  const config = loadConfig({ overrides: { chain: opts.chain } });
  await initChain(config, logger, { topic: opts.topic, partitions: opts.partitions, start: 'latest', force: false });
  const replicas = startReplicas({ chain: opts.chain, replicas: opts.replicas, logger, cpuProfDir: null, ...(opts.env ? { env: opts.env } : {}) });
  let watcher: Watcher | null = null;
  let producer: Producer | null = null;
  const rss: RssSample[] = [];
  let sampler: NodeJS.Timeout | null = null;
  let stopSidecar: (() => Promise<unknown>) | null = null;
  try {
    await waitSteady(replicas, opts.partitions);
    watcher = Watcher.start(opts.chain, opts.cutTimes ?? false, opts.hopEvery ?? 0);
    await watcher.whenReady(60_000);
    const w = watcher;
    if (opts.sidecar) stopSidecar = await opts.sidecar(opts.chain, () => w.records, replicas);
    producer = createKafka(kafkaClientOptions(config), logger, 'bench-load').producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const leader = await leaderPid(replicas);
    const t0 = Date.now();
    const sample = () => {
      const all = sampleReplicas(replicas);
      rss.push({
        atS: Math.round((Date.now() - t0) / 1000),
        leaderMb: rssMb(leader.pid),
        replicasMb: Object.fromEntries([...all].map(([id, s]) => [id, Math.round(s.rssMb)])),
      });
    };
    sample();
    const start = rss[0]!.leaderMb;
    if (opts.rssEveryMs > 0) sampler = setInterval(sample, opts.rssEveryMs);

    let produced = 0;
    const drain = async (label: string, tolerate: boolean): Promise<boolean> => {
      try {
        await waitFor(
          `${label}: every record visible in the ledger`,
          async () => {
            assertAlive(replicas);
            return watcher!.records >= produced;
          },
          opts.drainTimeoutMs ?? 180_000,
          20,
        );
        return true;
      } catch (err) {
        if (!tolerate) throw err;
        return false;
      }
    };
    if (opts.warmupSeconds > 0) {
      const warm = await offerLoad(producer, factory, {
        topic: opts.topic,
        partitions: opts.partitions,
        rate: opts.loads[0]!,
        seconds: opts.warmupSeconds,
        firstIndex: produced,
        label: null,
      });
      produced += warm.records;
      await drain('warm-up', false);
      await watcher.collect();
    }
    const runs: LoadRun[] = [];
    const hopSamples: HopSample[][] = [];
    const queue = [...opts.loads];
    for (let rate = queue.shift(); rate !== undefined; rate = queue.shift() ?? opts.more?.(runs) ?? undefined) {
      assertAlive(replicas);
      const cpuBefore = sampleReplicas(replicas);
      const runStarted = Date.now();
      const sent = await offerLoad(producer, factory, {
        topic: opts.topic,
        partitions: opts.partitions,
        rate,
        seconds: opts.seconds,
        firstIndex: produced,
        label: opts.progress ? `${opts.label} ${rate}/s` : null,
      });
      produced += sent.records;
      const complete = await drain(`${opts.label} at ${rate}/s`, opts.tolerateBacklog ?? false);
      const c = await watcher.collect();
      const cpuAfter = sampleReplicas(replicas);
      const seconds = (Date.now() - runStarted) / 1000;
      const cores = (id: string) => ((cpuAfter.get(id)?.cpuS ?? Number.NaN) - (cpuBefore.get(id)?.cpuS ?? Number.NaN)) / seconds;
      if (complete && c.records !== sent.records)
        throw new Error(`${opts.label} at ${rate}/s: the ledger holds ${c.records} records of this run, ${sent.records} were produced`);
      runs.push({
        offeredRps: rate,
        sentRps: sent.sentRps,
        records: sent.records,
        e2e: c.e2e,
        close: c.close,
        generatorBehindMs: sent.behindMs,
        cuts: c.cuts,
        meanRecordsPerCut: c.records / Math.max(1, c.cuts),
        complete,
        recordsSeen: c.records,
        cpuCores: { leader: cores(leader.id), followers: replicas.ids.filter((id) => id !== leader.id).map(cores) },
        loadAverage: loadavg()[0]!,
        ...(c.cutTimes ? { cutTimes: c.cutTimes } : {}),
      });
      hopSamples.push(c.hops ?? []);
    }
    if ((opts.hopEvery ?? 0) > 0) {
      // One read of the digest topic after the runs: when each batch was sent, for every sample.
      const sends = await readDigestSends(config, opts.chain, logger);
      runs.forEach((run, i) => {
        run.hops = hopShares(hopSamples[i]!, sends);
      });
    }
    sample();
    const stop = stopSidecar;
    stopSidecar = null;
    const sidecar = stop ? await stop() : undefined;
    return { runs, leaderRssMb: { start, end: rss[rss.length - 1]!.leaderMb }, rss, ...(stop ? { sidecar } : {}) };
  } finally {
    if (sampler) clearInterval(sampler);
    await stopSidecar?.().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await watcher?.stop();
    await stopReplicas(replicas);
  }
}

/** Every digest batch of the chain: partition, source range, and its Kafka timestamp (when the worker sent it). */
async function readDigestSends(config: ReturnType<typeof loadConfig>, chain: string, logger: Logger): Promise<DigestSend[]> {
  const kafka = createKafka(kafkaClientOptions(config), logger, 'bench-hops');
  const topic = kafkaNames.digestTopic(chain);
  const offsets = await withAdmin(kafka, (admin) => topicOffsets(admin, topic));
  const ranges = new Map(offsets.map((o, p) => [p, { from: o.low, to: o.high }]));
  const sends: DigestSend[] = [];
  await readRanges({
    kafka,
    topic,
    ranges,
    groupPrefix: kafkaNames.readerGroup(chain, 'bench-hops'),
    logger,
    onMessages: (_p, messages) => {
      for (const m of messages) {
        if (!m.value) continue;
        const b = decodeDigestBatch(m.value);
        sends.push({ partition: b.partition, from: Number(b.from), to: Number(b.to), sentAt: Number(m.timestamp) });
      }
    },
  });
  return sends;
}

function assertAlive(r: BenchReplicas): void {
  const dead = [...r.set.replicas.values()].find((p) => p.child.exitCode !== null);
  if (dead) throw new Error(`replica ${dead.id} exited with code ${dead.child.exitCode}; see ${dead.logFile}`);
}
