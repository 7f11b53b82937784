import { describe, expect, it } from 'vitest';
import { benchDefaults, parseBenchArgs, PHASES, UsageError } from '../../../bench/lib/options.js';

describe('benchmark flags', () => {
  it('defaults to the issue: 1,000,000 records of 200 B, 12 partitions, 3 replicas, 3 repetitions, 5k/20k/50k', () => {
    const o = parseBenchArgs([]);
    expect(o).toMatchObject({
      records: 1_000_000,
      size: 200,
      partitions: 12,
      replicas: 3,
      repeat: 3,
      loads: [5_000, 20_000, 50_000],
      soakMinutes: 0,
      soakRate: 20_000,
      keys: 1000,
      headers: 2,
    });
    expect(o.phases).toEqual([...PHASES]);
    expect(Object.isFrozen(o)).toBe(true);
    expect(benchDefaults.records).toBe(1_000_000);
  });

  it('parses every flag', () => {
    const o = parseBenchArgs([
      '--records',
      '100_000',
      '--repeat',
      '1',
      '--loads',
      '1000, 2000',
      '--latency-seconds',
      '2.5',
      '--soak-minutes',
      '10',
      '--phases',
      'chain,latency',
      '--cpu-prof',
      '/tmp/p',
      '--keep',
    ]);
    expect(o).toMatchObject({
      records: 100_000,
      repeat: 1,
      loads: [1000, 2000],
      latencySeconds: 2.5,
      soakMinutes: 10,
      phases: ['chain', 'latency'],
      cpuProfDir: '/tmp/p',
      keep: true,
    });
    expect(parseBenchArgs(['--phases', 'none', '--soak-minutes', '1']).phases).toEqual([]);
    expect(parseBenchArgs(['--phases', 'log-view', '--proofs', '500', '--lag-rate', '5000'])).toMatchObject({
      phases: ['log-view'],
      proofs: 500,
      lagRate: 5_000,
    });
    expect(parseBenchArgs([])).toMatchObject({ proofs: 2_000, lagRate: 20_000, kills: 5 });
    expect(parseBenchArgs(['--phases', 'failover', '--kills', '30'])).toMatchObject({ phases: ['failover'], kills: 30 });
  });

  it('refuses bad input with a usage error naming the flag', () => {
    expect(() => parseBenchArgs(['--records', '0'])).toThrow(/--records must be at least 1/);
    expect(() => parseBenchArgs(['--records', 'many'])).toThrow(/--records must be a whole number/);
    expect(() => parseBenchArgs(['--phases', 'chain,warp'])).toThrow(/unknown phase "warp"/);
    expect(() => parseBenchArgs(['--phases', 'client,reader'])).toThrow(/reader needs seqchain/);
    expect(() => parseBenchArgs(['--phases', 'verify'])).toThrow(/verify needs seqchain/);
    expect(parseBenchArgs(['--phases', 'seqchain,verify']).phases).toEqual(['seqchain', 'verify']);
    expect(() => parseBenchArgs(['--latency-seconds', '0'])).toThrow(/--latency-seconds/);
    expect(() => parseBenchArgs(['--proofs', '0'])).toThrow(/--proofs must be at least 1/);
    expect(() => parseBenchArgs(['--nope'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['extra'])).toThrow(UsageError);
  });
});
