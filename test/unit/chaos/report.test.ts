import { describe, expect, it } from 'vitest';
import { parseChaosArgs, UsageError } from '../../../chaos/lib/options.js';
import { buildPlan, CLUSTER_FAULT_NAMES, FAULT_NAMES, SCENARIOS } from '../../../chaos/lib/plan.js';
import { Prng } from '../../../chaos/lib/prng.js';
import { progressLine } from '../../../chaos/lib/progress.js';
import { buildResult, faultLine, summarizeFaults, type FaultRecord } from '../../../chaos/lib/report.js';

const rec = (name: string, recoveryMs: number | null): FaultRecord => ({ name, target: 't', injectedAt: 0, referenceAt: 0, recoveryMs, detail: '' });

describe('chaos report', () => {
  it('the JSON starts with seed, records, faults {name: count}, violations, worstRecoveryMs {name: ms}', () => {
    const r = buildResult({
      seed: 9,
      records: 1000,
      faults: [rec('leader-kill', 10), rec('leader-kill', 30), rec('leader-kill', 20), rec('redis-stop', null)],
      violations: [{ kind: 'missing', message: 'missing p1@2' }],
      violationCount: 1,
      extra: { chain: 'c' },
    });
    expect(Object.keys(r).slice(0, 5)).toEqual(['seed', 'records', 'faults', 'violations', 'worstRecoveryMs']);
    expect(r).toMatchObject({
      seed: 9,
      records: 1000,
      faults: { 'leader-kill': 3, 'redis-stop': 1 },
      violations: 1,
      worstRecoveryMs: { 'leader-kill': 30, 'redis-stop': null },
      chain: 'c',
      violationList: ['missing: missing p1@2'],
    });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('summarizes per fault kind: count, median, worst, not recovered', () => {
    expect(summarizeFaults([rec('a', 10), rec('a', 30), rec('a', 20), rec('a', null)])).toEqual({
      a: { count: 4, medianMs: 20, worstMs: 30, notRecovered: 1 },
    });
  });

  it('prints one line per fault with name, target and recovery', () => {
    expect(faultLine(2, 5, { ...rec('worker-kill', 6123), target: 'r2' })).toMatch(/^chaos: fault 2\/5 worker-kill +target r2 +recovered in 6123 ms$/);
    expect(faultLine(1, 1, rec('kafka-stop', null))).toContain('NOT RECOVERED');
  });

  it('progress line: elapsed, estimate, produced, sequenced and lag', () => {
    const line = progressLine({
      elapsedMs: 65_000,
      faultsMs: 40_000,
      done: 2,
      planned: 4,
      current: 'scale',
      produced: 30_000,
      sequenced: 29_500,
      ratePerSec: 500,
      epoch: 3,
      replicas: 5,
    });
    expect(line).toBe(
      'chaos: [1:05 elapsed, ~1:10 left] scale (2/4 faults done) | produced 30,000 (500/s) | sequenced 29,500 (lag 500) | epoch 3 | replicas 5',
    );
  });
});

describe('chaos plan and options', () => {
  it('the short profile plans every fault kind, the leader kill three times, then 3 mixed faults', () => {
    const o = parseChaosArgs(['--short', '--seed', '5']);
    const plan = buildPlan({ scenarios: o.scenarios, pool: o.pool, kills: o.kills, mixedFaults: o.mixedFaults, maxExpansions: 4 }, new Prng(o.seed));
    expect(o).toMatchObject({ short: true, seed: 5, rate: 500, kills: 3 });
    expect(new Set(plan.map((p) => p.name))).toEqual(new Set(FAULT_NAMES));
    expect(plan.filter((p) => p.phase === 'leader-kill')).toHaveLength(3);
    expect(plan.filter((p) => p.phase === 'mixed')).toHaveLength(3);
  });

  it('the long profile: ≥ 50 leader kills, then a mixed phase that depends only on the seed', () => {
    const o = parseChaosArgs(['--seed', '77']);
    const plan = (seed: number) =>
      buildPlan({ scenarios: o.scenarios, pool: o.pool, kills: o.kills, mixedFaults: o.mixedFaults, maxExpansions: 4 }, new Prng(seed));
    expect(plan(77).filter((p) => p.phase === 'leader-kill').length).toBeGreaterThanOrEqual(50);
    expect(plan(77).filter((p) => p.phase === 'mixed')).toHaveLength(o.mixedFaults);
    expect(plan(77)).toEqual(plan(77));
    expect(plan(77)).not.toEqual(plan(78));
    expect(plan(77).filter((p) => p.name === 'partition-expansion').length).toBeLessThanOrEqual(4);
  });

  it('--cluster adds the cluster fault kinds to the plan and to what the mixed phase draws from', () => {
    const o = parseChaosArgs(['--cluster', '--short', '--seed', '9']);
    expect(o).toMatchObject({ cluster: true, short: true, kills: 2, mixedFaults: 3 });
    const plan = buildPlan({ scenarios: o.scenarios, pool: o.pool, kills: o.kills, mixedFaults: 200, maxExpansions: 4 }, new Prng(o.seed));
    expect(new Set(plan.filter((p) => p.phase !== 'mixed').map((p) => p.name))).toEqual(new Set([...FAULT_NAMES, ...CLUSTER_FAULT_NAMES]));
    expect(plan.filter((p) => p.phase === 'mixed').some((p) => (CLUSTER_FAULT_NAMES as readonly string[]).includes(p.name))).toBe(true);
    // Without --cluster the mixed phase never draws a cluster fault, and asking for one is a usage error.
    const single = parseChaosArgs(['--seed', '9']);
    const singlePlan = buildPlan({ scenarios: single.scenarios, pool: single.pool, kills: 0, mixedFaults: 200, maxExpansions: 4 }, new Prng(9));
    expect(singlePlan.some((p) => (CLUSTER_FAULT_NAMES as readonly string[]).includes(p.name))).toBe(false);
    expect(() => parseChaosArgs(['--scenarios', 'brokers-two-down'])).toThrow(/need --cluster/);
    expect(parseChaosArgs(['--cluster', '--scenarios', 'brokers-two-down,mixed']).scenarios).toEqual(['brokers-two-down', 'mixed']);
  });

  it('--scenarios picks scenarios; flags override the profile; bad flags are usage errors', () => {
    const o = parseChaosArgs(['--scenarios', 'redis-stop,mixed', '--mixed-faults', '2', '--rate', '1_500', '--kills', '4', '--replicas', '4']);
    expect(o).toMatchObject({ scenarios: ['redis-stop', 'mixed'], mixedFaults: 2, rate: 1500, kills: 4, replicas: 4 });
    expect(SCENARIOS).toContain('mixed');
    expect(() => parseChaosArgs(['--scenarios', 'meteor'])).toThrow(UsageError);
    expect(() => parseChaosArgs(['--rate', '0'])).toThrow(UsageError);
    expect(() => parseChaosArgs(['--seed', String(2 ** 32)])).toThrow(UsageError);
    expect(() => parseChaosArgs(['--nope'])).toThrow(UsageError);
  });
});
