import zookeeper from 'node-zookeeper-client';
import type { ACL as ZkAcl } from 'node-zookeeper-client';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import type { BackoffPolicy } from '../retry/backoff.js';

export type ZkAclMode = 'open' | 'creator';

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

/** Between attempts to open a new session after expiry: doubling, equal jitter (expired replicas spread out). */
export function reconnectBackoffOf(opts: ZkSessionOptions): BackoffPolicy {
  return { ...(opts.reconnectBackoff ?? { initialMs: 200, maxMs: 5_000 }), jitter: 'equal' };
}

/** Throws ConfigError naming the key; never echoes credentials. */
export function validateSessionOptions(opts: ZkSessionOptions): void {
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

const { ACL, Id, Permission } = zookeeper;

/** 'open': world:anyone ALL; 'creator': auth ALL for the digest identity + world READ. */
export function aclOf(mode: ZkAclMode = 'open'): ZkAcl[] {
  return mode === 'creator'
    ? [new ACL(Permission.ALL, new Id('auth', '')), new ACL(Permission.READ, new Id('world', 'anyone'))]
    : [new ACL(Permission.ALL, new Id('world', 'anyone'))];
}
