import { afterEach, describe, expect, it, vi } from 'vitest';
import { LeaderElection } from '../../../src/coordination/election.js';
import { chainPaths } from '../../../src/coordination/paths.js';
import type { ZkSession } from '../../../src/coordination/zk-session.js';
import { eventually, TcpProxy, ZK_CONNECT, ZkTestKit } from '../../helpers/zk.js';

const kit = new ZkTestKit();
afterEach(() => kit.cleanup());

async function candidate(session: ZkSession, root: string, replicaId: string): Promise<LeaderElection> {
  const e = new LeaderElection({ session, paths: chainPaths(root, 'c1'), replicaId });
  kit.onCleanup(() => e.close());
  await e.start();
  return e;
}

describe('LeaderElection (real ZooKeeper)', () => {
  it('three candidates: exactly one leader, the first to join; each watches its direct predecessor', async () => {
    const root = await kit.root();
    const sessions = [await kit.session(), await kit.session(), await kit.session()];
    const es: LeaderElection[] = [];
    for (const [i, s] of sessions.entries()) es.push(await candidate(s, root, `r${i}`));
    await eventually(() => es.filter((e) => e.isLeader).length === 1, 5_000, 'one leader');
    expect(es.map((e) => e.isLeader)).toEqual([true, false, false]);
    expect(es[1]!.watching).toBe(es[0]!.nodePath);
    expect(es[2]!.watching).toBe(es[1]!.nodePath);
    const cands = await es[0]!.candidates();
    expect(cands.map((c) => c.replicaId)).toEqual(['r0', 'r1', 'r2']);
    expect((await es[2]!.currentLeaderNode())?.replicaId).toBe('r0');
  });

  it('closing the leader session elects the next in order; only the direct successor is woken', async () => {
    const root = await kit.root();
    const [s0, s1, s2] = [await kit.session(), await kit.session(), await kit.session()];
    const e0 = await candidate(s0, root, 'r0');
    const e1 = await candidate(s1, root, 'r1');
    const e2 = await candidate(s2, root, 'r2');
    await eventually(() => e0.isLeader, 5_000, 'r0 leads');
    await eventually(() => e2.watching !== null, 5_000, 'r2 watches');
    const childrenCalls = vi.spyOn(s2, 'getChildren');
    const elected = new Promise<number>((resolve) => {
      const t0 = Date.now();
      e1.once('elected', () => resolve(Date.now() - t0));
    });
    await s0.close(); // the leader's process dies: its session ends, its ephemeral node goes
    const ms = await elected;
    expect(ms).toBeLessThan(s1.sessionTimeoutMs);
    expect(e1.isLeader).toBe(true);
    expect(e2.isLeader).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(childrenCalls).not.toHaveBeenCalled(); // no herd: r2 watches r1, which did not change
    expect(e2.watching).toBe(e1.nodePath);
  });

  it('resign hands leadership to the next candidate and re-joins at the back', async () => {
    const root = await kit.root();
    const [s0, s1] = [await kit.session(), await kit.session()];
    const e0 = await candidate(s0, root, 'r0');
    const e1 = await candidate(s1, root, 'r1');
    await eventually(() => e0.isLeader, 5_000, 'r0 leads');
    const lost = new Promise<string>((resolve) => e0.once('lost', resolve));
    const elected = new Promise<void>((resolve) => e1.once('elected', resolve));
    await e0.resign();
    expect(await lost).toBe('resigned');
    await elected;
    expect(e1.isLeader).toBe(true);
    await eventually(() => e0.watching === e1.nodePath, 5_000, 'r0 re-joined behind r1');
    expect(e0.isLeader).toBe(false);
    expect((await e0.candidates()).map((c) => c.replicaId)).toEqual(['r1', 'r0']);
  });

  it("'lost' fires at once on disconnect; 'elected' again after reconnecting with the same session", async () => {
    const root = await kit.root();
    const proxy = await new TcpProxy(ZK_CONNECT).start();
    kit.onCleanup(() => proxy.stop());
    const s0 = await kit.session({ connect: proxy.connect, sessionTimeoutMs: 4_000 });
    const s1 = await kit.session();
    const e0 = await candidate(s0, root, 'r0');
    const e1 = await candidate(s1, root, 'r1');
    await eventually(() => e0.isLeader, 5_000, 'r0 leads');
    const node = e0.nodePath;
    const lost = new Promise<string>((resolve) => e0.once('lost', resolve));
    proxy.cut();
    expect(await lost).toBe('disconnected');
    expect(e0.isLeader).toBe(false);
    const elected = new Promise<void>((resolve) => e0.once('elected', resolve));
    proxy.restore(); // well within the 4 s session timeout: same session, same node
    await elected;
    expect(e0.nodePath).toBe(node);
    expect(e1.isLeader).toBe(false);
  });

  it('a leader cut off beyond its session timeout: the follower is elected; the old leader re-joins behind it', async () => {
    const root = await kit.root();
    const proxy = await new TcpProxy(ZK_CONNECT).start();
    kit.onCleanup(() => proxy.stop());
    const s0 = await kit.session({ connect: proxy.connect, sessionTimeoutMs: 2_000 });
    const s1 = await kit.session();
    const e0 = await candidate(s0, root, 'r0');
    const e1 = await candidate(s1, root, 'r1');
    await eventually(() => e0.isLeader, 5_000, 'r0 leads');
    const sessionBefore = s0.sessionId;
    const lostAt = new Promise<number>((resolve) => e0.once('lost', () => resolve(Date.now())));
    const electedAt = new Promise<number>((resolve) => e1.once('elected', () => resolve(Date.now())));
    const cutAt = Date.now();
    proxy.cut();
    const tLost = await lostAt;
    const tElected = await electedAt;
    expect(tLost).toBeLessThan(tElected); // the old leader stopped before the new one started
    expect(tElected - cutAt).toBeLessThan(2_000 + 3_000); // session timeout + server tick slack
    const newSession = new Promise<void>((resolve) => s0.once('session', () => resolve()));
    proxy.restore();
    await newSession;
    expect(s0.sessionId).not.toBe(sessionBefore);
    await eventually(() => e0.watching !== null && e0.watching === e1.nodePath, 10_000, 'r0 re-joined behind r1');
    expect(e0.isLeader).toBe(false);
    expect(e1.isLeader).toBe(true);
  });

  it('refuses to start twice', async () => {
    const root = await kit.root();
    const e = await candidate(await kit.session(), root, 'r0');
    await expect(e.start()).rejects.toMatchObject({ code: 'SEQCHAIN_ERR_ALREADY_STARTED' });
  });
});
