/**
 * seqchain from backlog: a new chain over the already filled source topic (start earliest), N
 * replicas started together, sequenced records/s read from the counter znode (moved after every
 * cut's transaction commits) every 20 ms. The figure is the sustained rate over the middle 80% of
 * the records (lib/trace.ts); beside it, the rate from the moment the set was ready (leader
 * reconciled, every worker holding its final partitions) to the last record, which includes a
 * new leader's first cuts.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Progress } from '../../src/cli/progress.js';
import { loadConfig } from '../../src/config/load.js';
import { createKafka } from '../../src/kafka/client.js';
import { kafkaClientOptions } from '../../src/config/slices.js';
import { readLedger } from '../../src/kafka/ledger-reader.js';
import { kafkaNames } from '../../src/kafka/names.js';
import { topicOffsets, withAdmin } from '../../src/kafka/offsets.js';
import type { Logger } from '../../src/log.js';
import { initChain } from '../../src/ops/init-chain.js';
import { cutMessageBytes } from '../lib/ledger-size.js';
import { cpuSeconds, STACK_DIR, stackPid } from '../lib/proc.js';
import { perRecordUs, steadyRate } from '../lib/stats.js';
import { ProgressTrace } from '../lib/trace.js';
import { type BenchReplicas, isSteady, leaderPid, sampleReplicas, startReplicas, stopReplicas } from './replicas.js';

export interface LedgerShape {
  cuts: number;
  records: number;
  /** Encoded ledger message bytes (SCM1) per record. */
  messageBytesPerRecord: number;
  /** Bytes the ledger partition's log segments take on disk per record (record batches, commit markers); null when not found. */
  diskBytesPerRecord: number | null;
  meanRecordsPerCut: number;
  /** Cuts closed per second during the steady window. */
  cutsPerSecond: number;
}

export interface SeqchainRunResult {
  /** Sustained rate over the middle 80% of the records, records/s. */
  rps: number;
  /** From the moment the set was ready to the last record, records/s. */
  fromReadyRps: number;
  wallRps: number;
  beforeSteady: number;
  steadyMs: number;
  /** CPU used from the moment the set was ready to the last record, in cores (1 = one core busy), per process. */
  cpu: { leader: number; followers: number[]; kafka: number; redis: number; zookeeper: number };
  /** The same CPU, every process together (replicas, Kafka, Redis, ZooKeeper), µs per record sequenced in that window. */
  cpuUsPerRecord: number;
  ledger: LedgerShape | null;
}

export async function runSeqchainBacklog(opts: {
  label: string;
  chain: string;
  topic: string;
  partitions: number;
  replicas: number;
  total: number;
  logger: Logger;
  cpuProfDir: string | null;
  readLedgerShape: boolean;
  timeoutMs: number;
  /** Extra environment of every replica. */
  env?: Record<string, string>;
  /** Runs once every record is sequenced, before the replicas stop (the log-view phase reads their APIs and index). */
  afterSequenced?: (r: BenchReplicas) => Promise<void>;
}): Promise<SeqchainRunResult> {
  const { logger, total } = opts;
  const stackPids = { kafka: stackPid('kafka'), redis: stackPid('redis'), zookeeper: stackPid('zookeeper') };
  await initChain(loadConfig({ overrides: { chain: opts.chain } }), logger, { topic: opts.topic, start: 'earliest', force: false });
  const r = startReplicas({ chain: opts.chain, replicas: opts.replicas, logger, cpuProfDir: opts.cpuProfDir, ...(opts.env ? { env: opts.env } : {}) });
  const startedAt = Date.now();
  const progress = new Progress(`bench ${opts.label}`, total);
  let steadyAt: number | null = null;
  /** Records already sequenced when the set became ready (0 while it is not). */
  let doneAtSteady = 0;
  let cpuAtSteady: Map<string, { cpuS: number }> | null = null;
  let stackCpuAtSteady = { kafka: Number.NaN, redis: Number.NaN, zookeeper: Number.NaN };
  let lastSteadyCheck = 0;
  let done = 0;
  const trace = new ProgressTrace();
  try {
    for (;;) {
      const now = Date.now();
      if (now - startedAt > opts.timeoutMs)
        throw new Error(`${opts.label}: ${done} of ${total} sequenced after ${opts.timeoutMs} ms; replica logs in .stack/bench/${opts.chain}/`);
      const dead = [...r.set.replicas.values()].find((p) => p.child.exitCode !== null);
      if (dead) throw new Error(`${opts.label}: replica ${dead.id} exited with code ${dead.child.exitCode}; see ${dead.logFile}`);
      done = await r.set.sequenced();
      trace.add(Date.now(), done);
      if (steadyAt === null && now - lastSteadyCheck >= 200) {
        lastSteadyCheck = now;
        if (await isSteady(r, opts.partitions)) {
          steadyAt = Date.now();
          doneAtSteady = await r.set.sequenced();
          cpuAtSteady = sampleReplicas(r);
          stackCpuAtSteady = { kafka: cpuSeconds(stackPids.kafka), redis: cpuSeconds(stackPids.redis), zookeeper: cpuSeconds(stackPids.zookeeper) };
        }
      }
      progress.update(done);
      if (done >= total) break;
      await sleep(20);
    }
    const endAt = Date.now();
    progress.finish(done);
    if (done > total) throw new Error(`${opts.label}: ${done} sequenced, more than the ${total} records in the source`);
    const steady = steadyAt ?? startedAt;
    const window = (endAt - steady) / 1000;
    const cpuEnd = sampleReplicas(r);
    const leader = await leaderPid(r);
    const share = (id: string) => ((cpuEnd.get(id)?.cpuS ?? Number.NaN) - (cpuAtSteady?.get(id)?.cpuS ?? Number.NaN)) / window;
    const cpu = {
      leader: share(leader.id),
      followers: r.ids.filter((id) => id !== leader.id).map(share),
      kafka: (cpuSeconds(stackPids.kafka) - stackCpuAtSteady.kafka) / window,
      redis: (cpuSeconds(stackPids.redis) - stackCpuAtSteady.redis) / window,
      zookeeper: (cpuSeconds(stackPids.zookeeper) - stackCpuAtSteady.zookeeper) / window,
    };
    const ledger = opts.readLedgerShape ? await ledgerShape(opts, steady, endAt) : null;
    await opts.afterSequenced?.(r);
    return {
      rps: trace.sustainedRate(total),
      fromReadyRps: steadyRate({ steadyAt: steady, doneAtSteady, endAt, total }),
      wallRps: steadyRate({ steadyAt: startedAt, doneAtSteady: 0, endAt, total }),
      beforeSteady: doneAtSteady,
      steadyMs: endAt - steady,
      cpu,
      cpuUsPerRecord: perRecordUs([cpu.leader, ...cpu.followers, cpu.kafka, cpu.redis, cpu.zookeeper], window, total - doneAtSteady),
      ledger,
    };
  } finally {
    await stopReplicas(r);
  }
}

/** Reads the whole ledger of the run: cuts, records per cut, bytes per record, cut rate in the steady window. */
async function ledgerShape(opts: { chain: string; logger: Logger; total: number }, steadyAt: number, endAt: number): Promise<LedgerShape> {
  const ledgerTopic = kafkaNames.ledgerTopic(opts.chain);
  const kafka = createKafka(kafkaClientOptions(loadConfig({ overrides: { chain: opts.chain } })), opts.logger, 'bench-ledger');
  const [end] = await withAdmin(kafka, (admin) => topicOffsets(admin, ledgerTopic));
  let cuts = 0;
  let records = 0;
  let bytes = 0;
  let steadyCuts = 0;
  await readLedger({
    kafka,
    ledgerTopic,
    from: 0n,
    to: end!.high,
    groupPrefix: kafkaNames.readerGroup(opts.chain, 'bench-ledger'),
    logger: opts.logger,
    onMessage: (_offset, m) => {
      if (m instanceof Error || m.kind !== 'cut') return;
      cuts++;
      records += m.entries.length;
      bytes += cutMessageBytes(m.coverage.length, m.entries.length);
      const closed = Number(m.closedAtMs);
      if (closed >= steadyAt && closed <= endAt) steadyCuts++;
    },
  });
  const disk = diskBytes(ledgerTopic);
  return {
    cuts,
    records,
    messageBytesPerRecord: bytes / Math.max(1, records),
    diskBytesPerRecord: disk === null ? null : disk / Math.max(1, records),
    meanRecordsPerCut: records / Math.max(1, cuts),
    cutsPerSecond: (steadyCuts * 1000) / Math.max(1, endAt - steadyAt),
  };
}

/** Bytes of the log segments of partition 0 of a topic in the local stack's Kafka data folder. */
function diskBytes(topic: string): number | null {
  const dir = join(STACK_DIR, 'kafka', 'data', `${topic}-0`);
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  } catch {
    return null;
  }
}
