/**
 * A ZooKeeper that accepts a reconnect but never answers its handshake (what a restarting
 * ZooKeeper 3.8 did to one replica in the chaos suite's zookeeper-stop: the connection sat in
 * its accept queue, the ConnectRequest unread). node-zookeeper-client has no deadline once TCP
 * is up, so without ZkSession's reconnect watch the session stayed 'disconnected' for good.
 * A TCP proxy in front of the real ZooKeeper plays that server.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ZkSession } from '../../../src/coordination/zk-session.js';
import { testLogger, ZK_CONNECT } from '../../helpers/zk.js';
import { waitFor } from '../../../scripts/lib/replica-set.js';

class StallingProxy {
  /** 'forward': pipe to ZooKeeper; 'stall': accept, read nothing, answer nothing. */
  mode: 'forward' | 'stall' = 'forward';
  stalled = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((client) => {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    if (this.mode === 'stall') {
      this.stalled++;
      client.pause();
      return;
    }
    const [host, port] = ZK_CONNECT.split(',')[0]!.split(':');
    const upstream = net.connect(Number(port), host!);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });

  async listen(): Promise<number> {
    await new Promise<void>((res) => this.server.listen(0, '127.0.0.1', res));
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Cuts every open connection (the server went away). */
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((res) => this.server.close(res));
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

describe('ZkSession reconnect (real ZooKeeper behind a proxy)', () => {
  it('a reconnect the server accepts but never answers is retried on a new socket: the session comes back', async () => {
    const proxy = new StallingProxy();
    const port = await proxy.listen();
    cleanups.push(() => proxy.close());
    const session = await ZkSession.connect({ connect: `127.0.0.1:${port}`, sessionTimeoutMs: 3_000, connectTimeoutMs: 5_000, logger: testLogger() });
    cleanups.push(() => session.close());
    const events: string[] = [];
    session.on('disconnected', () => events.push('disconnected'));
    session.on('connected', () => events.push('connected'));
    session.on('session', () => events.push('session'));

    proxy.mode = 'stall';
    proxy.cut();
    await waitFor('a reconnect attempt stalled in the handshake', async () => proxy.stalled > 0, 5_000, 20);
    proxy.mode = 'forward'; // the server is back; the stalled socket stays stalled
    const t0 = Date.now();
    await waitFor('the session back (same session or a new one)', async () => session.isConnected, 15_000, 50);
    expect(events[0]).toBe('disconnected');
    expect(events.some((e) => e === 'connected' || e === 'session')).toBe(true);
    // 2/3 of the session timeout, plus at most one probe interval
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await session.exists('/')).not.toBeNull();
  }, 30_000);
});
