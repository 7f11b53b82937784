import { EventEmitter } from 'node:events';
import type { ACL as ZkAcl, Client, Event as ZkEvent, Stat } from 'node-zookeeper-client';
import zookeeper from 'node-zookeeper-client';
import { SeqchainError } from '../errors.js';
import type { Logger } from '../log.js';
import { backoffDelayMs } from '../retry/backoff.js';
import { sleep } from '../retry/sleep.js';
import { abandonClient, dropSocket } from './zk-client-workarounds.js';
import { openClient } from './zk-connect.js';
import { isZkError, ZkError, zkCodeOf } from './zk-errors.js';
import { LivenessProbe, probeTiming } from './zk-liveness-probe.js';
import { ReconnectWatchdog } from './zk-reconnect-watchdog.js';
import { aclOf, reconnectBackoffOf, validateSessionOptions, type ZkSessionOptions } from './zk-session-options.js';
import { ZkTransaction } from './zk-transaction.js';
import { CREATE_MODE, toStat, toWatchEvent, type ZkCreateMode, type ZkData, type ZkStat, type ZkWatcher } from './zk-types.js';

export { isZkError, ZkError, type ZkCode } from './zk-errors.js';
export type { ZkAclMode, ZkSessionOptions } from './zk-session-options.js';
export { ZkTransaction } from './zk-transaction.js';
export type { ZkCreateMode, ZkData, ZkStat, ZkWatchEvent, ZkWatchEventType, ZkWatcher } from './zk-types.js';

/**
 * One ZooKeeper session for seqchain, over node-zookeeper-client 1.1.3: the session's state
 * machine and its operations. Where the library needs help, see zk-client-workarounds.ts.
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
 * - A liveness probe (zk-liveness-probe.ts): the library only notices a dead server when the
 *   socket closes, so ZkSession probes the server every sessionTimeout/3; with no answer within
 *   2/3 of the session timeout it reports 'disconnected' and drops the socket so the library
 *   reconnects. While 'disconnected', the reconnect watchdog (zk-reconnect-watchdog.ts) drops a
 *   reconnect whose handshake is never answered.
 *
 * Credentials are never logged.
 */

export type ZkSessionState = 'connecting' | 'connected' | 'disconnected' | 'expired' | 'closed';

export interface ZkSessionEvents {
  disconnected: [];
  connected: [];
  expired: [];
  session: [sessionId: string];
}

const { CreateMode, State } = zookeeper;

export class ZkSession extends EventEmitter<ZkSessionEvents> {
  readonly logger: Logger;
  private client: Client;
  private stateValue: ZkSessionState = 'connecting';
  private readonly aclList: ZkAcl[];
  private readonly opTimeoutMs: number;
  /** Drives the liveness probe (connected) and the reconnect watchdog (disconnected). */
  private monitorTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private renewing = false;
  /** When the session last went from connected to disconnected (ms since the Unix epoch). */
  private disconnectedAt = 0;

  private constructor(
    private readonly opts: ZkSessionOptions,
    client: Client,
  ) {
    super();
    this.logger = opts.logger;
    this.client = client;
    this.opTimeoutMs = opts.opTimeoutMs ?? 2 * opts.sessionTimeoutMs;
    this.aclList = aclOf(opts.acl);
  }

  /**
   * Opens a session. Rejects with a retriable SEQCHAIN_ERR_UNREACHABLE naming the address when
   * no session is established within connectTimeoutMs.
   */
  static async connect(opts: ZkSessionOptions): Promise<ZkSession> {
    validateSessionOptions(opts);
    const logger = opts.logger.child({ component: 'zk' });
    const options = { ...opts, logger };
    const client = await openClient(options);
    const session = new ZkSession(options, client);
    session.stateValue = 'connected';
    session.attach(client);
    session.startMonitor();
    logger.info({ connect: opts.connect, sessionId: session.sessionId, acl: opts.acl ?? 'open' }, 'zookeeper session established');
    return session;
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
    this.disconnectedAt = Date.now();
    this.logger.warn({ sessionId: this.sessionId, reason }, 'zookeeper disconnected');
    this.emit('disconnected');
  }

  private onExpired(why = 'zookeeper session expired; opening a new one'): void {
    if (this.stateValue === 'expired' || this.stateValue === 'closed') return;
    if (this.stateValue === 'connected') this.markDisconnected('session expired');
    const old = this.client;
    this.stateValue = 'expired';
    this.logger.warn({ sessionId: old.getSessionId().toString('hex') }, why);
    this.emit('expired');
    abandonClient(old);
    void this.renew();
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    const backoff = reconnectBackoffOf(this.opts);
    let attempt = 0;
    try {
      while (this.stateValue !== 'closed') {
        try {
          const client = await openClient(this.opts);
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

  private startMonitor(): void {
    const { intervalMs, deadlineMs, abandonAfterMs } = probeTiming(this.opts.sessionTimeoutMs);
    const probe = new LivenessProbe(deadlineMs, this.logger);
    const watchdog = new ReconnectWatchdog(deadlineMs, this.logger);
    this.monitorTimer = setInterval(() => {
      if (this.stateValue === 'disconnected') {
        // The last resort: node-zookeeper-client has been seen never to reconnect after the whole
        // ensemble restarted (chaos --cluster, zookeeper-stop; cause not found), leaving a replica
        // that works for Kafka but is no member and can never lead. Owners see 'expired' and
        // register again on the new session, as after a real expiry.
        if (Date.now() - this.disconnectedAt > abandonAfterMs) {
          this.onExpired(`zookeeper did not reconnect within ${abandonAfterMs} ms; giving the session up and opening a new one`);
          return;
        }
        watchdog.check(this.client);
        return;
      }
      watchdog.reset();
      if (this.stateValue !== 'connected') return;
      const client = this.client;
      probe.send(
        client,
        () => client === this.client && this.stateValue === 'connected',
        () => {
          this.markDisconnected('liveness probe timed out');
          dropSocket(client); // the library reconnects, then reports 'connected' or 'expired'
        },
      );
    }, intervalMs);
    this.monitorTimer.unref();
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
    return this.run<string>('create', path, (c, cb) => c.create(path, data ?? Buffer.alloc(0), this.aclList, CREATE_MODE[mode], cb));
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
    if (this.monitorTimer) clearInterval(this.monitorTimer);
    const client = this.client;
    await new Promise<void>((resolve) => {
      if (!wasConnected) {
        abandonClient(client); // not connected: nothing to end on the server
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
