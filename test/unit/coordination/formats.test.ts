import { describe, expect, it } from 'vitest';
import { genesisHash } from '../../../src/chain/genesis.js';
import { decodeCounter, encodeCounter, type CounterValue } from '../../../src/coordination/counter.js';
import { decodeEpoch, encodeEpoch } from '../../../src/coordination/epoch.js';
import { decodeGenesis, encodeGenesis, type GenesisRecord } from '../../../src/coordination/genesis-store.js';
import { decodeLeader, encodeLeader, RECENT_CUTS } from '../../../src/coordination/leader.js';
import { decodeMember, encodeMember } from '../../../src/coordination/members.js';
import { decodeOrderedLease, encodeOrderedLease } from '../../../src/coordination/ordered-lease.js';
import { decodePause, encodePause } from '../../../src/coordination/pause.js';
import { chainPaths } from '../../../src/coordination/paths.js';
import { MalformedMessageError } from '../../../src/errors.js';

function fieldOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedMessageError);
    return (err as MalformedMessageError).details.field;
  }
  throw new Error('expected a MalformedMessageError');
}

const patch = (data: Buffer, changes: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify({ ...JSON.parse(data.toString()), ...changes }));

describe('counter znode v1', () => {
  const value: CounterValue = { epoch: 3n, nextSeq: 2n ** 63n, headHash: Buffer.alloc(32, 0xab), ledgerOffset: -1n };
  it('byte-exact encoding and round trip', () => {
    const data = encodeCounter(value);
    expect(data.toString()).toBe(`{"v":1,"epoch":"3","nextSeq":"9223372036854775808","headHash":"${'ab'.repeat(32)}","ledgerOffset":"-1"}`);
    expect(decodeCounter(data)).toEqual(value);
  });
  it('names the bad field', () => {
    const data = encodeCounter(value);
    expect(fieldOf(() => decodeCounter(Buffer.from('not json')))).toBe('(document)');
    expect(fieldOf(() => decodeCounter(Buffer.alloc(0)))).toBe('(document)');
    expect(fieldOf(() => decodeCounter(patch(data, { v: 2 })))).toBe('v');
    expect(fieldOf(() => decodeCounter(patch(data, { epoch: 3 })))).toBe('epoch');
    expect(fieldOf(() => decodeCounter(patch(data, { nextSeq: '0' })))).toBe('nextSeq');
    expect(fieldOf(() => decodeCounter(patch(data, { nextSeq: '01' })))).toBe('nextSeq');
    expect(fieldOf(() => decodeCounter(patch(data, { headHash: 'AB'.repeat(32) })))).toBe('headHash');
    expect(fieldOf(() => decodeCounter(patch(data, { headHash: 'ab' })))).toBe('headHash');
    expect(fieldOf(() => decodeCounter(patch(data, { ledgerOffset: '-2' })))).toBe('ledgerOffset');
    expect(fieldOf(() => decodeCounter(patch(data, { ledgerOffset: undefined })))).toBe('ledgerOffset');
  });
});

describe('epoch znode', () => {
  it('is a decimal string', () => {
    expect(encodeEpoch(42n).toString()).toBe('42');
    expect(decodeEpoch(Buffer.from('18446744073709551616'))).toBe(2n ** 64n);
    expect(fieldOf(() => decodeEpoch(Buffer.from('4x')))).toBe('epoch');
    expect(fieldOf(() => decodeEpoch(Buffer.from('-1')))).toBe('epoch');
  });
});

describe('genesis znode v1', () => {
  const chainId = 'c1';
  const start = [0n, 7n];
  const nonce = Buffer.alloc(16, 9);
  const g: GenesisRecord = {
    version: 1,
    chainId,
    topic: 'src',
    partitions: 2,
    start,
    createdAtMs: 1_700_000_000_000n,
    nonce,
    hash: genesisHash({ chainId, topic: 'src', start, createdAtMs: 1_700_000_000_000n, nonce }),
    startMode: 'latest',
    ledgerTopic: 'c1.ledger',
    digestTopic: 'c1.digests',
  };
  it('byte-exact encoding and round trip', () => {
    const data = encodeGenesis(g);
    expect(data.toString()).toBe(
      `{"version":1,"chainId":"c1","topic":"src","partitions":2,"start":["0","7"],"createdAtMs":"1700000000000","nonce":"${'09'.repeat(16)}","hash":"${g.hash.toString('hex')}","startMode":"latest","ledgerTopic":"c1.ledger","digestTopic":"c1.digests"}`,
    );
    expect(decodeGenesis(data)).toEqual(g);
  });
  it('names the bad field, and refuses a hash that does not match the fields', () => {
    const data = encodeGenesis(g);
    expect(fieldOf(() => decodeGenesis(patch(data, { version: 2 })))).toBe('version');
    expect(fieldOf(() => decodeGenesis(patch(data, { chainId: '' })))).toBe('chainId');
    expect(fieldOf(() => decodeGenesis(patch(data, { partitions: 0 })))).toBe('partitions');
    expect(fieldOf(() => decodeGenesis(patch(data, { partitions: 3 })))).toBe('start');
    expect(fieldOf(() => decodeGenesis(patch(data, { start: ['0', 'x'] })))).toBe('start[1]');
    expect(fieldOf(() => decodeGenesis(patch(data, { nonce: '00' })))).toBe('nonce');
    expect(fieldOf(() => decodeGenesis(patch(data, { startMode: 'middle' })))).toBe('startMode');
    expect(fieldOf(() => decodeGenesis(patch(data, { digestTopic: 5 })))).toBe('digestTopic');
    expect(fieldOf(() => decodeGenesis(patch(data, { createdAtMs: '1700000000001' })))).toBe('hash');
    expect(() => encodeGenesis({ ...g, partitions: 3 })).toThrow(MalformedMessageError);
  });
});

describe('leader znode v1', () => {
  it('byte-exact encoding, round trip, bad fields', () => {
    const info = { replicaId: 'r1', epoch: 4n, apiAddress: 'http://h:8080', since: 1_700_000_000_000 };
    const data = encodeLeader(info);
    expect(data.toString()).toBe('{"v":1,"replicaId":"r1","epoch":"4","apiAddress":"http://h:8080","since":1700000000000}');
    expect(decodeLeader(data)).toEqual(info);
    expect(fieldOf(() => decodeLeader(patch(data, { replicaId: '' })))).toBe('replicaId');
    expect(fieldOf(() => decodeLeader(patch(data, { epoch: '-1' })))).toBe('epoch');
    expect(fieldOf(() => decodeLeader(patch(data, { since: 1.5 })))).toBe('since');
  });
});

describe('member znode v1', () => {
  it('byte-exact encoding, round trip, bad fields', () => {
    const m = { replicaId: 'r1', pid: 7, host: 'h', startedAt: 5, apiAddress: '', partitions: [0, 3] };
    const data = encodeMember(m);
    expect(data.toString()).toBe('{"v":1,"replicaId":"r1","pid":7,"host":"h","startedAt":5,"apiAddress":"","partitions":[0,3]}');
    expect(decodeMember(data)).toEqual(m);
    expect(fieldOf(() => decodeMember(patch(data, { partitions: [0, -1] })))).toBe('partitions[1]');
    expect(fieldOf(() => decodeMember(patch(data, { partitions: 'all' })))).toBe('partitions');
    expect(fieldOf(() => decodeMember(patch(data, { pid: '7' })))).toBe('pid');
  });

  it('workerMemberId is optional: written only when known, an empty one refused', () => {
    const m = { replicaId: 'r1', pid: 7, host: 'h', startedAt: 5, apiAddress: '', partitions: [1], workerMemberId: 'seqchain-r1-replica-6f1c' };
    const data = encodeMember(m);
    expect(data.toString()).toBe(
      '{"v":1,"replicaId":"r1","pid":7,"host":"h","startedAt":5,"apiAddress":"","partitions":[1],"workerMemberId":"seqchain-r1-replica-6f1c"}',
    );
    expect(decodeMember(data)).toEqual(m);
    expect(encodeMember({ ...m, workerMemberId: undefined }).toString()).not.toContain('workerMemberId');
    expect(fieldOf(() => decodeMember(patch(data, { workerMemberId: '' })))).toBe('workerMemberId');
    expect(fieldOf(() => decodeMember(patch(data, { workerMemberId: 3 })))).toBe('workerMemberId');
  });
});

describe('ordered-writer znode v1', () => {
  it('byte-exact encoding, round trip, bad fields', () => {
    const info = { replicaId: 'r2', since: 1_700_000_000_000, seq: 812n, at: 1_700_000_001_234 };
    const data = encodeOrderedLease(info);
    expect(data.toString()).toBe('{"v":1,"replicaId":"r2","since":1700000000000,"seq":"812","at":1700000001234}');
    expect(decodeOrderedLease(data)).toEqual(info);
    expect(fieldOf(() => decodeOrderedLease(patch(data, { replicaId: '' })))).toBe('replicaId');
    expect(fieldOf(() => decodeOrderedLease(patch(data, { seq: 812 })))).toBe('seq');
    expect(fieldOf(() => decodeOrderedLease(patch(data, { seq: '-1' })))).toBe('seq');
  });
});

describe('chainPaths', () => {
  it('builds the layout of docs/DESIGN.md', () => {
    const p = chainPaths('/seqchain', 'orders');
    expect([p.base, p.genesis, p.election, p.electionPrefix, p.leader, p.epoch, p.counter, p.members, p.member('r-1'), p.orderedWriter]).toEqual([
      '/seqchain/orders',
      '/seqchain/orders/genesis',
      '/seqchain/orders/election',
      '/seqchain/orders/election/n_',
      '/seqchain/orders/leader',
      '/seqchain/orders/epoch',
      '/seqchain/orders/counter',
      '/seqchain/orders/members',
      '/seqchain/orders/members/r-1',
      '/seqchain/orders/ordered-writer',
    ]);
    expect(chainPaths('/', 'x').genesis).toBe('/x/genesis');
    expect(chainPaths('/a/b', 'x').base).toBe('/a/b/x');
  });
  it('rejects bad names with a ConfigError naming the value', () => {
    expect(() => chainPaths('/seqchain', 'a/b')).toThrow(/chain "a\/b" must not contain '\/'/);
    expect(() => chainPaths('/seqchain', '')).toThrow(/chain "" must not be empty/);
    expect(() => chainPaths('/seqchain', '..')).toThrow(/chain "\.\."/);
    expect(() => chainPaths('/seqchain', 'a')).not.toThrow();
    expect(() => chainPaths('/seqchain', 'a').member('x/y')).toThrow(/replicaId "x\/y"/);
    expect(() => chainPaths('/seqchain', 'a').member('')).toThrow(expect.objectContaining({ code: 'SEQCHAIN_ERR_CONFIG' }));
    expect(() => chainPaths('seqchain', 'a')).toThrow(/zookeeper root "seqchain"/);
    expect(() => chainPaths('/seqchain/', 'a')).toThrow(/must not end with/);
    expect(() => chainPaths('/a//b', 'a')).toThrow(/must not be empty/);
  });
});

describe('leader znode v1 with lastCut', () => {
  const info = {
    replicaId: 'r2',
    epoch: 7n,
    apiAddress: 'http://127.0.0.1:7070',
    since: 1_700_000_000_000,
    lastCut: { cutId: 812n, records: 37, latencyMs: 4, at: 1_700_000_001_234 },
  };
  it('round-trips the last cut statistics and stays readable without them', () => {
    expect(decodeLeader(encodeLeader(info))).toEqual(info);
    const { lastCut: _omitted, ...plain } = info;
    expect(decodeLeader(encodeLeader(plain))).toEqual(plain);
  });
  it('round-trips the recent cuts, newest first, at most RECENT_CUTS, in a byte-exact form', () => {
    const cut = (n: number) => ({ cutId: BigInt(900 - n), epoch: 7n, lastSeq: BigInt(10_000 - n * 10), records: 10, latencyMs: n, at: 1_700_000_002_000 - n });
    const withCuts = { ...info, recentCuts: Array.from({ length: RECENT_CUTS + 5 }, (_, n) => cut(n)) };
    const decoded = decodeLeader(encodeLeader(withCuts));
    expect(decoded.recentCuts).toEqual(withCuts.recentCuts.slice(0, RECENT_CUTS));
    expect(encodeLeader({ ...info, recentCuts: [cut(0)] }).toString()).toContain(
      '"recentCuts":[{"cutId":"900","epoch":"7","lastSeq":"10000","records":10,"latencyMs":0,"at":1700000002000}]',
    );
    expect(fieldOf(() => decodeLeader(patch(encodeLeader(withCuts), { recentCuts: [{ ...JSON.parse('{}'), cutId: '1' }] })))).toBe('recentCuts[0].epoch');
    expect(fieldOf(() => decodeLeader(patch(encodeLeader(withCuts), { recentCuts: [5] })))).toBe('recentCuts[0]');
    // A reader that predates the field ignores it; this one reads a znode without it.
    expect(decodeLeader(encodeLeader(info)).recentCuts).toBeUndefined();
  });
  it('names a bad nested field with its parent', () => {
    const data = patch(encodeLeader(info), { lastCut: { cutId: 'x', records: 1, latencyMs: 1, at: 1 } });
    expect(fieldOf(() => decodeLeader(data))).toBe('lastCut.cutId');
    expect(fieldOf(() => decodeLeader(patch(encodeLeader(info), { lastCut: 5 })))).toBe('lastCut');
  });
});

describe('pause znode v1', () => {
  const info = { by: 'r1', at: 1_700_000_000_000, reason: 'maintenance' };
  it('byte-exact encoding and round trip', () => {
    expect(encodePause(info).toString()).toBe('{"v":1,"by":"r1","at":1700000000000,"reason":"maintenance"}');
    expect(decodePause(encodePause(info))).toEqual(info);
  });
  it('names the bad field', () => {
    expect(fieldOf(() => decodePause(patch(encodePause(info), { at: -1 })))).toBe('at');
    expect(fieldOf(() => decodePause(patch(encodePause(info), { v: 2 })))).toBe('v');
  });
});
