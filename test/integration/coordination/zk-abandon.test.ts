/**
 * A ZooKeeper session that stays disconnected past its bound (five session timeouts, at least
 * 30 s) is given up for a new one by ZkSession itself, even while the network is still split:
 * node-zookeeper-client was seen never to reconnect after the whole ensemble restarted (chaos
 * --cluster, zookeeper-stop), which left a replica that was no member and could never lead. The
 * split is the chaos suite's own (chaos/lib/netsplit.ts: the child's packets to ZooKeeper are
 * dropped), against the real ZooKeeper of the stack. Needs root and iptables, like that suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { NetSplit } from '../../../chaos/lib/netsplit.js';
import { REPO } from '../../../scripts/lib/replica-set.js';
import { loadConfig } from '../../../src/config/load.js';

/** A child with one ZkSession (the compiled one), printing its events as JSON lines on stdout. */
const CHILD = `
const [sessionJs, logJs, connect] = process.argv.slice(1);
const { ZkSession } = await import(sessionJs);
const { createLogger } = await import(logJs);
const say = (event, extra = {}) => console.log(JSON.stringify({ event, at: Date.now(), ...extra }));
const zk = await ZkSession.connect({ connect, sessionTimeoutMs: 4000, connectTimeoutMs: 2000, logger: createLogger({ name: 'zk-abandon' }) });
say('connected', { id: zk.sessionId });
for (const e of ['disconnected', 'expired', 'connected']) zk.on(e, () => say(e));
zk.on('session', (id) => say('session', { id }));
`;

interface Event {
  event: string;
  at: number;
  id?: string;
}

describe('ZooKeeper session given up after a long disconnection (real ZooKeeper, network split)', () => {
  let child: ChildProcess | undefined;
  let split: NetSplit | undefined;
  let stderr = '';

  afterAll(async () => {
    child?.kill('SIGKILL');
    await sleep(200);
    await split?.close();
  });

  it('opens a new session 30 s into a split that has not healed, and keeps it once the split heals', async () => {
    const { connect } = loadConfig({ overrides: { chain: 'zk-abandon' } }).zookeeper;
    const zkPorts = connect
      .replace(/\/.*$/, '')
      .split(',')
      .map((hostPort) => Number(hostPort.split(':')[1]));
    split = await NetSplit.open({ cluster: false, kafkaPorts: [], zkPorts, redisPort: 0 }, `zkabandon-${process.pid}`);
    const events: Event[] = [];
    child = spawn(
      process.execPath,
      ['--input-type=module', '-e', CHILD, join(REPO, 'dist/src/coordination/zk-session.js'), join(REPO, 'dist/src/log.js'), connect],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    split.place('zk-client', child.pid!);
    child.stdout!.on('data', (d: Buffer) => {
      for (const line of d.toString().trim().split('\n')) if (line.startsWith('{')) events.push(JSON.parse(line) as Event);
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const until = async (what: string, ok: () => boolean, ms: number) => {
      for (const end = Date.now() + ms; !ok(); await sleep(100))
        if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms; events ${JSON.stringify(events)}; stderr ${stderr.slice(-2_000)}`);
    };
    await until('session', () => events.some((e) => e.event === 'connected'), 20_000);
    const first = events[0]!.id;

    const cutAt = Date.now();
    await split.cut('zk-client', ['zookeeper']);
    await until('disconnection', () => events.some((e) => e.event === 'disconnected'), 15_000);
    await until('expiry by the bound', () => events.some((e) => e.event === 'expired'), 45_000);
    const expiredAt = events.find((e) => e.event === 'expired')!.at;
    await sleep(3_000);
    const healAt = Date.now();
    await split.heal('zk-client');
    await until('new session', () => events.some((e) => e.event === 'session'), 30_000);

    // Given up by the bound while the split was still in place, not by the server after the heal.
    expect(expiredAt - cutAt).toBeGreaterThanOrEqual(30_000);
    expect(expiredAt).toBeLessThan(healAt);
    expect(stderr).toMatch(/zookeeper did not reconnect within 30000 ms; giving the session up/);
    const renewed = events.find((e) => e.event === 'session')!;
    expect(renewed.at).toBeGreaterThan(healAt);
    expect(renewed.id).not.toBe(first);
  }, 120_000);
});
