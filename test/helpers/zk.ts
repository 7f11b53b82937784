import { randomUUID } from 'node:crypto';
import net from 'node:net';
import zookeeper from 'node-zookeeper-client';
import { pino } from 'pino';
import { ZkSession, type ZkSessionOptions } from '../../src/coordination/zk-session.js';
import type { Logger } from '../../src/log.js';

/** The ZooKeeper every integration test talks to (the project's stack by default). */
export const ZK_CONNECT = process.env.SEQCHAIN_ZK_CONNECT ?? '127.0.0.1:12181';

export function testLogger(): Logger {
  return pino({ level: process.env.SEQCHAIN_TEST_LOG ?? 'silent' }, pino.destination({ fd: 2, sync: true }));
}

export function uniqueRoot(): string {
  return `/seqchain-test-${randomUUID()}`;
}

/**
 * Tracks sessions and cleanups of one test; `cleanup()` (call it from afterEach) runs them in
 * reverse order, each failure on its own.
 */
export class ZkTestKit {
  private readonly cleanups: (() => Promise<unknown>)[] = [];

  onCleanup(fn: () => Promise<unknown>): void {
    this.cleanups.push(fn);
  }

  async session(overrides: Partial<ZkSessionOptions> = {}): Promise<ZkSession> {
    const s = await ZkSession.connect({
      connect: ZK_CONNECT,
      sessionTimeoutMs: 2_000,
      connectTimeoutMs: 5_000,
      logger: testLogger(),
      ...overrides,
    });
    this.onCleanup(() => s.close());
    return s;
  }

  /** A root removed (recursively, with the given credentials) at cleanup. */
  async root(auth?: ZkSessionOptions['auth']): Promise<string> {
    const root = uniqueRoot();
    this.onCleanup(async () => {
      const s = await ZkSession.connect({
        connect: ZK_CONNECT,
        sessionTimeoutMs: 2_000,
        connectTimeoutMs: 5_000,
        logger: testLogger(),
        ...(auth ? { auth } : {}),
      });
      try {
        await s.removeRecursive(root);
      } finally {
        await s.close();
      }
    });
    return root;
  }

  async cleanup(): Promise<void> {
    while (this.cleanups.length > 0) {
      const fn = this.cleanups.pop() as () => Promise<unknown>;
      try {
        await fn();
      } catch (err) {
        console.error('cleanup failed', err);
      }
    }
  }
}

/**
 * Expires a session on the server (the classic trick): a second client joins the same session
 * id and password, then closes it; the original client is told 'expired' when it reconnects.
 * The original's own reconnect can kick the twin before its close reaches the server, so this
 * repeats until the session reports 'expired'.
 */
export async function expireSession(session: ZkSession): Promise<void> {
  const internals = session as unknown as { client: zookeeper.Client };
  const client = internals.client;
  const sessionId = client.getSessionId();
  const sessionPassword = client.getSessionPassword();
  let expired = false;
  session.once('expired', () => (expired = true));
  for (let attempt = 0; attempt < 10 && !expired; attempt++) {
    const twin = zookeeper.createClient(session.connectString, {
      sessionTimeout: client.getSessionTimeout(),
      sessionId,
      sessionPassword,
    } as Partial<zookeeper.Option>);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2_000);
      twin.once('connected', () => {
        clearTimeout(t);
        twin.close(); // ends the session on the server
        resolve();
      });
      twin.once('expired', () => {
        clearTimeout(t);
        resolve();
      });
      twin.connect();
    });
    const until = Date.now() + 2_000;
    while (!expired && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    (twin as unknown as { connectionManager?: { socket?: { destroy(): void } } }).connectionManager?.socket?.destroy();
  }
  if (!expired) throw new Error('could not expire the session');
}

/**
 * A TCP proxy in front of ZooKeeper to cut a client off without touching the server:
 * `cut()` drops every connection and refuses new ones until `restore()`.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private blocked = false;
  port = 0;

  constructor(private readonly target: string) {}

  get connect(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const [host, portStr] = this.target.split(',')[0]!.split(':');
    const server = net.createServer((client) => {
      if (this.blocked) {
        client.destroy();
        return;
      }
      const upstream = net.connect(Number(portStr), host);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    return this;
  }

  cut(): void {
    this.blocked = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.blocked = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Resolves when `emitter` emits `event`, rejects after `ms`. */
export function waitFor<T extends unknown[] = unknown[]>(
  emitter: { once(event: string, fn: (...args: T) => void): unknown; off(event: string, fn: (...args: T) => void): unknown },
  event: string,
  ms: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fn = (...args: T): void => {
      clearTimeout(t);
      resolve(args);
    };
    const t = setTimeout(() => {
      emitter.off(event, fn);
      reject(new Error(`timed out after ${ms} ms waiting for '${event}'`));
    }, ms);
    emitter.once(event, fn);
  });
}

export async function eventually(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${ms} ms waiting until ${what}`);
}
