/**
 * zookeeper.fastTakeover (src/coordination/predecessor-watch.ts) on the real stack: replicas as
 * processes, sessions of 10 s so that the old path (waiting for the dead leader's session to
 * expire) and the new one cannot be mistaken for each other.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';
import { duplicateKeys } from '../../helpers/log-lines.js';

const SESSION_MS = 10_000;
let fixture: ChainFixture | null = null;

afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

/** The leader znode once `id` has published its term. */
function ledBy(f: ChainFixture, id: string, timeoutMs: number) {
  return waitFor(
    `${id} leads`,
    async () => {
      const now = await f.set.leader();
      return now?.replicaId === id ? now : undefined;
    },
    timeoutMs,
    20,
  );
}

describe('fast takeover after a crash (real ZooKeeper, Kafka, replica processes)', () => {
  it('a stopped leader keeps leadership until its session ends; a SIGKILLed one is replaced long before that', async () => {
    fixture = new ChainFixture({ SEQCHAIN_ZK_SESSION_TIMEOUT_MS: String(SESSION_MS) });
    const f = fixture;
    await f.init(2);
    const [r1, r2] = [`${f.chain}-r1`, `${f.chain}-r2`];
    const first = f.set.start(r1);
    const leader = await ledBy(f, r1, 60_000);
    f.set.start(r2);
    await f.set.apiUrl(r2);
    await sleep(1_500); // r2 joins the election behind r1 and opens r1's liveness stream

    // A process that is alive but unresponsive (SIGSTOP: its sockets stay open) is not "gone":
    // nothing is decided before its session timeout.
    first.child.kill('SIGSTOP');
    await sleep(SESSION_MS * 0.6);
    expect((await f.set.leader())?.replicaId).toBe(r1);
    expect((await f.set.leader())?.epoch).toBe(leader.epoch);
    first.child.kill('SIGCONT');
    await sleep(1_000);
    expect((await f.set.leader())?.replicaId).toBe(r1);

    const killedAt = Date.now();
    await f.set.kill(r1, 'SIGKILL');
    const successor = await ledBy(f, r2, 30_000);
    const takeoverMs = Date.now() - killedAt;
    expect(successor.epoch).toBeGreaterThan(leader.epoch);
    // Through session expiry this takes at least SESSION_MS; the term's own start is well under 2 s here.
    expect(takeoverMs).toBeLessThan(SESSION_MS / 2);
    const r2Log = readFileSync(f.set.replicas.get(r2)!.logFile, 'utf8');
    // Its predecessor watch or its member watch, whichever ruled first (both follow r1's liveness stream).
    expect(r2Log).toMatch(/(predecessor|peer) process is gone: its election node deleted without waiting for its session timeout/);
    for (const line of r2Log.split('\n').filter((l) => l.startsWith('{'))) expect(duplicateKeys(line), line).toEqual([]);
    console.log(`fast takeover: SIGKILL of the leader → successor published after ${takeoverMs} ms (session timeout ${SESSION_MS} ms)`);

    // As a supervisor does: the killed process restarted at once under the same replica id. Its
    // new session replaces the member node the watch read the address from.
    const restarted = f.set.start(r1);
    // It joins the election once its worker has joined the group ("replica started").
    const started = new RegExp(`"pid":${restarted.child.pid},.*"msg":"replica started"`);
    await waitFor('the new r1 in the election', async () => started.test(readFileSync(restarted.logFile, 'utf8')), 60_000);
    await sleep(1_500);
    const againAt = Date.now();
    await f.set.kill(r2, 'SIGKILL');
    f.set.start(r2);
    const third = await ledBy(f, r1, 30_000);
    const restartedMs = Date.now() - againAt;
    expect(third.epoch).toBeGreaterThan(successor.epoch);
    expect(restartedMs).toBeLessThan(SESSION_MS / 2);
    console.log(`fast takeover, killed leader restarted at once: successor published after ${restartedMs} ms`);
  }, 150_000);

  it('any peer that finds a SIGKILLed leader gone takes it out of the election queue, when the successor cannot', async () => {
    fixture = new ChainFixture({ SEQCHAIN_ZK_SESSION_TIMEOUT_MS: String(SESSION_MS) });
    const f = fixture;
    await f.init(3);
    const [r1, r2, r3] = [`${f.chain}-r1`, `${f.chain}-r2`, `${f.chain}-r3`];
    f.set.start(r1);
    const leader = await ledBy(f, r1, 60_000);
    const successor = f.set.start(r2);
    await waitFor('r2 queued behind r1', async () => (await f.set.candidates()).join() === [r1, r2].join(), 60_000);
    f.set.start(r3);
    await waitFor('r3 queued behind r2', async () => (await f.set.candidates()).join() === [r1, r2, r3].join(), 60_000);
    await sleep(1_500); // r3's member watch opens r1's and r2's liveness streams

    // The successor is frozen (SIGSTOP: alive to ZooKeeper, deciding nothing); only r3 can see r1 go.
    successor.child.kill('SIGSTOP');
    let goneMs: number;
    try {
      const killedAt = Date.now();
      await f.set.kill(r1, 'SIGKILL');
      await waitFor('r1 out of the election queue', async () => !(await f.set.candidates()).includes(r1), SESSION_MS / 2, 20);
      goneMs = Date.now() - killedAt;
      expect(await f.set.candidates()).toEqual([r2, r3]);
    } finally {
      successor.child.kill('SIGCONT');
    }
    const r3Log = readFileSync(f.set.replicas.get(r3)!.logFile, 'utf8');
    expect(r3Log).toMatch(new RegExp(`"peer":"${r1}".*"msg":"peer process is gone: its election node deleted without waiting for its session timeout"`));
    // Once it runs again, the successor leads without waiting for r1's session either.
    const next = await ledBy(f, r2, 30_000);
    expect(next.epoch).toBeGreaterThan(leader.epoch);
    console.log(`member watch: SIGKILLed leader out of the queue after ${goneMs} ms with its successor frozen (session timeout ${SESSION_MS} ms)`);
  }, 150_000);
});
