import { describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { summarizeFailovers, summarizeWorkerFailovers } from '../../../bench/phases/failover.js';
import { buildReport } from '../../../bench/lib/report.js';
import { LedgerWatcher } from '../../../chaos/lib/ledger-watch.js';
import { createLogger } from '../../../src/log.js';

const kill = (visibleMs: number, closedMs = visibleMs - 100) => ({ fromEpoch: 1, toEpoch: 2, visibleMs, closedMs });

describe('failover phase', () => {
  it('gives the median and the worst of the kills, in the order measured', () => {
    const s = summarizeFailovers([kill(4_500), kill(4_200), kill(7_500), kill(4_800), kill(4_400)]);
    expect(s).toEqual({
      kills: 5,
      medianMs: 4_500,
      worstMs: 7_500,
      closedMedianMs: 4_400,
      samplesMs: [4_500, 4_200, 7_500, 4_800, 4_400],
      // Kills without logs read back: no steps to report.
      stepMediansMs: { verdict: null, elected: null, leading: null },
      worstSteps: null,
    });
  });

  it('finds the first cut of the lowest epoch above the one killed (the chaos watcher)', () => {
    const w = new LedgerWatcher({} as Kafka, 'ledger', createLogger({ level: 'silent', name: 't' }));
    expect(w.firstCutAfter(1)).toBeNull();
    w.epochFirstCut.set(1, { seenAt: 10, closedAtMs: 9, ledgerOffset: 1 });
    w.epochFirstCut.set(4, { seenAt: 90, closedAtMs: 88, ledgerOffset: 40 });
    w.epochFirstCut.set(3, { seenAt: 50, closedAtMs: 48, ledgerOffset: 20 });
    expect(w.firstCutAfter(1)).toEqual({ epoch: 3, seenAt: 50, closedAtMs: 48, ledgerOffset: 20 });
    expect(w.firstCutAfter(3)).toMatchObject({ epoch: 4 });
    expect(w.firstCutAfter(4)).toBeNull();
  });

  it('reports failoverMs (median), the worst against the 2 s target, and every kill', () => {
    const failover = summarizeFailovers([kill(1_500), kill(1_900), kill(2_400)]);
    const r = buildReport({ meta: {}, repetitions: [], failover, rssMb: null, extra: {} });
    expect(r.json).toMatchObject({ failoverMs: 1_900, failoverWorstMs: 2_400, failoverClosedMs: 1_800, failoverSamplesMs: [1_500, 1_900, 2_400] });
    expect(r.json.targets).toMatchObject({ failoverWorstAtMost2s: false });
    expect(r.table).toContain('median 1900, worst 2400 of 3 kills (1500, 1900, 2400)');
    expect(buildReport({ meta: {}, repetitions: [], rssMb: null, extra: {} }).json).toMatchObject({
      failoverMs: null,
      targets: { failoverWorstAtMost2s: null },
    });
  });

  it('reports the worker kills: median, worst against the 3 s target, every kill', () => {
    const workerFailover = summarizeWorkerFailovers([
      { replicaId: 'r2', partitions: [1, 4], flowingMs: 1_100 },
      { replicaId: 'r3', partitions: [2], flowingMs: 3_200 },
      { replicaId: 'r2', partitions: [1, 4], flowingMs: 900 },
    ]);
    expect(workerFailover).toEqual({ kills: 3, medianMs: 1_100, worstMs: 3_200, samplesMs: [1_100, 3_200, 900] });
    const r = buildReport({ meta: {}, repetitions: [], workerFailover, rssMb: null, extra: {} });
    expect(r.json).toMatchObject({ workerFailoverMs: 1_100, workerFailoverWorstMs: 3_200, workerFailoverSamplesMs: [1_100, 3_200, 900] });
    expect(r.json.targets).toMatchObject({ workerFailoverWorstAtMost3s: false });
    expect(r.table).toContain('worker SIGKILL → its partitions flowing again, ms: median 1100, worst 3200 of 3 kills (1100, 3200, 900)');
  });
});
