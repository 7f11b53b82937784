import { describe, expect, it } from 'vitest';
import { buildReport, type Repetition } from '../../../bench/lib/report.js';

const lat = (p50: number, p99: number, max: number) => ({ count: 100, p50, p99, max });

function reps(): Repetition[] {
  return [
    {
      chainLimitRps: 200_000,
      clientCeilingRps: 100_000,
      onePartitionRps: 50_000,
      seqchainRps: 90_000,
      latency: { '20000': { e2e: lat(10, 40, 60), close: lat(5, 20, 30), sentRps: 19_990 } },
    },
    {
      chainLimitRps: 220_000,
      clientCeilingRps: 120_000,
      onePartitionRps: 60_000,
      seqchainRps: 84_000,
      latency: { '20000': { e2e: lat(12, 60, 90), close: lat(6, 30, 40), sentRps: 19_900 } },
    },
    {
      chainLimitRps: 210_000,
      clientCeilingRps: 80_000,
      onePartitionRps: 40_000,
      seqchainRps: 76_000,
      latency: { '20000': { e2e: lat(11, 45, 70), close: lat(5, 25, 35), sentRps: 20_000 } },
    },
  ];
}

describe('benchmark report', () => {
  const { json, table } = buildReport({
    meta: { cpus: 2 },
    repetitions: reps(),
    rssMb: { start: 100, end: 110, of: 'leader replica', during: 'soak' },
    extra: { note: 1 },
  });

  it('has the fields issue 4 asks for, medians of the repetitions', () => {
    expect(json).toMatchObject({
      cpus: 2,
      chainLimitRps: 210_000,
      clientCeilingRps: 100_000,
      onePartitionRps: 50_000,
      seqchainRps: 84_000,
      rssMb: { start: 100, end: 110 },
      note: 1,
    });
    expect(json.latencyMs).toEqual({ '20000': { p50: 11, p99: 45, max: 70, samples: 300 } });
  });

  it('takes each ratio per repetition, then the median', () => {
    // seqchain ÷ client: 0.9, 0.7, 0.95 → 0.9 (the ratio of medians would be 0.84)
    expect((json.ratios as Record<string, number>).seqchainOverClientCeiling).toBe(0.9);
    expect((json.ratios as Record<string, number>).seqchainOverOnePartition).toBe(1.8);
    expect(json.targets).toMatchObject({ seqchainOverClientCeilingAtLeast0_8: true, seqchainOverOnePartitionAtLeast1_0: true, p99At20kAtMost50ms: true });
  });

  it('prints the spread of every figure and the targets', () => {
    expect(table).toMatch(/seqchain, sustained from backlog\s+84,000\s+76,000\s+90,000\s+16\.7%\s+3/);
    expect(table).toMatch(/seqchain ÷ client ceiling\s+0\.90\s+0\.70\s+0\.95\s+≥ 0\.80\s+met/);
    expect(table).toMatch(/20,000\s+19,990\s+11\s+45\s+70\s+40–60/);
    expect(table).toContain('RSS (leader replica, soak): 100 MiB at start → 110 MiB at end');
  });

  it('gives the CPU per record of the ceiling and of seqchain, in a table of their own, their ratio and the from-ready ratio per repetition', () => {
    const cpu = (ceiling: number, seqchain: number): Repetition => ({
      clientCeilingRps: 100_000,
      seqchainRps: 50_000,
      clientCeilingFromReadyRps: 90_000,
      seqchainFromReadyRps: 30_000,
      clientCeilingCpuUsPerRecord: ceiling,
      seqchainCpuUsPerRecord: seqchain,
      logViewOffCpuUsPerRecord: seqchain,
      logViewOnCpuUsPerRecord: seqchain * 1.25,
    });
    const r = buildReport({ meta: {}, repetitions: [cpu(4, 8), cpu(3, 9), cpu(5, 7.5)], rssMb: null, extra: {} });
    expect(r.json.cpuUsPerRecord).toEqual({ clientCeiling: 4, onePartition: null, seqchain: 8 });
    // 0.5, 0.333, 0.667 per repetition → 0.5
    expect((r.json.ratios as Record<string, number>).clientCeilingCpuOverSeqchainCpu).toBe(0.5);
    // Beside the sustained ratio (0.5 here), the one over the whole runs from ready.
    expect((r.json.ratios as Record<string, number>).seqchainOverClientCeilingFromReady).toBe(0.333);
    expect((r.json.ratios as Record<string, number>).logViewOffCpuOverOnCpu).toBe(0.8);
    expect(r.table).toMatch(/seqchain, log view on\s+10\.00\s+9\.38\s+11\.25/);
    expect(r.table).toMatch(/CPU per record from ready, µs, every process[^\n]*\n[^\n]*\n\s*client ceiling \(consumers, Kafka\)\s+4\.00\s+3\.00\s+5\.00/);
    expect(r.table).toMatch(/seqchain \(replicas, Kafka, Redis, ZooKeeper\)\s+8\.00\s+7\.50\s+9\.00/);
  });

  it('gives the reader its ratio to one kafkajs process, per repetition, and its worst memory under the bound', () => {
    const r = buildReport({
      meta: {},
      repetitions: [
        {
          rawOneProcessRps: 100_000,
          readerRps: 85_000,
          readerBoundedRps: 70_000,
          readerMaxRssMb: 120,
          readerDefaultsMaxRssMb: 400,
          orderedRps: 50_000,
          orderedLag: { count: 10, p50: 100, p99: 900, max: 1_000 },
        },
        { rawOneProcessRps: 80_000, readerRps: 60_000, readerBoundedRps: 50_000, readerMaxRssMb: 210, readerDefaultsMaxRssMb: 600 },
        { rawOneProcessRps: 90_000, readerRps: 81_000, readerBoundedRps: 60_000, readerMaxRssMb: 130, readerDefaultsMaxRssMb: 500 },
      ],
      rssMb: null,
      extra: {},
    });
    // 0.85, 0.75, 0.9 → median 0.85; memory: the highest run counts, 210 > 200
    expect((r.json.ratios as Record<string, number>).readerOverRawOneProcess).toBe(0.85);
    expect(r.json).toMatchObject({ readerRps: 81_000, readerBoundedRps: 60_000, rawOneProcessRps: 90_000, readerMaxRssMb: 210, readerDefaultsMaxRssMb: 600 });
    expect(r.json.targets).toMatchObject({ readerOverRawOneProcessAtLeast0_8: true, readerRssAtMost200Mb: false });
    expect(r.table).toMatch(/reader ÷ one kafkajs process\s+0\.85\s+0\.75\s+0\.90\s+≥ 0\.80\s+met/);
    expect(r.table).toContain('reader RSS, highest of each run: 120, 210, 130 MiB (target ≤ 200)');
    expect(r.json).toMatchObject({ orderedRps: 50_000, orderedLagRecords: { p50: 100, p99: 900, max: 1_000, offeredRps: 20_000 } });
    expect(r.table).toContain('ordered-topic writer behind the ledger at 20,000/s offered, records: p50 100 p99 900 max 1,000');
  });

  it('gives the log view its on ÷ off ratio per repetition, the proof latency and the checkpoint lag, with their targets', () => {
    const proof = (p50: number, p99: number) => ({ treeSize: 1_000_000, inclusion: lat(p50, p99, p99 + 1), consistency: lat(1, 2, 3) });
    const lag = (p99: number) => ({ offeredRps: 20_000, lag: lat(2, p99, p99 + 5), fromClose: lat(20, 40, 50), e2e: lat(30, 60, 80), unsignedCuts: 0 });
    const r = buildReport({
      meta: {},
      repetitions: [
        { logViewOffRps: 150_000, logViewOnRps: 140_000, proofMs: proof(1, 4), checkpointLag: lag(8) },
        { logViewOffRps: 100_000, logViewOnRps: 80_000, proofMs: proof(2, 6), checkpointLag: lag(12) },
        { logViewOffRps: 120_000, logViewOnRps: 114_000, proofMs: proof(1.5, 4.5), checkpointLag: lag(9) },
      ],
      rssMb: null,
      extra: {},
    });
    // on ÷ off: 0.933, 0.8, 0.95 → 0.933 (the ratio of the medians, 114 ÷ 120, would be 0.95)
    expect((r.json.ratios as Record<string, number>).logViewOnOverOff).toBe(0.933);
    expect(r.json).toMatchObject({
      logViewOnRps: 114_000,
      logViewOffRps: 120_000,
      proofP50Ms: 1.5,
      proofP99Ms: 4.5,
      proofTreeSize: 1_000_000,
      consistencyProofP99Ms: 2,
      checkpointLagMs: { p50: 2, p99: 9, offeredRps: 20_000, samples: 300, fromCutClosed: { p99: 40 }, cutVisible: { p99: 60 }, cutsWithoutCheckpoint: 0 },
    });
    expect(r.json.targets).toMatchObject({
      logViewOnOverOffAtLeast0_9: true,
      logViewOnAtLeast100kRps: true,
      proofP99AtMost5ms: true,
      checkpointLagP99AtMost10ms: true,
    });
    expect(r.table).toMatch(/log view on ÷ off\s+0\.93\s+0\.80\s+0\.95\s+≥ 0\.90\s+met/);
    expect(r.table).toContain('proofs from the API at tree size 1,000,000');
    expect(r.table).toMatch(/checkpoint lag at 20,000\/s offered.*p99 9\.0 .*target p99 ≤ 10 ms met/);

    const slow = buildReport({
      meta: {},
      repetitions: [{ logViewOffRps: 90_000, logViewOnRps: 70_000, proofMs: proof(3, 7), checkpointLag: lag(15) }],
      rssMb: null,
      extra: {},
    });
    expect(slow.json.targets).toMatchObject({
      logViewOnOverOffAtLeast0_9: false,
      logViewOnAtLeast100kRps: false,
      proofP99AtMost5ms: false,
      checkpointLagP99AtMost10ms: false,
    });
  });

  it('leaves out what was not measured', () => {
    const r = buildReport({ meta: {}, repetitions: [{ chainLimitRps: 1 }], rssMb: null, extra: {} });
    expect(r.json.seqchainRps).toBeNull();
    expect(r.json.targets).toEqual({
      seqchainOverClientCeilingAtLeast0_8: null,
      seqchainOverOnePartitionAtLeast1_0: null,
      p99At20kAtMost50ms: null,
      readerOverRawOneProcessAtLeast0_8: null,
      readerRssAtMost200Mb: null,
      logViewOnOverOffAtLeast0_9: null,
      logViewOnAtLeast100kRps: null,
      proofP99AtMost5ms: null,
      checkpointLagP99AtMost10ms: null,
      verifyAtLeast100kRps: null,
      failoverWorstAtMost2s: null,
      workerFailoverWorstAtMost3s: null,
    });
    expect(r.json.readerMaxRssMb).toBeNull();
    expect(r.json).toMatchObject({ verifyRecordsPerSec: null, verifyMaxRssMb: null });
    expect(r.json).toMatchObject({ logViewOnRps: null, proofP99Ms: null, checkpointLagMs: null });
    expect(r.table).not.toContain('latency');
  });

  it('gives verify its median rate after start-up and with it, its worst memory, and the 100k target', () => {
    const r = buildReport({
      meta: {},
      repetitions: [
        { verifyRps: 120_000, verifyWallRps: 90_000, verifyMaxRssMb: 300 },
        { verifyRps: 80_000, verifyWallRps: 60_000, verifyMaxRssMb: 500 },
        { verifyRps: 110_000, verifyWallRps: 85_000, verifyMaxRssMb: 310 },
      ],
      rssMb: null,
      extra: {},
    });
    expect(r.json).toMatchObject({ verifyRecordsPerSec: 110_000, verifyWallRecordsPerSec: 85_000, verifyMaxRssMb: 500 });
    expect(r.json.targets).toMatchObject({ verifyAtLeast100kRps: true });
    expect(r.table).toMatch(/seqchain verify from the genesis, after start-up\s+110,000\s+80,000\s+120,000/);
    expect(r.table).toMatch(/start-up included \(whole process\)\s+85,000/);
    expect(r.table).toContain('seqchain verify ≥ 100,000 records/s after start-up: met; its RSS at most 300, 500, 310 MiB');
  });
});
