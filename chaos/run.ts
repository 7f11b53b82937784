/**
 * `npm run chaos`: faults under a steady load, then a check of the whole history (issue text in
 * docs/CHAOS.md). Produces at a fixed rate into a 12-partition topic while it injects faults
 * one by one (each kind in its own scenario, the leader kill repeated, then a mixed phase drawn
 * from a printed seed), prints each fault with its recovery time, stops producing, waits for the
 * backlog, and checks every source record, the seq, the per-partition order, the chain (verify),
 * the epochs and the zombie. Human lines and, as the LAST line, one JSON object on stdout.
 * Exit 1 on any violation. Run it through chaos/chaos.sh: it needs a stack of its own.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReplicaSet } from '../scripts/lib/replica-set.js';
import { createKafka } from '../src/kafka/client.js';
import { kafkaClientOptions } from '../src/config/slices.js';
import { kafkaNames } from '../src/kafka/names.js';
import { createLogger } from '../src/log.js';
import { initChain } from '../src/ops/init-chain.js';
import { FAULTS } from './faults/index.js';
import { ChaosCluster } from './lib/cluster.js';
import { finalCheck, type FinalCheck } from './lib/final-check.js';
import { stackLayout } from './lib/layout.js';
import { LedgerWatcher } from './lib/ledger-watch.js';
import { NetSplit } from './lib/netsplit.js';
import { parseChaosArgs, UsageError, type ChaosOptions } from './lib/options.js';
import { buildPlan } from './lib/plan.js';
import { ChaosProducer } from './lib/producer.js';
import { progressLine } from './lib/progress.js';
import { Prng } from './lib/prng.js';
import { buildResult, faultLine, summarizeFaults, summaryLines, ViolationLog, type FaultRecord } from './lib/report.js';
import { assertOwnStack } from './lib/stack.js';
import { ZkView } from './lib/zk-view.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** How often the progress line is printed, ms. */
const PROGRESS_EVERY_MS = 10_000;
/** How long the backlog may take to drain after the producer stops, ms. */
const DRAIN_TIMEOUT_MS = 180_000;

async function main(opts: Readonly<ChaosOptions>): Promise<number> {
  const stackDir = assertOwnStack();
  const startedAt = Date.now();
  const chain = `chaos-${startedAt.toString(36)}`;
  const topic = `${chain}.source`;
  const logger = createLogger({ level: process.env.CHAOS_LOG_LEVEL ?? 'error', name: 'chaos' });
  // The driver, the replicas and `seqchain verify` all use the chaos session timeout.
  process.env.SEQCHAIN_ZK_SESSION_TIMEOUT_MS = String(opts.zkSessionTimeoutMs);
  const logDir = join(stackDir, 'chaos-logs', chain);
  const set = new ReplicaSet({
    chain,
    logDir,
    logger,
    env: {
      SEQCHAIN_LOG_LEVEL: 'info',
      // New partitions noticed within a second by workers and leader (the expansion fault).
      SEQCHAIN_KAFKA_METADATA_MAX_AGE_MS: '1000',
      SEQCHAIN_PARTITION_CHECK_INTERVAL_MS: '1000',
    },
  });
  const config = set.config;
  const kafka = createKafka(kafkaClientOptions(config), logger, 'chaos');
  const prng = new Prng(opts.seed);
  const plan = buildPlan({ scenarios: opts.scenarios, pool: opts.pool, kills: opts.kills, mixedFaults: opts.mixedFaults, maxExpansions: 4 }, prng);
  const violations = new ViolationLog();
  const watcher = new LedgerWatcher(kafka, kafkaNames.ledgerTopic(chain), logger);
  const producer = new ChaosProducer(kafka, topic, logger, { rate: opts.rate });
  const zk = new ZkView(config, logger);
  const c = new ChaosCluster(opts, chain, topic, kafka, set, zk, watcher, producer, prng, violations, logger, say);
  c.layout = stackLayout(process.env);
  if (opts.cluster && !c.layout.cluster) throw new Error('--cluster needs the cluster stack: run it through chaos/chaos.sh --cluster');
  // Interrupted: no replica, stopped process or network split is left behind.
  const interrupted = (signal: NodeJS.Signals) => {
    say(`chaos: ${signal}: stopping the replicas and healing every split`);
    void cleanup(c).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const records: FaultRecord[] = [];
  let check: FinalCheck | null = null;
  let progress: NodeJS.Timeout | undefined;
  let faultsMs = 0;

  say(
    `chaos: seed ${opts.seed} (replay with --seed ${opts.seed}); ${opts.short ? 'short' : 'long'} run${opts.cluster ? ` on the cluster (${c.layout.kafkaPorts.length} brokers, ${c.layout.zkPorts.length} ZooKeeper servers)` : ''}; ${opts.rate} records/s into ${opts.partitions} partitions; ${opts.replicas} replicas; ZooKeeper session ${opts.zkSessionTimeoutMs} ms`,
  );
  say(`chaos: plan: ${plan.length} faults: ${summarizePlan(plan.map((p) => (p.phase === 'mixed' ? `mixed:${p.name}` : p.name)))}`);
  say(`chaos: chain ${chain}, replica logs in ${logDir}`);
  try {
    // Before any replica starts: each is placed in its cgroup as it starts.
    if (opts.cluster) c.netsplit = await NetSplit.open(c.layout, chain);
    await initChain(config, logger, { topic, partitions: opts.partitions, start: 'earliest', force: false });
    await watcher.start();
    for (let i = 0; i < opts.replicas; i++) c.ids.push(c.newId());
    for (const id of c.ids) c.start(id);
    const first = await c.liveLeader(60_000);
    if (!first || !(await c.waitOwnership(c.ids, 60_000))) throw new Error('the replica set did not come up (leader and partition ownership) within 60 s');
    say(`chaos: ${opts.replicas} replicas up, leader ${first.replicaId} (epoch ${first.epoch}); producing ${opts.rate} records/s`);
    await producer.start();
    progress = setInterval(() => {
      say(
        progressLine({
          elapsedMs: Date.now() - startedAt,
          faultsMs,
          done: records.length,
          planned: plan.length,
          current: c.current,
          produced: producer.acked,
          sequenced: watcher.state.lastSeq,
          ratePerSec: opts.rate,
          epoch: watcher.state.epoch,
          replicas: c.ids.length,
        }),
      );
    }, PROGRESS_EVERY_MS);
    await sleep(3_000); // a little history before the first fault

    for (const [i, planned] of plan.entries()) {
      const t0 = Date.now();
      c.current = `${planned.name}${planned.phase === 'mixed' ? ' (mixed)' : ''}`;
      await sleep(planned.pauseMs);
      // Scenario faults start from a settled set; the mixed phase does not wait for one.
      if (planned.phase === 'mixed') await c.ensureAlive();
      else await c.settle();
      let record: FaultRecord;
      try {
        const o = await FAULTS[planned.name](c);
        record = {
          name: planned.name,
          target: o.target,
          injectedAt: o.injectedAt,
          referenceAt: o.referenceAt,
          recoveryMs: o.recoveredAt === null ? null : o.recoveredAt - o.referenceAt,
          detail: o.detail,
        };
      } catch (err) {
        // The fault could not even be injected (no leader to kill, the stack would not restart…).
        violations.add('fault-error', `${planned.name}: ${(err as Error).message}`);
        record = { name: planned.name, target: '?', injectedAt: t0, referenceAt: t0, recoveryMs: null, detail: `error: ${(err as Error).message}` };
      }
      if (record.recoveryMs === null && !record.detail.startsWith('error:'))
        violations.add(
          'not-recovered',
          `${planned.name} #${i + 1} on ${record.target}: the chain did not move past the records acknowledged at the reference moment, on every partition, within ${opts.recoveryTimeoutMs} ms`,
        );
      records.push(record);
      c.last = `${c.current} #${i + 1}`;
      faultsMs += Date.now() - t0;
      say(faultLine(i + 1, plan.length, record));
    }

    c.current = 'final check';
    await c.settle();
    const stoppedAt = Date.now();
    await producer.stop();
    clearInterval(progress);
    say(
      `chaos: producer stopped: ${producer.acked.toLocaleString('en-US')} records acknowledged (${producer.sendFailures} failed sends retried) over ${c.partitions} partitions`,
    );
    check = await finalCheck(c, producer.snapshot(), stoppedAt, DRAIN_TIMEOUT_MS);
  } catch (err) {
    violations.add('driver-error', (err as Error).stack ?? String(err));
  } finally {
    clearInterval(progress);
    await cleanup(c);
  }

  const all = [...violations.list, ...(check?.verdict.list ?? [])];
  const count = violations.list.length + (check?.verdict.violations ?? 0);
  say('');
  for (const line of summaryLines(summarizeFaults(records))) say(line);
  if (check) {
    const v = check.verdict;
    say(
      `chaos: history: ${v.sourceRecords.toLocaleString('en-US')} source records, ${v.records.toLocaleString('en-US')} sequenced in ${v.cuts.toLocaleString('en-US')} cuts, epochs up to ${v.maxEpoch}; backlog drained ${check.drainMs ?? 'never'} ms after the producer stopped; seqchain verify: ${check.verify?.ok ? 'chain verified from the genesis' : 'FAILED'}`,
    );
  }
  if (c.warnings.length > 0) {
    say(`chaos: ${c.warnings.length} warning(s) (findings that are not history violations):`);
    for (const w of c.warnings.slice(0, 30)) say(`chaos: WARNING ${w}`);
  }
  if (count > 0) {
    say(`chaos: FAILED: ${count} violation(s)`);
    for (const v of all.slice(0, 50)) say(`chaos: VIOLATION ${v.kind}: ${v.message}`);
  } else {
    say(
      'chaos: no violation: every source record sequenced exactly once, seq contiguous, per-partition order kept, chain verified, epochs only increasing, no zombie write',
    );
  }
  say(`chaos: took ${Math.round((Date.now() - startedAt) / 1000)} s; seed ${opts.seed}`);
  const result = buildResult({
    seed: opts.seed,
    records: producer.acked,
    faults: records,
    violations: all,
    violationCount: count,
    extra: {
      sourceRecords: check?.verdict.sourceRecords ?? null,
      sequenced: check?.verdict.records ?? null,
      maxEpoch: check?.verdict.maxEpoch ?? null,
      partitions: c.partitions,
      rate: opts.rate,
      short: opts.short,
      cluster: opts.cluster,
      durationMs: Date.now() - startedAt,
      drainMs: check?.drainMs ?? null,
      violationsByKind: { ...Object.fromEntries(countKinds(violations.list)), ...(check?.verdict.byKind ?? {}) },
      unexpectedExits: c.unexpectedExits.length,
      warnings: c.warnings.length,
      warningList: c.warnings.slice(0, 20),
      producerSendFailures: producer.sendFailures,
      chain,
    },
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return count > 0 ? 1 : 0;
}

function countKinds(list: readonly { kind: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of list) m.set(v.kind, (m.get(v.kind) ?? 0) + 1);
  return m;
}

function summarizePlan(names: readonly string[]): string {
  const m = new Map<string, number>();
  for (const n of names) m.set(n, (m.get(n) ?? 0) + 1);
  return [...m].map(([n, k]) => (k > 1 ? `${n} ×${k}` : n)).join(', ');
}

/** Leaves nothing behind: no stopped process, no replica, no open client. Each step on its own. */
async function cleanup(c: ChaosCluster): Promise<void> {
  for (const id of c.stopped) c.set.replicas.get(id)?.child.kill('SIGCONT');
  await c.producer.stop().catch(() => undefined);
  await c.watcher.stop().catch(() => undefined);
  await c.set.close().catch(() => undefined);
  await c.zk.close().catch(() => undefined);
  await c.netsplit?.close().catch(() => undefined);
}

let opts: Readonly<ChaosOptions>;
try {
  opts = parseChaosArgs(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    if (err.exitCode !== 0) process.stderr.write(`chaos: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  throw err;
}
main(opts).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos: failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
