import { EventEmitter } from 'node:events';
import zookeeper from 'node-zookeeper-client';
import type { ACL as ZkAcl, Client, Event as ZkEvent, Stat } from 'node-zookeeper-client';
import { ConfigError, SeqchainError } from '../errors.js';
import type { Logger } from '../log.js';
import { backoffDelayMs, type BackoffPolicy } from '../retry/backoff.js';
import { sleep } from '../retry/sleep.js';
import { isZkError, ZkError, zkCodeOf } from './zk-errors.js';

export { isZkError, ZkError, type ZkCode } from './zk-errors.js';

/**
 * One ZooKeeper session for seqchain, over node-zookeeper-client 1.1.3.
 *
 * - Promise wrappers that map ZooKeeper errors to ZkError (a SeqchainError with the ZooKeeper
 *   code and the path); "not there" is a value (null / false), not an error.
 * - Every znode seqchain creates gets the configured ACL: 'open' (world:anyone ALL) or
 *   'creator' (auth ALL for the digest identity + world READ).
 * - Events: 'disconnected' (stop acting on anything ZooKeeper told you), 'connected'
 *   (reconnected, SAME session: ephemerals and watches survive), 'expired' (the session is gone:
 *   every ephemeral and watch with it), 'session' (a NEW session, after 'expired': owners
 *   re-create ephemerals and watches). node-zookeeper-client never makes a new session after
 *   expiry, so ZkSession replaces the client itself, with backoff.
 * - A liveness probe: the library only notices a dead server when the socket closes (it has no
 *   read timeout), so a silent partition could leave a leader acting for ever. ZkSession probes
 *   the server every sessionTimeout/3; with no answer within 2/3 of the session timeout it
 *   reports 'disconnected' and drops the socket so the library reconnects.
 *
 * Credentials are never logged.
 */

export type ZkCreateMode = 'persistent' | 'persistent_sequential' | 'ephemeral' | 'ephemeral_sequential';
export type ZkAclMode = 'open' | 'creator';
export type ZkSessionState = 'connecting' | 'connected' | 'disconnected' | 'expired' | 'closed';

export interface ZkSessionOptions {
  /** host:port[,host:port…][/chroot] */
  connect: string;
  sessionTimeoutMs: number;
  /** How long connect() (and each reconnect attempt after expiry) waits for a session. */
  connectTimeoutMs: number;
  /** Digest credentials `user:password`, added to every connection. */
  auth?: { scheme: 'digest'; credentials: string };
  /** ACL of every znode seqchain creates. 'creator' needs auth. @defaultValue 'open' */
  acl?: ZkAclMode;
  logger: Logger;
  /**
   * A single operation that gets no answer in this time rejects with SEQCHAIN_ERR_TIMEOUT (it may
   * still be applied later). @defaultValue 2 × sessionTimeoutMs
   */
  opTimeoutMs?: number;
  /** Backoff between attempts to open a new session after expiry, ms. @defaultValue 200 → 5000 */
  reconnectBackoff?: { initialMs: number; maxMs: number };
}

export interface ZkStat {
  version: number;
  cversion: number;
  numChildren: number;
  dataLength: number;
  /** Session id (16 hex digits) owning an ephemeral node; '0000000000000000' for persistent ones. */
  ephemeralOwner: string;
}

export interface ZkData {
  data: Buffer;
  version: number;
  stat: ZkStat;
}

export type ZkWatchEventType = 'created' | 'deleted' | 'dataChanged' | 'childrenChanged' | 'other';
export interface ZkWatchEvent {
  type: ZkWatchEventType;
  path: string;
}
export type ZkWatcher = (event: ZkWatchEvent) => void;

export interface ZkSessionEvents {
  disconnected: [];
  connected: [];
  expired: [];
  session: [sessionId: string];
}

const { ACL, CreateMode, Exception, Id, Permission, State } = zookeeper;

const MODE: Record<ZkCreateMode, number> = {
  persistent: CreateMode.PERSISTENT,
  persistent_sequential: CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral: CreateMode.EPHEMERAL,
  ephemeral_sequential: CreateMode.EPHEMERAL_SEQUENTIAL,
};

function toStat(stat: Stat): ZkStat {
  return {
    version: stat.version,
    cversion: stat.cversion,
    numChildren: stat.numChildren,
    dataLength: stat.dataLength,
    ephemeralOwner: Buffer.from(stat.ephemeralOwner).toString('hex'),
  };
}

function toWatchEvent(e: ZkEvent): ZkWatchEvent {
  const t = e.getType();
  const type: ZkWatchEventType =
    t === zookeeper.Event.NODE_CREATED ? 'created'
    : t === zookeeper.Event.NODE_DELETED ? 'deleted'
    : t === zookeeper.Event.NODE_DATA_CHANGED ? 'dataChanged'
    : t === zookeeper.Event.NODE_CHILDREN_CHANGED ? 'childrenChanged'
    : 'other';
  return { type, path: e.getPath() };
}

/** node-zookeeper-client internals used to drop a silent socket; absent fields are tolerated. */
interface ClientInternals {
  connectionManager?: { socket?: { destroy(): void; readonly readyState?: string } };
}

/** The library's current socket (internal: node-zookeeper-client exposes none). */
function socketOf(client: Client): { destroy(): void; readonly readyState?: string } | undefined {
  return (client as unknown as ClientInternals).connectionManager?.socket;
}

function dropSocket(client: Client): void {
  (client as unknown as ClientInternals).connectionManager?.socket?.destroy();
}

/** Transaction builder; commit() is all-or-nothing. */
export class ZkTransaction {
  private readonly ops: { op: string; path: string }[] = [];

  constructor(
    private readonly tx: zookeeper.Transaction,
    private readonly acl: ZkAcl[],
    private readonly run: <T>(op: string, path: string, fn: (cb: (err: unknown, res?: T) => void) => void) => Promise<T>,
  ) {}

  create(path: string, data: Buffer | null, mode: ZkCreateMode = 'persistent'): this {
    this.tx.create(path, data ?? Buffer.alloc(0), this.acl, MODE[mode]);
    this.ops.push({ op: 'create', path });
    return this;
  }

  setData(path: string, data: Buffer, version = -1): this {
    this.tx.setData(path, data, version);
    this.pinVersion(version);
    this.ops.push({ op: 'setData', path });
    return this;
  }

  check(path: string, version: number): this {
    this.tx.check(path, version);
    this.pinVersion(version);
    this.ops.push({ op: 'check', path });
    return this;
  }

  remove(path: string, version = -1): this {
    this.tx.remove(path, version);
    this.pinVersion(version);
    this.ops.push({ op: 'remove', path });
    return this;
  }

  get size(): number {
    return this.ops.length;
  }

  /** Rejects with the ZkError of the first operation that failed (its path and code). */
  async commit(): Promise<void> {
    const described = this.ops.map((o) => `${o.op} ${o.path}`).join(', ');
    await this.run<unknown>('transaction', described, (cb) =>
      this.tx.commit((err, results: unknown) => {
        if (err && Array.isArray(results)) {
          const idx = results.findIndex((r: { err?: number }) => typeof r?.err === 'number' && r.err !== Exception.OK && r.err !== Exception.RUNTIME_INCONSISTENCY);
          const failed = idx >= 0 ? this.ops[idx] : undefined;
          if (failed) {
            cb(new ZkError(zkCodeOf(err), `transaction ${failed.op}`, failed.path, err));
            return;
          }
        }
        cb(err, results);
      }),
    );
  }

  /**
   * node-zookeeper-client 1.1.3's Transaction does `version = version || -1`, which turns an
   * expected version 0 into "any version". Put the version back on the op just pushed.
   */
  private pinVersion(version: number): void {
    const ops = (this.tx as unknown as { ops?: { version?: number }[] }).ops;
    const last = ops?.[ops.length - 1];
    if (last && typeof last.version === 'number') last.version = version;
  }
}

const DEFAULT_BACKOFF = { initialMs: 200, maxMs: 5_000 };

export class ZkSession extends EventEmitter<ZkSessionEvents> {
  readonly logger: Logger;
  private client: Client;
  private stateValue: ZkSessionState = 'connecting';
  private readonly aclList: ZkAcl[];
  private readonly opTimeoutMs: number;
  private probeTimer: NodeJS.Timeout | undefined;
  private probeInFlight = false;
  /** The reconnect socket being watched (TCP open, handshake pending), and since when. */
  private reconnectWatch: { socket: object; since: number } | null = null;
  private closing: Promise<void> | undefined;
  private renewing = false;

  private constructor(
    private readonly opts: ZkSessionOptions,
    client: Client,
  ) {
    super();
    this.logger = opts.logger;
    this.client = client;
    this.opTimeoutMs = opts.opTimeoutMs ?? 2 * opts.sessionTimeoutMs;
    this.aclList =
      (opts.acl ?? 'open') === 'creator'
        ? [new ACL(Permission.ALL, new Id('auth', '')), new ACL(Permission.READ, new Id('world', 'anyone'))]
        : [new ACL(Permission.ALL, new Id('world', 'anyone'))];
  }

  /**
   * Opens a session. Rejects with a retriable SEQCHAIN_ERR_UNREACHABLE naming the address when
   * no session is established within connectTimeoutMs.
   */
  static async connect(opts: ZkSessionOptions): Promise<ZkSession> {
    ZkSession.validate(opts);
    const logger = opts.logger.child({ component: 'zk' });
    const options = { ...opts, logger };
    const client = await ZkSession.openClient(options);
    const session = new ZkSession(options, client);
    session.stateValue = 'connected';
    session.attach(client);
    session.startProbe();
    logger.info({ connect: opts.connect, sessionId: session.sessionId, acl: opts.acl ?? 'open' }, 'zookeeper session established');
    return session;
  }

  private static validate(opts: ZkSessionOptions): void {
    if (typeof opts.connect !== 'string' || opts.connect.trim() === '') {
      throw new ConfigError('zookeeper.connect must be a non-empty host:port list', { key: 'zookeeper.connect' });
    }
    for (const key of ['sessionTimeoutMs', 'connectTimeoutMs'] as const) {
      if (!Number.isFinite(opts[key]) || opts[key] <= 0) {
        throw new ConfigError(`zookeeper.${key} must be a positive number, got ${String(opts[key])}`, { key: `zookeeper.${key}` });
      }
    }
    if (opts.auth !== undefined) {
      if (opts.auth.scheme !== 'digest' || !/^[^:]+:.+$/.test(opts.auth.credentials)) {
        // never echo the credentials
        throw new ConfigError('zookeeper.auth must be digest credentials of the form user:password', { key: 'zookeeper.auth' });
      }
    }
    if ((opts.acl ?? 'open') === 'creator' && opts.auth === undefined) {
      throw new ConfigError("zookeeper.acl 'creator' needs zookeeper.auth (digest user:password)", { key: 'zookeeper.acl' });
    }
  }

  private static openClient(opts: ZkSessionOptions): Promise<Client> {
    const client = zookeeper.createClient(opts.connect, {
      sessionTimeout: opts.sessionTimeoutMs,
      spinDelay: Math.min(1_000, Math.max(50, Math.floor(opts.sessionTimeoutMs / 8))),
      retries: 0,
    });
    if (opts.auth) client.addAuthInfo(opts.auth.scheme, Buffer.from(opts.auth.credentials, 'utf8'));
    return new Promise<Client>((resolve, reject) => {
      let done = false;
      const finish = (err: Error | null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        client.removeListener('connected', onConnected);
        client.removeListener('authenticationFailed', onAuthFailed);
        if (err) {
          client.close();
          dropSocket(client);
          reject(err);
        } else resolve(client);
      };
      const onConnected = (): void => finish(null);
      const onAuthFailed = (): void =>
        finish(new ConfigError(`zookeeper at ${opts.connect} rejected the credentials of zookeeper.auth`, { key: 'zookeeper.auth', connect: opts.connect }));
      const timer = setTimeout(
        () =>
          finish(
            new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', `zookeeper at ${opts.connect} unreachable: no session within ${opts.connectTimeoutMs} ms`, {
              retriable: true,
              details: { connect: opts.connect, connectTimeoutMs: opts.connectTimeoutMs },
            }),
          ),
        opts.connectTimeoutMs,
      );
      client.once('connected', onConnected);
      client.once('authenticationFailed', onAuthFailed);
      client.connect();
    });
  }

  get state(): ZkSessionState {
    return this.stateValue;
  }

  private isClosed(): boolean {
    return this.stateValue === 'closed';
  }

  get isConnected(): boolean {
    return this.stateValue === 'connected';
  }

  /** Current session id, 16 hex digits (changes after 'session'). */
  get sessionId(): string {
    return this.client.getSessionId().toString('hex');
  }

  /** Negotiated session timeout, ms. */
  get sessionTimeoutMs(): number {
    return this.client.getSessionTimeout();
  }

  get connectString(): string {
    return this.opts.connect;
  }

  /** True when an ephemeral node (by its stat's ephemeralOwner) belongs to this session. */
  ownsEphemeral(stat: ZkStat): boolean {
    return stat.ephemeralOwner === this.sessionId && /[1-9a-f]/.test(stat.ephemeralOwner);
  }

  private attach(client: Client): void {
    client.on('state', (state) => {
      if (client !== this.client || this.stateValue === 'closed') return;
      if (state === State.DISCONNECTED) {
        this.markDisconnected('socket closed');
      } else if (state === State.SYNC_CONNECTED) {
        if (this.stateValue !== 'connected') {
          this.stateValue = 'connected';
          this.logger.info({ sessionId: this.sessionId }, 'zookeeper reconnected (same session)');
          this.emit('connected');
        }
      } else if (state === State.EXPIRED) {
        this.onExpired();
      } else if (state === State.AUTH_FAILED) {
        this.logger.error({ connect: this.opts.connect }, 'zookeeper rejected the credentials of zookeeper.auth');
        this.markDisconnected('authentication failed');
      }
    });
  }

  private markDisconnected(reason: string): void {
    if (this.stateValue !== 'connected') return;
    this.stateValue = 'disconnected';
    this.logger.warn({ sessionId: this.sessionId, reason }, 'zookeeper disconnected');
    this.emit('disconnected');
  }

  private onExpired(): void {
    if (this.stateValue === 'expired' || this.stateValue === 'closed') return;
    if (this.stateValue === 'connected') this.markDisconnected('session expired');
    const old = this.client;
    this.stateValue = 'expired';
    this.logger.warn({ sessionId: old.getSessionId().toString('hex') }, 'zookeeper session expired; opening a new one');
    this.emit('expired');
    try {
      old.close();
    } catch {
      /* an expired client may refuse; it is dropped either way */
    }
    dropSocket(old);
    void this.renew();
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    // Equal jitter: replicas whose sessions expired together do not all retry together.
    const backoff: BackoffPolicy = { ...(this.opts.reconnectBackoff ?? DEFAULT_BACKOFF), jitter: 'equal' };
    let attempt = 0;
    try {
      while (this.stateValue !== 'closed') {
        try {
          const client = await ZkSession.openClient(this.opts);
          if (this.isClosed()) {
            client.close();
            return;
          }
          this.client = client;
          this.stateValue = 'connected';
          this.attach(client);
          this.logger.info({ sessionId: this.sessionId }, 'zookeeper new session established');
          this.emit('session', this.sessionId);
          return;
        } catch (err) {
          attempt += 1;
          const delay = backoffDelayMs(backoff, attempt);
          this.logger.warn({ err, attempt, delayMs: Math.round(delay) }, 'zookeeper new session failed; retrying');
          await sleep(delay, { unref: true });
        }
      }
    } finally {
      this.renewing = false;
    }
  }

  private startProbe(): void {
    const interval = Math.max(100, Math.floor(this.opts.sessionTimeoutMs / 3));
    const deadline = Math.max(200, Math.floor((this.opts.sessionTimeoutMs * 2) / 3));
    this.probeTimer = setInterval(() => {
      if (this.stateValue === 'disconnected') {
        this.watchReconnect(deadline);
        return;
      }
      this.reconnectWatch = null;
      if (this.stateValue !== 'connected' || this.probeInFlight) return;
      this.probeInFlight = true;
      const client = this.client;
      let answered = false;
      const timer = setTimeout(() => {
        if (answered || client !== this.client || this.stateValue !== 'connected') return;
        this.logger.warn({ deadlineMs: deadline }, 'zookeeper server silent; treating the connection as lost');
        this.markDisconnected('liveness probe timed out');
        dropSocket(client); // the library reconnects, then reports 'connected' or 'expired'
      }, deadline);
      client.exists('/', () => {
        answered = true;
        this.probeInFlight = false;
        clearTimeout(timer);
      });
    }, interval);
    this.probeTimer.unref();
  }

  /**
   * node-zookeeper-client clears its connect timeout as soon as TCP connects and then waits for
   * the handshake answer with no deadline. A server that accepts the connection but never reads
   * it (ZooKeeper 3.8 restarting: the socket sits in its accept queue with the ConnectRequest
   * unread) leaves the session 'disconnected' forever: no reconnect, no 'expired'. Found by the
   * chaos suite (zookeeper-stop). A reconnect that has not completed within `deadlineMs` gets its
   * socket dropped, and the library tries again on a fresh one (harmless while the server is
   * down: every attempt there fails at once anyway).
   */
  private watchReconnect(deadlineMs: number): void {
    const socket = socketOf(this.client);
    // Only a TCP connection that is open and still unanswered; a connect in progress has the
    // library's own timeout, and a refused one is retried by the library at once.
    if (!socket || socket.readyState !== 'open') {
      this.reconnectWatch = null;
      return;
    }
    const now = Date.now();
    if (this.reconnectWatch?.socket !== socket) {
      this.reconnectWatch = { socket, since: now };
      return;
    }
    if (now - this.reconnectWatch.since < deadlineMs) return;
    this.reconnectWatch = null;
    this.logger.warn({ deadlineMs }, 'zookeeper reconnect stalled (connected, no handshake answer); retrying on a new socket');
    socket.destroy();
  }

  private run<T>(op: string, path: string, fn: (client: Client, cb: (err: unknown, res?: T) => void) => void): Promise<T> {
    if (this.stateValue === 'closed') return Promise.reject(new ZkError('CONNECTION_LOSS', op, path, new Error('session closed')));
    if (this.stateValue === 'expired') return Promise.reject(new ZkError('SESSION_EXPIRED', op, path));
    const client = this.client;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(
          new SeqchainError('SEQCHAIN_ERR_TIMEOUT', `zookeeper ${op} ${path}: no answer within ${this.opTimeoutMs} ms (it may still apply)`, {
            retriable: true,
            details: { op, path, timeoutMs: this.opTimeoutMs },
          }),
        );
      }, this.opTimeoutMs);
      timer.unref();
      fn(client, (err, res) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err instanceof SeqchainError ? err : new ZkError(zkCodeOf(err), op, path, err));
        else resolve(res as T);
      });
    });
  }

  private wrapWatcher(watcher: ZkWatcher | undefined): ((e: ZkEvent) => void) | undefined {
    if (!watcher) return undefined;
    return (e: ZkEvent) => {
      try {
        watcher(toWatchEvent(e));
      } catch (err) {
        this.logger.error({ err }, 'zookeeper watcher threw');
      }
    };
  }

  /** The ACL given to every znode this session creates. */
  get acl(): ZkAcl[] {
    return this.aclList;
  }

  /** Creates a znode; returns its actual path (with the sequence suffix for sequential modes). */
  create(path: string, data: Buffer | null, mode: ZkCreateMode = 'persistent'): Promise<string> {
    return this.run<string>('create', path, (c, cb) => c.create(path, data ?? Buffer.alloc(0), this.aclList, MODE[mode], cb));
  }

  /** Data and version, or null when the node does not exist. */
  async getData(path: string, watcher?: ZkWatcher): Promise<ZkData | null> {
    const w = this.wrapWatcher(watcher);
    try {
      return await this.run<ZkData>('getData', path, (c, cb) => {
        const done = (err: unknown, data?: Buffer, stat?: Stat): void => {
          if (err) cb(err);
          else {
            const s = toStat(stat as Stat);
            cb(null, { data: data ?? Buffer.alloc(0), version: s.version, stat: s });
          }
        };
        if (w) c.getData(path, w, done);
        else c.getData(path, done);
      });
    } catch (err) {
      if (isZkError(err, 'NO_NODE')) return null;
      throw err;
    }
  }

  /** Writes data if the node is at `version` (-1: any); the new version. BAD_VERSION → ZkError. */
  setData(path: string, data: Buffer, version: number): Promise<number> {
    return this.run<number>('setData', path, (c, cb) => c.setData(path, data, version, (err, stat) => cb(err, err ? undefined : stat.version)));
  }

  /** Stat, or null when the node does not exist; the watcher fires on create, delete or change. */
  exists(path: string, watcher?: ZkWatcher): Promise<ZkStat | null> {
    const w = this.wrapWatcher(watcher);
    return this.run<ZkStat | null>('exists', path, (c, cb) => {
      const done = (err: unknown, stat?: Stat): void => cb(err, err || !stat ? null : toStat(stat));
      if (w) c.exists(path, w, done);
      else c.exists(path, done);
    });
  }

  /** Child names (unsorted), or null when the node does not exist. */
  async getChildren(path: string, watcher?: ZkWatcher): Promise<string[] | null> {
    const w = this.wrapWatcher(watcher);
    try {
      return await this.run<string[]>('getChildren', path, (c, cb) => {
        const done = (err: unknown, children?: string[]): void => cb(err, children ?? []);
        if (w) c.getChildren(path, w, done);
        else c.getChildren(path, done);
      });
    } catch (err) {
      if (isZkError(err, 'NO_NODE')) return null;
      throw err;
    }
  }

  /** Deletes a node at `version` (-1: any). False when it did not exist. BAD_VERSION → ZkError. */
  async remove(path: string, version = -1): Promise<boolean> {
    try {
      await this.run<void>('remove', path, (c, cb) => c.remove(path, version, (err) => cb(err)));
      return true;
    } catch (err) {
      if (isZkError(err, 'NO_NODE')) return false;
      throw err;
    }
  }

  /** Deletes a node and everything under it (children first). For tests and re-initialisation. */
  async removeRecursive(path: string): Promise<void> {
    const children = await this.getChildren(path);
    if (children === null) return;
    for (const child of children) await this.removeRecursive(`${path}/${child}`);
    await this.remove(path);
  }

  /** Creates `path` and every missing parent (persistent, empty, with the session's ACL). */
  mkdirp(path: string): Promise<void> {
    return this.run<void>('mkdirp', path, (c, cb) => c.mkdirp(path, this.aclList, CreateMode.PERSISTENT, (err) => cb(err)));
  }

  transaction(): ZkTransaction {
    if (this.stateValue === 'closed') throw new ZkError('CONNECTION_LOSS', 'transaction', '(new)', new Error('session closed'));
    const client = this.client;
    return new ZkTransaction(client.transaction(), this.aclList, (op, path, fn) => this.run(op, path, (_c, cb) => fn(cb)));
  }

  /**
   * Ends the session (its ephemerals vanish at once on the server). Returns the same promise on
   * repeated calls.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const wasConnected = this.stateValue === 'connected';
    this.stateValue = 'closed';
    if (this.probeTimer) clearInterval(this.probeTimer);
    const client = this.client;
    await new Promise<void>((resolve) => {
      if (!wasConnected) {
        try {
          client.close();
        } catch {
          /* not connected: nothing to end on the server */
        }
        dropSocket(client);
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        dropSocket(client);
        resolve();
      }, 2_000);
      timer.unref();
      client.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      client.close();
    });
    this.logger.info('zookeeper session closed');
    this.removeAllListeners();
  }
}
