/**
 * `npm run bench`: seqchain against its baselines, in one run, on the same records, on this
 * machine (issue 4). Progress on stderr; the table, then the JSON result as the LAST line, on
 * stdout; the same JSON in bench/results/<timestamp>.json. See docs/PERFORMANCE.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { REPO } from '../scripts/lib/replica-set.js';
import { loadConfig } from '../src/config/load.js';
import { createKafka } from '../src/kafka/client.js';
import { kafkaClientOptions } from '../src/config/slices.js';
import { kafkaNames } from '../src/kafka/names.js';
import { withAdmin } from '../src/kafka/offsets.js';
import { createLogger } from '../src/log.js';
import { parseBenchArgs, UsageError, USAGE, type BenchOptions } from './lib/options.js';
import { RecordFactory } from './lib/records.js';
import { buildReport, ORDERED_LAG_LOAD, type Repetition } from './lib/report.js';
import type { LatencySummary } from './lib/stats.js';
import { fmtInt, roundFigure } from './lib/table.js';
import { measureChainLimit } from './phases/chain-limit.js';
import { runConsumers } from './phases/consumers.js';
import { createTopic, fillTopic } from './phases/fill.js';
import { createLogViewKey, runCheckpointLag, runLogViewBacklog, type LogViewBacklog, type LogViewKey } from './phases/log-view.js';
import { followOrdered, runOrderedBacklog } from './phases/ordered.js';
import { READER_NODE_OPTIONS, runReader } from './phases/reader.js';
import { runLatencySession, type LatencySession } from './phases/seqchain-latency.js';
import { replicaLogs } from './phases/replicas.js';
import { countSoakEvents, type SoakEvents } from './lib/soak-events.js';
import { runSeqchainBacklog, type SeqchainRunResult } from './phases/seqchain-throughput.js';
import { runVerify } from './phases/verify.js';
import { type KneeRun, kneeOf, nextKneeRate } from './lib/knee.js';
import { type FailoverSummary, runFailover, summarizeFailovers, summarizeWorkerFailovers, type WorkerFailoverSummary } from './phases/failover.js';

/** The latency runs trace every n-th record hop by hop (lib/hops.ts): 1,000 samples a second at 50,000/s. */
const HOP_SAMPLE_EVERY = 50;

const say = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

async function main(opts: Readonly<BenchOptions>): Promise<number> {
  const startedAt = new Date();
  const loadAtStart = loadavg()[0]!;
  const prefix = `bench-${startedAt.getTime().toString(36)}`;
  const logger = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'error', name: 'bench' });
  const config = loadConfig({ overrides: { replicaId: `${prefix}-runner` } });
  const kafka = createKafka(kafkaClientOptions(config), logger, 'bench');
  const factory = new RecordFactory({ size: opts.size, keys: opts.keys, headers: opts.headers });
  const has = (p: BenchOptions['phases'][number]) => opts.phases.includes(p);
  const source = `${prefix}.source`;
  const onePartition = `${prefix}.one`;
  const live = `${prefix}.live`;
  const topics: string[] = [];
  const chains: string[] = [];
  say(
    `run ${prefix}: ${fmtInt(opts.records)} records of ${opts.size} B, ${opts.keys > 0 ? 'keys' : 'null keys'}, ${opts.headers} headers; ${opts.partitions} partitions, ${opts.replicas} replicas, ${opts.repeat} repetitions; phases ${opts.phases.join(', ') || 'none'}${opts.soakMinutes > 0 ? `, soak ${opts.soakMinutes} min at ${fmtInt(opts.soakRate)}/s` : ''}; ${cpus().length} CPUs`,
  );

  const repetitions: Repetition[] = [];
  const seqchainRuns: SeqchainRunResult[] = [];
  const sessions: LatencySession[] = [];
  let soak: LatencySession | null = null;
  let soakEvents: SoakEvents | null = null;
  let failover: FailoverSummary | null = null;
  let workerFailover: WorkerFailoverSummary | null = null;
  const fillRps: Record<string, number> = {};
  const logViewRuns: LogViewBacklog[] = [];
  let logViewKey: LogViewKey | null = null;
  try {
    if (has('client') || has('seqchain') || has('log-view')) {
      await withAdmin(kafka, (admin) => createTopic(admin, config, source, opts.partitions));
      topics.push(source);
      fillRps.source = await fillTopic(kafka, factory, { topic: source, partitions: opts.partitions, total: opts.records, label: `fill ${source}` });
    }
    if (has('one-partition')) {
      await withAdmin(kafka, (admin) => createTopic(admin, config, onePartition, 1));
      topics.push(onePartition);
      fillRps.onePartition = await fillTopic(kafka, factory, { topic: onePartition, partitions: 1, total: opts.records, label: `fill ${onePartition}` });
    }
    if (has('latency') || has('log-view') || has('failover') || opts.soakMinutes > 0) topics.push(live);
    if (has('log-view')) logViewKey = createLogViewKey(prefix);

    for (let rep = 1; rep <= opts.repeat; rep++) {
      const r: Repetition = {};
      const tag = `[${rep}/${opts.repeat}]`;
      if (has('chain')) {
        const c = measureChainLimit(factory, { topic: source, partitions: opts.partitions, total: opts.records, label: `${tag} chain limit` });
        r.chainLimitRps = c.rps;
        r.linkOnlyRps = c.linkRps;
        say(`${tag} chain limit ${fmtInt(c.rps)} records/s (link only ${fmtInt(c.linkRps)}/s)`);
      }
      if (has('client')) {
        const c = await runConsumers({
          label: `${tag} client ceiling`,
          mode: 'consume',
          topic: source,
          groupId: `${prefix}.ceiling.${rep}`,
          processes: opts.replicas,
          partitions: opts.partitions,
          total: opts.records,
          timeoutMs: 600_000,
        });
        r.clientCeilingRps = c.rps;
        r.clientCeilingFromReadyRps = c.fromReadyRps;
        r.clientCeilingCpuUsPerRecord = c.cpuUsPerRecord;
        say(
          `${tag} client ceiling ${fmtInt(c.rps)} records/s sustained, ${fmtInt(c.fromReadyRps)}/s over the ${(c.steadyMs / 1000).toFixed(1)} s after the group settled (joins took ${(c.joinMs / 1000).toFixed(1)} s); CPU in cores: consumers ${c.cpu.consumers.toFixed(2)}, kafka ${c.cpu.kafka.toFixed(2)}, ${c.cpuUsPerRecord.toFixed(2)} µs per record`,
        );
      }
      if (has('one-partition')) {
        const c = await runConsumers({
          label: `${tag} one-partition baseline`,
          mode: 'chain',
          topic: onePartition,
          groupId: `${prefix}.one.${rep}`,
          processes: 1,
          partitions: 1,
          total: opts.records,
          timeoutMs: 900_000,
        });
        r.onePartitionRps = c.rps;
        r.onePartitionFromReadyRps = c.fromReadyRps;
        r.onePartitionCpuUsPerRecord = c.cpuUsPerRecord;
        say(
          `${tag} one-partition baseline ${fmtInt(c.rps)} records/s sustained, ${fmtInt(c.fromReadyRps)}/s over the ${(c.steadyMs / 1000).toFixed(1)} s after the join (join took ${(c.joinMs / 1000).toFixed(1)} s); CPU in cores: consumer ${c.cpu.consumers.toFixed(2)}, kafka ${c.cpu.kafka.toFixed(2)}, ${c.cpuUsPerRecord.toFixed(2)} µs per record`,
        );
      }
      if (has('seqchain')) {
        const chain = `${prefix}-s${rep}`;
        chains.push(chain);
        const s = await runSeqchainBacklog({
          label: `${tag} seqchain`,
          chain,
          topic: source,
          partitions: opts.partitions,
          replicas: opts.replicas,
          total: opts.records,
          logger,
          cpuProfDir: opts.cpuProfDir === null ? null : resolveDir(opts.cpuProfDir, String(rep)),
          readLedgerShape: rep === 1,
          timeoutMs: 1_800_000,
        });
        seqchainRuns.push(s);
        r.seqchainRps = s.rps;
        r.seqchainFromReadyRps = s.fromReadyRps;
        r.seqchainCpuUsPerRecord = s.cpuUsPerRecord;
        say(
          `${tag} seqchain ${fmtInt(s.rps)} records/s sustained, ${fmtInt(s.fromReadyRps)}/s over the ${(s.steadyMs / 1000).toFixed(1)} s after the set was ready (${fmtInt(s.wallRps)}/s from the first replica start); CPU in cores: leader ${s.cpu.leader.toFixed(2)}, followers ${s.cpu.followers.map((x) => x.toFixed(2)).join(' ')}, kafka ${s.cpu.kafka.toFixed(2)}, redis ${s.cpu.redis.toFixed(2)}, zookeeper ${s.cpu.zookeeper.toFixed(2)}; ${s.cpuUsPerRecord.toFixed(2)} µs per record`,
        );
        if (s.ledger)
          say(
            `${tag} ledger: ${fmtInt(s.ledger.cuts)} cuts, ${s.ledger.meanRecordsPerCut.toFixed(0)} records per cut, ${s.ledger.cutsPerSecond.toFixed(1)} cuts/s, ${s.ledger.messageBytesPerRecord.toFixed(1)} message bytes and ${s.ledger.diskBytesPerRecord?.toFixed(1) ?? 'n/a'} disk bytes per record`,
          );
      }
      if (has('reader')) {
        const chain = `${prefix}-s${rep}`;
        const raw = await runConsumers({
          label: `${tag} one kafkajs process`,
          mode: 'consume',
          topic: source,
          groupId: `${prefix}.raw1.${rep}`,
          processes: 1,
          partitions: opts.partitions,
          total: opts.records,
          timeoutMs: 600_000,
        });
        r.rawOneProcessRps = raw.rps;
        // Its rate at Node's defaults, as the baseline runs; its memory under the bound CONSUMING.md gives.
        const reader = await runReader({ label: `${tag} reader`, chain, total: opts.records, timeoutMs: 900_000, execArgv: [] });
        const bounded = await runReader({ label: `${tag} reader, memory bound`, chain, total: opts.records, timeoutMs: 900_000 });
        r.readerRps = reader.rps;
        r.readerDefaultsMaxRssMb = reader.maxRssMb;
        r.readerBoundedRps = bounded.rps;
        r.readerMaxRssMb = bounded.maxRssMb;
        say(
          `${tag} reader ${fmtInt(reader.rps)} records/s sustained (${fmtInt(reader.fromStartRps)}/s from its start), RSS at most ${reader.maxRssMb.toFixed(0)} MiB; one kafkajs process ${fmtInt(raw.rps)} records/s; ratio ${(reader.rps / raw.rps).toFixed(2)}`,
        );
        say(`${tag} reader with ${READER_NODE_OPTIONS.join(' ')}: ${fmtInt(bounded.rps)} records/s sustained, RSS at most ${bounded.maxRssMb.toFixed(0)} MiB`);
      }
      if (has('verify')) {
        const v = await runVerify({
          label: `${tag} verify`,
          chain: `${prefix}-s${rep}`,
          total: opts.records,
          timeoutMs: 900_000,
          ...(opts.cpuProfDir === null ? {} : { execArgv: ['--cpu-prof', `--cpu-prof-dir=${resolveDir(opts.cpuProfDir, String(rep), 'verify')}`] }),
        });
        r.verifyRps = v.rps;
        r.verifyWallRps = v.wallRps;
        r.verifyMaxRssMb = v.maxRssMb;
        say(
          `${tag} verify ${fmtInt(v.rps)} records/s over its ${(v.durationMs / 1000).toFixed(1)} s of work, ${fmtInt(v.wallRps)}/s over the ${(v.wallMs / 1000).toFixed(1)} s of the process; RSS at most ${v.maxRssMb.toFixed(0)} MiB`,
        );
      }
      if (has('ordered')) {
        const backlogChain = `${prefix}-s${rep}`;
        const backlog = await runOrderedBacklog({ chain: backlogChain, total: opts.records, logger });
        r.orderedRps = backlog.rps;
        const chain = `${prefix}-o${rep}`;
        chains.push(chain);
        const session = await runLatencySession(factory, {
          label: `${tag} ordered lag`,
          chain,
          topic: live,
          partitions: opts.partitions,
          replicas: opts.replicas,
          loads: [ORDERED_LAG_LOAD],
          seconds: opts.latencySeconds,
          warmupSeconds: opts.warmupSeconds,
          logger,
          rssEveryMs: 0,
          progress: true,
          sidecar: (c, ledgerRecords) => followOrdered(c, ledgerRecords, logger),
        });
        const lag = session.sidecar as LatencySummary;
        r.orderedLag = lag;
        say(
          `${tag} ordered-topic writer ${fmtInt(backlog.rps)} records/s from backlog (${backlog.transactions} transactions, commit p99 ${backlog.commitMs.p99} ms); ` +
            `behind the ledger at ${fmtInt(ORDERED_LAG_LOAD)}/s offered: p50 ${lag.p50} p99 ${lag.p99} max ${lag.max} records (${lag.count} samples)`,
        );
      }
      if (has('log-view') && logViewKey) {
        const v = { on: `${prefix}-von${rep}`, off: `${prefix}-voff${rep}`, lag: `${prefix}-vlag${rep}` };
        chains.push(v.on, v.off, v.lag);
        const b = await runLogViewBacklog({
          label: `${tag} log view`,
          chains: v,
          topic: source,
          partitions: opts.partitions,
          replicas: opts.replicas,
          total: opts.records,
          key: logViewKey,
          // Alternated, so that neither side always runs on the warmer (or busier) machine.
          first: rep % 2 === 1 ? 'off' : 'on',
          proofs: opts.proofs,
          dropIndex: !opts.keep,
          cpuProfDir: opts.cpuProfDir === null ? null : resolveDir(opts.cpuProfDir, String(rep), 'log-view'),
          logger,
        });
        logViewRuns.push(b);
        r.logViewOnRps = b.on.rps;
        r.logViewOffRps = b.off.rps;
        r.logViewOnFromReadyRps = b.on.fromReadyRps;
        r.logViewOffFromReadyRps = b.off.fromReadyRps;
        r.logViewOnCpuUsPerRecord = b.on.cpuUsPerRecord;
        r.logViewOffCpuUsPerRecord = b.off.cpuUsPerRecord;
        if (b.on.proofs) r.proofMs = b.on.proofs;
        const perRecord = (bytes: number) => (bytes / opts.records).toFixed(1);
        say(
          `${tag} log view: ${fmtInt(b.on.rps)} records/s on, ${fmtInt(b.off.rps)}/s off (${b.first} first), ratio ${(b.on.rps / b.off.rps).toFixed(2)}; from ready ${fmtInt(b.on.fromReadyRps)} on, ${fmtInt(b.off.fromReadyRps)} off; CPU per record ${b.on.cpuUsPerRecord.toFixed(2)} µs on, ${b.off.cpuUsPerRecord.toFixed(2)} off; leader CPU ${b.on.leaderCores.toFixed(2)} cores on, ${b.off.leaderCores.toFixed(2)} off; ` +
            `index caught up ${b.on.indexCatchUpMs} ms (on) and ${b.off.indexCatchUpMs} ms (off) after the last record; ` +
            `Redis ${perRecord(b.on.redis.total)} B/record on, ${perRecord(b.off.redis.total)} off, of which tiles and checkpoints ${perRecord(b.on.redis.logView)}; ` +
            `ledger ${b.on.ledger.bytesPerRecord.toFixed(1)} B/record on (${b.on.ledger.recordsPerCut.toFixed(0)} per cut, ${b.on.ledger.logViewBytesPerCut?.toFixed(0) ?? 'n/a'} B of log view per cut), ${b.off.ledger.bytesPerRecord.toFixed(1)} off (${b.off.ledger.recordsPerCut.toFixed(0)} per cut)`,
        );
        if (b.on.proofs) {
          const { inclusion: i, consistency: c } = b.on.proofs;
          say(
            `${tag} proofs at size ${fmtInt(b.on.proofs.treeSize)}: inclusion p50 ${i.p50.toFixed(2)} p99 ${i.p99.toFixed(2)} max ${i.max.toFixed(2)} ms (${i.count}); consistency p50 ${c.p50.toFixed(2)} p99 ${c.p99.toFixed(2)} ms (${c.count})`,
          );
        }
        // --lag-rate 0: the on/off and proof figures only (an A/B of the throughput, say).
        if (opts.lagRate > 0) {
          const lag = await runCheckpointLag(factory, {
            label: `${tag} checkpoint lag`,
            chain: v.lag,
            topic: live,
            partitions: opts.partitions,
            replicas: opts.replicas,
            rate: opts.lagRate,
            seconds: opts.latencySeconds,
            warmupSeconds: opts.warmupSeconds,
            key: logViewKey,
            dropIndex: !opts.keep,
            logger,
          });
          r.checkpointLag = { offeredRps: lag.offeredRps, lag: lag.lag, fromClose: lag.fromClose, e2e: lag.e2e, unsignedCuts: lag.unsignedCuts };
          say(
            `${tag} checkpoint lag at ${fmtInt(lag.offeredRps)}/s (sent ${fmtInt(lag.sentRps)}/s): cut visible → /checkpoint covers it p50 ${lag.lag.p50} p99 ${lag.lag.p99} max ${lag.lag.max} ms over ${lag.lag.count} cuts (${lag.uncovered} after the last poll, ${lag.unsignedCuts} without a checkpoint in the ledger); ` +
              `cut closed → covered p50 ${lag.fromClose.p50} p99 ${lag.fromClose.p99} ms; produce → cut visible p50 ${lag.e2e.p50} p99 ${lag.e2e.p99} ms; a poll every ${lag.pollEveryMs.p50} ms (p99 ${lag.pollEveryMs.p99}), ${lag.pollFailures} answers without a checkpoint`,
          );
        }
      }
      if (has('latency')) {
        const chain = `${prefix}-l${rep}`;
        chains.push(chain);
        const session = await runLatencySession(factory, {
          label: `${tag} latency`,
          chain,
          topic: live,
          partitions: opts.partitions,
          replicas: opts.replicas,
          loads: opts.loads,
          seconds: opts.latencySeconds,
          warmupSeconds: opts.warmupSeconds,
          logger,
          rssEveryMs: 0,
          progress: true,
          hopEvery: HOP_SAMPLE_EVERY,
          ...(has('knee') ? { more: (runs) => nextKneeRate(runs.map(kneeRun), runs.length - opts.loads.length, { steps: opts.kneeSteps }) } : {}),
        });
        sessions.push(session);
        const fixed = session.runs.slice(0, opts.loads.length);
        r.latency = Object.fromEntries(fixed.map((run) => [String(run.offeredRps), { e2e: run.e2e, close: run.close, sentRps: run.sentRps }]));
        r.hops = Object.fromEntries(fixed.map((run) => [String(run.offeredRps), run.hops ?? null]));
        if (has('knee')) {
          const runs = session.runs.map(kneeRun);
          r.knee = { rps: kneeOf(runs), runs };
          say(
            `${tag} knee: ${r.knee.rps === null ? 'no offered rate' : `${fmtInt(r.knee.rps)}/s is the highest offered rate`} with p99 ≤ 100 ms (${runs.map((k) => `${fmtInt(k.offeredRps)}/s p99 ${k.p99Ms} ms`).join('; ')})`,
          );
        }
        for (const run of session.runs) {
          say(
            `${tag} latency at ${fmtInt(run.offeredRps)}/s (sent ${fmtInt(run.sentRps)}/s): e2e p50 ${run.e2e.p50} p99 ${run.e2e.p99} max ${run.e2e.max} ms; ` +
              `cut closed p50 ${run.close.p50} p99 ${run.close.p99} ms; ${run.meanRecordsPerCut.toFixed(0)} records per cut; generator behind p50 ${run.generatorBehindMs.p50.toFixed(0)} p99 ${run.generatorBehindMs.p99.toFixed(0)} ms; ` +
              `CPU cores leader ${run.cpuCores.leader.toFixed(2)}, others ${run.cpuCores.followers.map((x) => x.toFixed(2)).join(' ')}; load average ${run.loadAverage.toFixed(1)}`,
          );
          if (run.hops)
            say(
              `${tag} hops at ${fmtInt(run.offeredRps)}/s (${run.hops.samples} records traced, mean ${run.hops.meanMs.toFixed(0)} ms): ${Object.entries(
                run.hops.hops,
              )
                .map(([hop, h]) => `${hop} ${(h.share * 100).toFixed(0)}% (p50 ${h.p50} p99 ${h.p99} ms)`)
                .join('; ')}`,
            );
        }
      }
      repetitions.push(r);
    }

    // Once per run, not per repetition: each kill costs a few seconds of failover and a settle.
    if (has('failover')) {
      const chain = `${prefix}-f`;
      chains.push(chain);
      const kills = await runFailover(factory, {
        label: 'failover',
        chain,
        topic: live,
        partitions: opts.partitions,
        replicas: opts.replicas,
        kills: opts.kills,
        logger,
        timeoutMs: 120_000,
      });
      failover = summarizeFailovers(kills.leader);
      workerFailover = summarizeWorkerFailovers(kills.worker);
      say(
        `failover: leader SIGKILL → first cut of the next epoch visible, median ${fmtInt(failover.medianMs)} ms, worst ${fmtInt(failover.worstMs)} ms over ${failover.kills} kills (${failover.samplesMs.join(', ')} ms); closed after ${fmtInt(failover.closedMedianMs)} ms (median)`,
      );
      say(
        `failover: worker SIGKILL → its partitions flowing again, median ${fmtInt(workerFailover.medianMs)} ms, worst ${fmtInt(workerFailover.worstMs)} ms over ${workerFailover.kills} kills (${workerFailover.samplesMs.join(', ')} ms)`,
      );
    }

    if (opts.soakMinutes > 0) {
      const chain = `${prefix}-soak`;
      chains.push(chain);
      say(`soak: ${opts.soakMinutes} min at ${fmtInt(opts.soakRate)}/s`);
      soak = await runLatencySession(factory, {
        label: 'soak',
        chain,
        topic: live,
        partitions: opts.partitions,
        replicas: opts.replicas,
        loads: [opts.soakRate],
        seconds: opts.soakMinutes * 60,
        warmupSeconds: 0,
        logger,
        rssEveryMs: 10_000,
        progress: true,
        drainTimeoutMs: 600_000,
        tolerateBacklog: true,
      });
      soakEvents = countSoakEvents(replicaLogs(chain));
      const run = soak.runs[0]!;
      say(
        `soak: with no fault injected: ${soakEvents.leaderChanges} leader change(s) (${soakEvents.terms} term(s)), ${soakEvents.goneVerdicts} crash verdict(s) of the takeover watches, ${soakEvents.workerCrashes} worker consumer crash(es)`,
      );
      say(
        `soak: RSS of the leader ${soak.leaderRssMb.start.toFixed(0)} MiB at start → ${soak.leaderRssMb.end.toFixed(0)} MiB at end (max ${Math.max(...soak.rss.map((x) => x.leaderMb)).toFixed(0)}); ` +
          `sent ${fmtInt(run.sentRps)}/s; ${run.complete ? 'every record reached the ledger' : `only ${fmtInt(run.recordsSeen)} of ${fmtInt(run.records)} records reached the ledger within 10 min of the end`}; e2e p50 ${run.e2e.p50} p99 ${run.e2e.p99} max ${run.e2e.max} ms`,
      );
    }
  } finally {
    logViewKey?.remove();
    if (!opts.keep)
      await deleteTopics(kafka, [...topics, ...chains.flatMap((c) => [kafkaNames.ledgerTopic(c), kafkaNames.digestTopic(c), kafkaNames.orderedTopic(c)])]);
  }

  const lastSession = sessions[sessions.length - 1];
  const rss = soak
    ? {
        start: round(soak.leaderRssMb.start),
        end: round(soak.leaderRssMb.end),
        of: 'leader replica',
        during: `soak, ${opts.soakMinutes} min at ${opts.soakRate}/s`,
      }
    : lastSession
      ? {
          start: round(lastSession.leaderRssMb.start),
          end: round(lastSession.leaderRssMb.end),
          of: 'leader replica',
          during: `last latency session (${opts.warmupSeconds} s warm-up + ${opts.loads.length} × ${opts.latencySeconds} s)`,
        }
      : null;
  const firstLedger = seqchainRuns.find((s) => s.ledger)?.ledger ?? null;
  const report = buildReport({
    meta: {
      bench: 'seqchain',
      run: prefix,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryMb: Math.round(totalmem() / 2 ** 20),
      loadAverage: { start: roundFigure(loadAtStart), end: roundFigure(loadavg()[0]!), note: '1-minute load average of the machine, other users included' },
      node: process.version,
      records: opts.records,
      partitions: opts.partitions,
      valueBytes: opts.size,
      keys: opts.keys,
      headers: opts.headers,
      replicas: opts.replicas,
      repetitions: opts.repeat,
    },
    repetitions,
    failover,
    workerFailover,
    rssMb: rss,
    extra: {
      fillRps: Object.fromEntries(Object.entries(fillRps).map(([k, v]) => [k, round(v)])),
      seqchainCpuCores: seqchainRuns.map((s) => ({
        leader: roundFigure(s.cpu.leader),
        followers: s.cpu.followers.map(roundFigure),
        kafka: roundFigure(s.cpu.kafka),
        redis: roundFigure(s.cpu.redis),
        zookeeper: roundFigure(s.cpu.zookeeper),
      })),
      ledger: firstLedger && {
        cuts: firstLedger.cuts,
        meanRecordsPerCut: round(firstLedger.meanRecordsPerCut),
        cutsPerSecond: roundFigure(firstLedger.cutsPerSecond),
        messageBytesPerRecord: roundFigure(firstLedger.messageBytesPerRecord),
        diskBytesPerRecord: firstLedger.diskBytesPerRecord === null ? null : roundFigure(firstLedger.diskBytesPerRecord),
      },
      logViewBytesPerRecord: logViewBytes(logViewRuns, opts.records),
      logViewRuns: logViewRuns.map((b) => ({
        first: b.first,
        onRps: round(b.on.rps),
        offRps: round(b.off.rps),
        leaderCpuCores: { on: roundFigure(b.on.leaderCores), off: roundFigure(b.off.leaderCores) },
        fromReadyRps: { on: round(b.on.fromReadyRps), off: round(b.off.fromReadyRps) },
        cpuUsPerRecord: { on: roundFigure(b.on.cpuUsPerRecord), off: roundFigure(b.off.cpuUsPerRecord) },
        indexCatchUpMs: { on: b.on.indexCatchUpMs, off: b.off.indexCatchUpMs },
      })),
      soak: soak && {
        minutes: opts.soakMinutes,
        offeredRps: opts.soakRate,
        sentRps: round(soak.runs[0]!.sentRps),
        complete: soak.runs[0]!.complete,
        records: soak.runs[0]!.records,
        recordsSeen: soak.runs[0]!.recordsSeen,
        latencyMs: { p50: soak.runs[0]!.e2e.p50, p99: soak.runs[0]!.e2e.p99, max: soak.runs[0]!.e2e.max },
        generatorBehindMs: { p50: roundFigure(soak.runs[0]!.generatorBehindMs.p50), p99: roundFigure(soak.runs[0]!.generatorBehindMs.p99) },
        cpuCores: { leader: roundFigure(soak.runs[0]!.cpuCores.leader), followers: soak.runs[0]!.cpuCores.followers.map(roundFigure) },
        leaderRssMb: { start: round(soak.leaderRssMb.start), end: round(soak.leaderRssMb.end), max: round(Math.max(...soak.rss.map((s) => s.leaderMb))) },
        rssSamples: soak.rss.map((x) => ({ ...x, leaderMb: round(x.leaderMb) })),
        withoutFaults: soakEvents,
      },
      latencyRuns: sessions.map((session) =>
        session.runs.map((run) => ({
          offeredRps: run.offeredRps,
          sentRps: round(run.sentRps),
          e2e: run.e2e,
          close: run.close,
          generatorBehindMs: {
            p50: roundFigure(run.generatorBehindMs.p50),
            p99: roundFigure(run.generatorBehindMs.p99),
            max: roundFigure(run.generatorBehindMs.max),
          },
          recordsPerCut: round(run.meanRecordsPerCut),
          cpuCores: { leader: roundFigure(run.cpuCores.leader), followers: run.cpuCores.followers.map(roundFigure) },
          loadAverage: roundFigure(run.loadAverage),
        })),
      ),
      latencyRecordsPerCut: Object.fromEntries(
        opts.loads.map((l) => [String(l), sessions.map((s) => round(s.runs.find((x) => x.offeredRps === l)?.meanRecordsPerCut ?? Number.NaN))]),
      ),
    },
  });

  const outDir = resolveDir(opts.outDir);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report.json, null, 2)}\n`);
  process.stdout.write(
    `\nseqchain benchmark ${prefix}: ${fmtInt(opts.records)} records × ${opts.size} B, ${opts.partitions} partitions, ${opts.replicas} replicas, ${opts.repeat} repetitions, ${cpus().length} CPUs (median, min, max of the repetitions)\n\n`,
  );
  process.stdout.write(`${report.table}\n\nresult: ${file}\n`);
  process.stdout.write(`${JSON.stringify(report.json)}\n`);
  return 0;
}

function kneeRun(run: { offeredRps: number; sentRps: number; e2e: { p99: number }; complete: boolean }): KneeRun {
  return { offeredRps: run.offeredRps, sentRps: Math.round(run.sentRps), p99Ms: run.e2e.p99, complete: run.complete };
}

/**
 * Bytes per record the log view adds, from the first repetition (sizes hardly move between
 * repetitions): the chain's Redis index with the view on and off, its tiles and checkpoints, and
 * the ledger's cut messages (SCM2 with the view on, SCM1 off).
 */
function logViewBytes(runs: LogViewBacklog[], records: number) {
  const b = runs[0];
  if (!b) return null;
  const per = (bytes: number) => roundFigure(bytes / records);
  const kinds = (byKind: Record<string, number>) => Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, per(v)]));
  return {
    redis: {
      on: per(b.on.redis.total),
      off: per(b.off.redis.total),
      onMinusOff: per(b.on.redis.total - b.off.redis.total),
      logViewKeysOn: per(b.on.redis.logView),
      logViewKeysOff: per(b.off.redis.logView),
      byKindOn: kinds(b.on.redis.byKind),
      byKindOff: kinds(b.off.redis.byKind),
      measures:
        'MEMORY USAGE (SAMPLES 0) of every key of the chain index once it held every record, ÷ records; logViewKeys: hash tiles (t) and checkpoints by size (ck)',
    },
    ledger: {
      on: roundFigure(b.on.ledger.bytesPerRecord),
      off: roundFigure(b.off.ledger.bytesPerRecord),
      recordsPerCutOn: round(b.on.ledger.recordsPerCut),
      recordsPerCutOff: round(b.off.ledger.recordsPerCut),
      logViewBytesPerCut: b.on.ledger.logViewBytesPerCut === null ? null : round(b.on.ledger.logViewBytesPerCut),
      measures:
        'cut message bytes (Kafka record values: SCM2 on, SCM1 off) ÷ records; logViewBytesPerCut: an SCM2 cut beyond its SCM1 form (signed checkpoint, border)',
    },
  };
}

function round(n: number): number | null {
  return Number.isFinite(n) ? Math.round(n) : null;
}

function resolveDir(dir: string, ...sub: string[]): string {
  return join(isAbsolute(dir) ? dir : join(REPO, dir), ...sub);
}

async function deleteTopics(kafka: ReturnType<typeof createKafka>, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  await withAdmin(kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const mine = topics.filter((t) => existing.has(t));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    say(`deleted ${mine.length} benchmark topics`);
  }).catch((err: unknown) => say(`could not delete the benchmark topics: ${(err as Error).message}`));
}

let opts: Readonly<BenchOptions>;
try {
  opts = parseBenchArgs(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`bench: ${err.message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
main(opts).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
