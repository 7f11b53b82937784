import { afterEach, describe, expect, it } from 'vitest';
import { createCounter } from '../../../src/coordination/counter.js';
import { bumpEpoch } from '../../../src/coordination/epoch.js';
import { writeGenesis } from '../../../src/coordination/genesis-store.js';
import { chainPaths } from '../../../src/coordination/paths.js';
import { isZkError, ZkSession } from '../../../src/coordination/zk-session.js';
import { expireSession, testLogger, ZK_CONNECT, ZkTestKit } from '../../helpers/zk.js';
import { makeGenesis } from './fixtures.js';

const kit = new ZkTestKit();
afterEach(() => kit.cleanup());

describe('ZkSession (real ZooKeeper)', () => {
  it('rejects with a retriable SEQCHAIN_ERR_UNREACHABLE naming the address when nothing answers', async () => {
    const started = Date.now();
    const err = await ZkSession.connect({ connect: '127.0.0.1:1', sessionTimeoutMs: 2_000, connectTimeoutMs: 500, logger: testLogger() }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'SEQCHAIN_ERR_UNREACHABLE', retriable: true });
    expect((err as Error).message).toContain('127.0.0.1:1');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("refuses acl 'creator' without auth, and never echoes credentials in errors", async () => {
    await expect(
      ZkSession.connect({ connect: ZK_CONNECT, sessionTimeoutMs: 2_000, connectTimeoutMs: 500, acl: 'creator', logger: testLogger() }),
    ).rejects.toMatchObject({ code: 'SEQCHAIN_ERR_CONFIG' });
    const err = await ZkSession.connect({
      connect: ZK_CONNECT,
      sessionTimeoutMs: 2_000,
      connectTimeoutMs: 500,
      auth: { scheme: 'digest', credentials: 'nocolonsecret' },
      logger: testLogger(),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SEQCHAIN_ERR_CONFIG' });
    expect(JSON.stringify(err) + String((err as Error).message)).not.toContain('nocolonsecret');
  });

  it('wraps operations: null for missing nodes, typed BAD_VERSION, transactions honour version 0', async () => {
    const root = await kit.root();
    const s = await kit.session();
    expect(await s.getData(`${root}/x`)).toBeNull();
    expect(await s.exists(`${root}/x`)).toBeNull();
    expect(await s.getChildren(`${root}/x`)).toBeNull();
    expect(await s.remove(`${root}/x`)).toBe(false);
    await s.mkdirp(`${root}/a/b`);
    expect(await s.getChildren(root)).toEqual(['a']);
    await s.create(`${root}/n`, Buffer.from('one'));
    expect(await s.setData(`${root}/n`, Buffer.from('two'), 0)).toBe(1);
    const err = await s.setData(`${root}/n`, Buffer.from('three'), 0).catch((e: unknown) => e);
    expect(isZkError(err, 'BAD_VERSION')).toBe(true);
    expect(err).toMatchObject({ path: `${root}/n` });
    // node-zookeeper-client turns version 0 into -1 in transactions; ZkTransaction must not
    await s.create(`${root}/v0`, Buffer.from('a'));
    await s.setData(`${root}/v0`, Buffer.from('b'), 0); // now at version 1
    const txErr = await s
      .transaction()
      .check(`${root}/v0`, 0)
      .setData(`${root}/n`, Buffer.from('x'), 1)
      .commit()
      .catch((e: unknown) => e);
    expect(isZkError(txErr, 'BAD_VERSION')).toBe(true);
    expect((txErr as { path: string }).path).toBe(`${root}/v0`);
    expect((await s.getData(`${root}/n`))?.data.toString()).toBe('two');
    await s.transaction().check(`${root}/v0`, 1).setData(`${root}/n`, Buffer.from('x'), 1).commit();
    expect((await s.getData(`${root}/n`))?.data.toString()).toBe('x');
  });

  it("a watcher fires; 'expired' then 'session' with a new session id after the server expires the session", async () => {
    const root = await kit.root();
    const s = await kit.session();
    await s.mkdirp(root);
    const fired = new Promise<string>((resolve) => void s.exists(`${root}/w`, (e) => resolve(e.type)));
    await s.create(`${root}/w`, null);
    expect(await fired).toBe('created');
    await s.create(`${root}/eph`, null, 'ephemeral');
    const before = s.sessionId;
    const events: string[] = [];
    for (const ev of ['disconnected', 'expired', 'connected'] as const) s.on(ev, () => events.push(ev));
    const renewed = new Promise<string>((resolve) => s.once('session', resolve));
    await expireSession(s);
    const id = await renewed;
    expect(id).not.toBe(before);
    expect(s.sessionId).toBe(id);
    expect(events).toContain('expired');
    expect(events.indexOf('disconnected')).toBeLessThan(events.indexOf('expired'));
    expect(await s.exists(`${root}/eph`)).toBeNull(); // its ephemerals went with it
    await s.create(`${root}/eph`, null, 'ephemeral'); // and the new session works
  });

  it("with digest auth and acl 'creator', a client without auth can read but not write genesis, epoch, counter", async () => {
    const auth = { scheme: 'digest' as const, credentials: `seqchain:${'s3cret'}` };
    const paths = chainPaths(await kit.root(auth), 'c1');
    const owner = await kit.session({ auth, acl: 'creator' });
    await writeGenesis(owner, paths, makeGenesis('c1'));
    await bumpEpoch(owner, paths);
    await createCounter(owner, paths, { epoch: 1n, nextSeq: 1n, headHash: Buffer.alloc(32), ledgerOffset: -1n });
    const stranger = await kit.session();
    const other = await kit.session({ auth: { scheme: 'digest', credentials: 'someone:else' } });
    for (const path of [paths.genesis, paths.epoch, paths.counter]) {
      const got = await stranger.getData(path);
      expect(got).not.toBeNull();
      for (const client of [stranger, other]) {
        const err = await client.setData(path, Buffer.from('x'), -1).catch((e: unknown) => e);
        expect(isZkError(err, 'NO_AUTH')).toBe(true);
        expect(err).toMatchObject({ code: 'SEQCHAIN_ERR_CONFIG' });
        expect(isZkError(await client.remove(path).catch((e: unknown) => e), 'NO_AUTH')).toBe(true);
      }
    }
    const created = await stranger.create(`${paths.base}/intruder`, null).catch((e: unknown) => e);
    expect(isZkError(created, 'NO_AUTH')).toBe(true);
    // a second replica with the same credentials may write
    const peer = await kit.session({ auth, acl: 'creator' });
    expect(await bumpEpoch(peer, paths)).toBe(2n);
  });
});
