/**
 * Failover from a scripted leader SIGKILL (issue 14): a new chain over the live topic under a
 * steady offered load, N replicas; then, `kills` times, SIGKILL the leader, restart its process
 * at once with the same replica id (as a supervisor would, and as the chaos suite's leader-kill
 * does), and time SIGKILL → the first cut of the next epoch received by a read_committed reader
 * of the ledger (chaos/lib/ledger-watch.ts, the chaos suite's own watcher). Between kills the set
 * is let settle (a leader under the counter's epoch, every worker assigned) so that each kill
 * finds the same starting state. Also SIGKILL → that cut's closedAtMs (the new leader's clock,
 * same machine): the share of the visible figure that is the commit and the fetch.
 *
 * Then as many worker kills: SIGKILL a replica that does not lead (restarted at once too) and time
 * SIGKILL → every source partition its worker owned flowing again: the ledger covers, on each, a
 * record produced after the kill (at or past its end offset read once the process has exited). Through the broker's session
 * expiry this is `worker.sessionTimeoutMs` and more; with zookeeper.fastTakeover a peer removes
 * the dead worker from the group (src/coordination/member-watch.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';
import { LedgerWatcher } from '../../chaos/lib/ledger-watch.js';
import { waitFor } from '../../scripts/lib/replica-set.js';
import { loadConfig } from '../../src/config/load.js';
import { kafkaClientOptions } from '../../src/config/slices.js';
import { createKafka } from '../../src/kafka/client.js';
import { kafkaNames } from '../../src/kafka/names.js';
import { topicOffsets, withAdmin } from '../../src/kafka/offsets.js';
import type { Logger } from '../../src/log.js';
import { initChain } from '../../src/ops/init-chain.js';
import { isSeqchainError } from '../../src/errors.js';
import type { RecordFactory } from '../lib/records.js';
import { median } from '../lib/stats.js';
import { offerLoad } from './load.js';
import { type BenchReplicas, isSteady, replicaLogs, startReplicas, stopReplicas } from './replicas.js';
import { describeSteps, type FailoverSteps, failoverSteps } from '../lib/failover-steps.js';

/** Offered load while the leader is killed, records/s: enough that every epoch has records to cut at once. */
export const FAILOVER_LOAD = 5_000;

export interface FailoverKill {
  /** Epoch of the leader killed, and the epoch of the first cut after it. */
  fromEpoch: number;
  toEpoch: number;
  /** SIGKILL → the first cut of the next epoch received by a read_committed ledger reader, ms. */
  visibleMs: number;
  /** SIGKILL → that cut's closedAtMs, ms. */
  closedMs: number;
  /** Where the time went, from the replicas' logs (null when they do not show it). */
  steps?: FailoverSteps | null;
}

/** One worker kill: SIGKILL → each of its partitions sequenced past its end at the kill, ms. */
export interface WorkerKill {
  replicaId: string;
  partitions: number[];
  flowingMs: number;
}

export interface FailoverSummary {
  kills: number;
  /** Median and worst of visibleMs over the kills. */
  medianMs: number;
  worstMs: number;
  closedMedianMs: number;
  samplesMs: number[];
  /** Medians over the kills whose logs showed them: SIGKILL → verdict, elected, leading (ms). */
  stepMediansMs: { verdict: number | null; elected: number | null; leading: number | null };
  /** The worst kill's steps. */
  worstSteps: FailoverSteps | null;
}

/** Median and worst of the kills' failover times, and where the time went. Pure. */
export function summarizeFailovers(kills: readonly FailoverKill[]): FailoverSummary {
  const steps = kills.flatMap((k) => (k.steps ? [k.steps] : []));
  const medianOf = (xs: number[]) => (xs.length === 0 ? null : median(xs));
  const worst = kills.reduce<FailoverKill | null>((w, k) => (w === null || k.visibleMs > w.visibleMs ? k : w), null);
  return {
    ...medianAndWorst(kills.map((k) => k.visibleMs)),
    closedMedianMs: median(kills.map((k) => k.closedMs)),
    stepMediansMs: {
      verdict: medianOf(steps.flatMap((s) => (s.verdictMs === null ? [] : [s.verdictMs]))),
      elected: medianOf(steps.map((s) => s.electedMs)),
      leading: medianOf(steps.map((s) => s.leadingMs)),
    },
    worstSteps: worst?.steps ?? null,
  };
}

export interface WorkerFailoverSummary {
  kills: number;
  medianMs: number;
  worstMs: number;
  samplesMs: number[];
}

/** Median and worst of the worker kills' times to flowing again. Pure. */
export function summarizeWorkerFailovers(kills: readonly WorkerKill[]): WorkerFailoverSummary {
  return medianAndWorst(kills.map((k) => k.flowingMs));
}

/** Kills, median, worst and every sample of a list of failover times. */
function medianAndWorst(samplesMs: number[]): WorkerFailoverSummary {
  return { kills: samplesMs.length, medianMs: median(samplesMs), worstMs: samplesMs.length === 0 ? Number.NaN : Math.max(...samplesMs), samplesMs };
}

export async function runFailover(
  factory: RecordFactory,
  opts: { label: string; chain: string; topic: string; partitions: number; replicas: number; kills: number; logger: Logger; timeoutMs: number },
): Promise<{ leader: FailoverKill[]; worker: WorkerKill[] }> {
  const { logger } = opts;
  const config = loadConfig({ overrides: { chain: opts.chain } });
  await initChain(config, logger, { topic: opts.topic, partitions: opts.partitions, start: 'latest', force: false });
  const r = startReplicas({ chain: opts.chain, replicas: opts.replicas, logger, cpuProfDir: null });
  const kafka = createKafka(kafkaClientOptions(config), logger, 'bench-failover');
  const watcher = new LedgerWatcher(kafka, kafkaNames.ledgerTopic(opts.chain), logger);
  let producer: Producer | null = null;
  let loading = true;
  const restarts = { count: 0 };
  let load: Promise<void> = Promise.resolve();
  try {
    await settle(r, opts.partitions, restarts);
    await watcher.start();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const p = producer;
    // The load runs in one-second slices until the last kill has failed over.
    load = (async () => {
      for (let produced = 0; loading; ) {
        const sent = await offerLoad(p, factory, {
          topic: opts.topic,
          partitions: opts.partitions,
          rate: FAILOVER_LOAD,
          seconds: 1,
          firstIndex: produced,
          label: null,
        });
        produced += sent.records;
      }
    })();
    const kills: FailoverKill[] = [];
    for (let i = 1; i <= opts.kills; i++) {
      const leader = await waitFor('a leader', () => retriable(() => r.set.leader().then((l) => l ?? undefined)), 60_000);
      const fromEpoch = Number(leader.epoch);
      // The current epoch must have cut already, so that the next first cut is the new leader's.
      await waitFor(`a cut of epoch ${fromEpoch}`, async () => watcher.state.epoch >= fromEpoch, 60_000, 20);
      const killedAt = Date.now();
      await r.set.kill(leader.replicaId, 'SIGKILL');
      r.set.start(leader.replicaId);
      const next = await waitFor(`the first cut after epoch ${fromEpoch}`, async () => watcher.firstCutAfter(fromEpoch) ?? undefined, opts.timeoutMs, 5);
      const steps = failoverSteps(replicaLogs(opts.chain), killedAt);
      const kill = { fromEpoch, toEpoch: next.epoch, visibleMs: next.seenAt - killedAt, closedMs: next.closedAtMs - killedAt, steps };
      kills.push(kill);
      process.stderr.write(
        `bench: ${opts.label} ${i}/${opts.kills}: leader ${leader.replicaId} (epoch ${fromEpoch}) SIGKILLed at ${killedAt}; first cut of epoch ${kill.toEpoch} visible after ${kill.visibleMs} ms (closed after ${kill.closedMs} ms)${steps ? `; ${describeSteps(steps)}` : ''}\n`,
      );
      if (i < opts.kills) {
        await settle(r, opts.partitions, restarts);
        await sleep(1_000);
      }
    }
    const workerKills: WorkerKill[] = [];
    for (let i = 1; i <= opts.kills; i++) {
      await settle(r, opts.partitions, restarts);
      await sleep(1_500); // the peers follow the restarted replica's liveness stream
      const leader = await waitFor('a leader', () => retriable(() => r.set.leader().then((l) => l ?? undefined)), 60_000);
      const members = await r.set.members();
      const victim = members.find((m) => m.replicaId !== leader.replicaId && m.partitions.length > 0);
      if (!victim) throw new Error('failover: no replica that does not lead owns a partition');
      const killedAt = Date.now();
      await r.set.kill(victim.replicaId, 'SIGKILL');
      r.set.start(victim.replicaId);
      // Ends read after the process is gone: a record at or past one was digested by a live worker.
      const ends = await withAdmin(kafka, (admin) => topicOffsets(admin, opts.topic));
      const past = victim.partitions.map((p) => ({ p, end: Number(ends[p]?.high ?? 0n) }));
      const at = await watcher.waitFor((s) => past.every(({ p, end }) => (s.coverage[p] ?? 0) > end), opts.timeoutMs);
      if (at === null)
        throw new Error(`failover: partitions ${victim.partitions.join(',')} of ${victim.replicaId} did not flow again within ${opts.timeoutMs} ms`);
      const kill = { replicaId: victim.replicaId, partitions: victim.partitions, flowingMs: at - killedAt };
      workerKills.push(kill);
      process.stderr.write(
        `bench: ${opts.label} worker ${i}/${opts.kills}: ${victim.replicaId} (partitions ${victim.partitions.join(',')}) SIGKILLed at ${killedAt}; all flowing again after ${kill.flowingMs} ms\n`,
      );
    }
    if (restarts.count > 0)
      process.stderr.write(`bench: ${opts.label}: ${restarts.count} replica start(s) failed and were restarted (see .stack/bench/${opts.chain}/)\n`);
    return { leader: kills, worker: workerKills };
  } finally {
    loading = false;
    await load.catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await watcher.stop();
    await stopReplicas(r);
  }
}

/**
 * Waits for a steady set after a kill, restarting any replica whose process exited meanwhile, as
 * the supervisor a deployment has would: on a loaded machine a replica started while ZooKeeper
 * answers slowly can exit at start (SEQCHAIN_ERR_UNREACHABLE), which is not what is measured here.
 */
async function settle(r: BenchReplicas, partitions: number, restarts: { count: number }, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    'a steady replica set after the kill',
    async () => {
      for (const p of [...r.set.replicas.values()]) {
        if (p.child.exitCode === null) continue;
        restarts.count++;
        r.set.start(p.id);
      }
      return retriable(() => isSteady(r, partitions));
    },
    timeoutMs,
    200,
  );
}

/**
 * A poll of the bench's own ZooKeeper session that a retriable error (CONNECTION_LOSS on a loaded
 * machine) turns into "not yet" instead of ending the phase; the poll's deadline still holds.
 */
async function retriable<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isSeqchainError(err) && err.retriable) return undefined;
    throw err;
  }
}
