import { describe, expect, it } from 'vitest';
import { describeSteps, failoverSteps } from '../../../bench/lib/failover-steps.js';
import { summarizeFailovers } from '../../../bench/phases/failover.js';
import { buildReport } from '../../../bench/lib/report.js';

const line = (replicaId: string, time: number, msg: string, more: Record<string, unknown> = {}) =>
  JSON.stringify({ level: 30, time, pid: 1, name: 'seqchain', replicaId, ...more, msg });

const KILLED_AT = 10_000;
/** r1 led and was killed at 10,000; r2 ruled it gone, was elected and began its term; r3 only followed. */
const logs = [
  [line('r1', 5_000, 'elected leader'), line('r1', 5_200, 'leading: sequencing resumes from the ledger tail', { epochMs: 5 })].join('\n'),
  [
    line('r2', 9_000, 'worker assignment'),
    line('r2', 10_420, 'predecessor process is gone: its election node deleted without waiting for its session timeout'),
    line('r2', 10_431, 'elected leader'),
    'not json',
    line('r2', 10_790, 'leading: sequencing resumes from the ledger tail', { epochMs: 12, fencedMs: 80, recoveredMs: 250, intakeMs: 359 }),
  ].join('\n'),
  line('r3', 10_500, 'worker assignment'),
];

describe('failover steps from the replicas logs', () => {
  it('finds the successor, its verdict, election and the steps of its term after the kill', () => {
    const s = failoverSteps(logs, KILLED_AT);
    expect(s).toEqual({
      replicaId: 'r2',
      verdictMs: 420,
      verdictBy: 'r2',
      electedMs: 431,
      leadingMs: 790,
      termMs: { epochMs: 12, fencedMs: 80, recoveredMs: 250, intakeMs: 359 },
    });
    expect(describeSteps(s!)).toBe('verdict 420, elected 431, leading 790 ms (term: epoch 12, fenced 80, recovered 250, intake 359)');
  });

  it("takes another replica's verdict (its member watch) when it came first, and names that replica", () => {
    const byR3 = [...logs, line('r3', 10_150, 'peer process is gone: its election node deleted without waiting for its session timeout')];
    const s = failoverSteps(byR3, KILLED_AT)!;
    expect(s).toMatchObject({ replicaId: 'r2', verdictMs: 150, verdictBy: 'r3', electedMs: 431 });
    expect(describeSteps(s)).toMatch(/^verdict 150 \(by r3\), elected 431/);
  });

  it('says no verdict when the session expiry elected the successor, and null before any new term', () => {
    const noVerdict = logs.map((t) =>
      t
        .split('\n')
        .filter((l) => !l.includes('predecessor process is gone'))
        .join('\n'),
    );
    expect(failoverSteps(noVerdict, KILLED_AT)).toMatchObject({ verdictMs: null, electedMs: 431 });
    expect(failoverSteps(logs, 11_000)).toBeNull();
  });

  it('summarizes the medians and keeps the worst kill steps for the report', () => {
    const steps = failoverSteps(logs, KILLED_AT)!;
    const kills = [
      { fromEpoch: 1, toEpoch: 2, visibleMs: 900, closedMs: 850, steps },
      { fromEpoch: 2, toEpoch: 3, visibleMs: 2_600, closedMs: 2_500, steps: { ...steps, verdictMs: null, electedMs: 2_000, leadingMs: 2_400 } },
      { fromEpoch: 3, toEpoch: 4, visibleMs: 1_000, closedMs: 950, steps: null },
    ];
    const f = summarizeFailovers(kills);
    expect(f.stepMediansMs).toEqual({ verdict: 420, elected: (431 + 2_000) / 2, leading: (790 + 2_400) / 2 });
    expect(f.worstSteps).toMatchObject({ verdictMs: null, electedMs: 2_000 });
    const r = buildReport({ meta: {}, repetitions: [], failover: f, rssMb: null, extra: {} });
    expect(r.json).toMatchObject({ failoverStepMediansMs: f.stepMediansMs, failoverWorstSteps: { electedMs: 2_000 } });
    expect(r.table).toContain('failover steps, medians from SIGKILL, ms: verdict 420');
    expect(r.table).toContain('the worst kill: no verdict (session expiry), elected 2000');
  });
});
