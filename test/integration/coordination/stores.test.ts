import { afterEach, describe, expect, it } from 'vitest';
import { casCounter, createCounter, readCounter, type CounterValue } from '../../../src/coordination/counter.js';
import { bumpEpoch, readEpoch } from '../../../src/coordination/epoch.js';
import { readGenesis, writeGenesis } from '../../../src/coordination/genesis-store.js';
import { clearLeader, publishLeader, readLeader } from '../../../src/coordination/leader.js';
import { listMembers, MemberRegistration } from '../../../src/coordination/members.js';
import { PauseWatch, setPause } from '../../../src/coordination/pause.js';
import { chainPaths } from '../../../src/coordination/paths.js';
import { expireSession, eventually, ZkTestKit } from '../../helpers/zk.js';
import { makeGenesis } from './fixtures.js';

const kit = new ZkTestKit();
afterEach(() => kit.cleanup());

const counter = (nextSeq: bigint): CounterValue => ({ epoch: 1n, nextSeq, headHash: Buffer.alloc(32, Number(nextSeq % 256n)), ledgerOffset: nextSeq - 2n });

describe('epoch (real ZooKeeper)', () => {
  it('is 0 before the first bump; concurrent bumps from two sessions give distinct increasing epochs', async () => {
    const paths = chainPaths(await kit.root(), 'c1');
    const [a, b] = [await kit.session(), await kit.session()];
    expect(await readEpoch(a, paths)).toBe(0n);
    const runs = await Promise.all([
      (async () => {
        const got: bigint[] = [];
        for (let i = 0; i < 20; i++) got.push(await bumpEpoch(a, paths));
        return got;
      })(),
      (async () => {
        const got: bigint[] = [];
        for (let i = 0; i < 20; i++) got.push(await bumpEpoch(b, paths));
        return got;
      })(),
    ]);
    for (const run of runs) for (let i = 1; i < run.length; i++) expect(run[i]! > run[i - 1]!).toBe(true);
    const all = [...runs[0]!, ...runs[1]!].sort((x, y) => (x < y ? -1 : 1));
    expect(all).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i + 1)));
    expect(await readEpoch(b, paths)).toBe(40n);
  });
});

describe('counter (real ZooKeeper)', () => {
  it('create, read, CAS; a stale version fails with SEQCHAIN_ERR_LEADERSHIP_LOST', async () => {
    const paths = chainPaths(await kit.root(), 'c1');
    const [a, b] = [await kit.session(), await kit.session()];
    expect(await readCounter(a, paths)).toBeNull();
    expect(await createCounter(a, paths, counter(1n))).toBe(0);
    await expect(createCounter(b, paths, counter(1n))).rejects.toMatchObject({ code: 'SEQCHAIN_ERR_LEADERSHIP_LOST' });
    const read = await readCounter(b, paths);
    expect(read).toEqual({ value: counter(1n), version: 0 });
    expect(await casCounter(a, paths, counter(10n), 0)).toBe(1);
    // b still holds version 0: another leader moved the counter → step down
    const err = await casCounter(b, paths, counter(5n), 0).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SEQCHAIN_ERR_LEADERSHIP_LOST', retriable: false, details: { path: paths.counter, expectedVersion: 0 } });
    expect((await readCounter(a, paths))?.value).toEqual(counter(10n));
  });

  it('a malformed counter znode gives MalformedMessageError naming the field', async () => {
    const paths = chainPaths(await kit.root(), 'c1');
    const s = await kit.session();
    await s.mkdirp(paths.base);
    await s.create(paths.counter, Buffer.from('{"v":1,"epoch":"1","nextSeq":"x","headHash":"00","ledgerOffset":"0"}'));
    await expect(readCounter(s, paths)).rejects.toMatchObject({ code: 'SEQCHAIN_ERR_MALFORMED_MESSAGE', details: { field: 'nextSeq' } });
  });
});

describe('genesis store (real ZooKeeper)', () => {
  it('reads back what it wrote; a missing genesis is SEQCHAIN_ERR_CHAIN_NOT_FOUND naming the path', async () => {
    const paths = chainPaths(await kit.root(), 'c1');
    const s = await kit.session();
    const err = await readGenesis(s, paths).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SEQCHAIN_ERR_CHAIN_NOT_FOUND' });
    expect((err as Error).message).toContain(paths.genesis);
    const g = makeGenesis('c1');
    await writeGenesis(s, paths, g);
    expect(await readGenesis(s, paths)).toEqual(g);
  });

  it('refuses to overwrite without force; with force replaces it and deletes epoch and counter', async () => {
    const paths = chainPaths(await kit.root(), 'c1');
    const s = await kit.session();
    await writeGenesis(s, paths, makeGenesis('c1', 1));
    await bumpEpoch(s, paths);
    await createCounter(s, paths, counter(1n));
    await expect(writeGenesis(s, paths, makeGenesis('c1', 2))).rejects.toMatchObject({ code: 'SEQCHAIN_ERR_CHAIN_EXISTS' });
    expect((await readGenesis(s, paths)).nonce).toEqual(Buffer.alloc(16, 1));
    await writeGenesis(s, paths, makeGenesis('c1', 2), { force: true });
    expect((await readGenesis(s, paths)).nonce).toEqual(Buffer.alloc(16, 2));
    expect(await readCounter(s, paths)).toBeNull();
    expect(await readEpoch(s, paths)).toBe(0n);
  });
});

describe('leader znode (real ZooKeeper)', () => {
  it('publish, read, replace a node of another session, clear; ephemeral', async () => {
    const paths = chainPaths(await kit.root(), 'c1');
    const [a, b] = [await kit.session(), await kit.session()];
    expect(await readLeader(a, paths)).toBeNull();
    await publishLeader(a, paths, { replicaId: 'ra', epoch: 1n, apiAddress: 'http://a:1', since: 1 });
    await publishLeader(a, paths, { replicaId: 'ra', epoch: 2n, apiAddress: 'http://a:1', since: 1 });
    expect(await readLeader(b, paths)).toEqual({ replicaId: 'ra', epoch: 2n, apiAddress: 'http://a:1', since: 1 });
    await publishLeader(b, paths, { replicaId: 'rb', epoch: 3n, apiAddress: '', since: 2 });
    expect((await readLeader(a, paths))?.replicaId).toBe('rb');
    expect(await clearLeader(a, paths)).toBe(false); // not a's any more
    await b.close();
    expect(await readLeader(a, paths)).toBeNull();
  });
});

describe('members (real ZooKeeper)', () => {
  it('register, update, list; re-registered after the session expires', async () => {
    const paths = chainPaths(await kit.root(), 'c1');
    const [a, b] = [await kit.session(), await kit.session()];
    const ma = new MemberRegistration(a, paths, { replicaId: 'ra', pid: 11, host: 'ha', startedAt: 5, apiAddress: 'http://ha:1', partitions: [] });
    const mb = new MemberRegistration(b, paths, { replicaId: 'rb', pid: 12, host: 'hb', startedAt: 6, apiAddress: '', partitions: [] });
    kit.onCleanup(() => ma.close());
    kit.onCleanup(() => mb.close());
    await ma.start();
    await mb.start();
    await expect(ma.start()).rejects.toMatchObject({ code: 'SEQCHAIN_ERR_ALREADY_STARTED' });
    await ma.update({ partitions: [0, 2] });
    expect((await listMembers(b, paths)).map((m) => [m.replicaId, m.partitions])).toEqual([
      ['ra', [0, 2]],
      ['rb', []],
    ]);
    const renewed = new Promise<void>((resolve) => a.once('session', () => resolve()));
    await expireSession(a);
    await renewed;
    await eventually(async () => (await listMembers(b, paths)).some((m) => m.replicaId === 'ra'), 5_000, 'ra registered again');
    const ra = (await listMembers(b, paths)).find((m) => m.replicaId === 'ra');
    expect(ra?.partitions).toEqual([0, 2]);
    await ma.close();
    expect((await listMembers(b, paths)).map((m) => m.replicaId)).toEqual(['rb']);
  });

  it('a restart under the same id replaces the node its previous session left, and says what it held', async () => {
    const paths = chainPaths(await kit.root(), 'c1');
    const [old, fresh] = [await kit.session(), await kit.session()];
    const before = new MemberRegistration(old, paths, {
      replicaId: 'ra',
      pid: 11,
      host: 'ha',
      startedAt: 5,
      apiAddress: '',
      partitions: [1],
      workerMemberId: 'w-old',
    });
    await before.start();
    expect(before.replaced).toBeNull();
    const after = new MemberRegistration(fresh, paths, { replicaId: 'ra', pid: 12, host: 'ha', startedAt: 6, apiAddress: '', partitions: [] });
    kit.onCleanup(() => after.close());
    await after.start();
    expect(after.replaced).toMatchObject({ pid: 11, workerMemberId: 'w-old' });
    expect((await listMembers(old, paths)).map((m) => [m.replicaId, m.pid])).toEqual([['ra', 12]]);
  });
});

describe('pause watch (real ZooKeeper)', () => {
  it('follows the pause znode; refuses a second start(); close() is one promise', async () => {
    const paths = chainPaths(await kit.root(), 'c1');
    const [a, b] = [await kit.session(), await kit.session()];
    const watch = new PauseWatch(a, paths, a.logger);
    kit.onCleanup(() => watch.close());
    expect(await watch.start()).toBeNull();
    await expect(watch.start()).rejects.toMatchObject({ code: 'SEQCHAIN_ERR_ALREADY_STARTED' });
    const changed = new Promise((resolve) => watch.once('changed', resolve));
    await b.mkdirp(paths.base);
    await setPause(b, paths, { by: 'cli', at: 1, reason: 'test' });
    expect(await changed).toEqual({ by: 'cli', at: 1, reason: 'test' });
    const closing = watch.close();
    expect(watch.close()).toBe(closing);
    await closing;
  });
});
