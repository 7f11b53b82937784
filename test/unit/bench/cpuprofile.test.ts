import { describe, expect, it } from 'vitest';
import { byOwner, selfTimes, type CpuProfile } from '../../../bench/lib/cpuprofile.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

const profile: CpuProfile = {
  startTime: 0,
  endTime: 10_000,
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('linkHash', 'file:///repo/dist/src/chain/link.js', 23) },
    { id: 4, callFrame: frame('decode', 'file:///repo/node_modules/kafkajs/src/protocol/decoder.js', 9) },
    { id: 5, callFrame: frame('linkHash', 'file:///repo/dist/src/chain/link.js', 23) },
  ],
  // Each sample's time is the next delta, µs.
  samples: [2, 3, 4, 5, 2],
  timeDeltas: [0, 4_000, 3_000, 2_000, 1_000],
};

describe('cpu profile self time', () => {
  it('sums a function over its nodes, leaves idle out of the busy share', () => {
    const { busyMs, totalMs, rows } = selfTimes(profile, '/repo');
    expect(totalMs).toBe(10);
    expect(busyMs).toBe(6);
    expect(rows[0]).toEqual({ fn: '(idle)', selfMs: 4, share: 0 });
    expect(rows.find((r) => r.fn.startsWith('linkHash'))).toEqual({ fn: 'linkHash (dist/src/chain/link.js:24)', selfMs: 4, share: 4 / 6 });
    expect(rows.find((r) => r.fn.startsWith('decode'))?.fn).toBe('decode (kafkajs/src/protocol/decoder.js:10)');
  });

  it('groups by owner', () => {
    const owners = byOwner(selfTimes(profile, '/repo').rows);
    expect(owners.map((o) => o.owner)).toEqual(['seqchain src/chain', 'kafkajs']);
  });
});
