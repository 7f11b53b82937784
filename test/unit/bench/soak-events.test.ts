import { describe, expect, it } from 'vitest';
import { countSoakEvents } from '../../../bench/lib/soak-events.js';

const line = (msg: string, extra: Record<string, unknown> = {}) => JSON.stringify({ level: 30, time: 1, ...extra, msg });

describe('faults nobody injected, from the replicas’ logs of a soak', () => {
  it('one term and nothing else is a clean soak', () => {
    const logs = [
      [line('replica started'), line('leading: sequencing resumes from the ledger tail', { epoch: '1' }), line('worker assignment')].join('\n'),
      [line('replica started'), 'not json', '{"broken', line('worker assignment')].join('\n'),
    ];
    expect(countSoakEvents(logs)).toEqual({ terms: 1, leaderChanges: 0, goneVerdicts: 0, workerCrashes: 0 });
  });

  it('counts leader changes, crash verdicts and worker crashes across the replicas', () => {
    const logs = [
      [line('leading: sequencing resumes from the ledger tail'), line('peer gone: its worker removed from the worker group')].join('\n'),
      [
        line('predecessor process is gone: its election node deleted without waiting for its session timeout'),
        line('leading: sequencing resumes from the ledger tail'),
        line('worker consumer crashed: partitions released, re-creating the consumer'),
      ].join('\n'),
    ];
    expect(countSoakEvents(logs)).toEqual({ terms: 2, leaderChanges: 1, goneVerdicts: 2, workerCrashes: 1 });
    expect(countSoakEvents([])).toEqual({ terms: 0, leaderChanges: 0, goneVerdicts: 0, workerCrashes: 0 });
  });
});
