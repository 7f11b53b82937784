import { Redis, type RedisOptions } from 'ioredis';
import { readSecretFile } from '../config/secret-file.js';
import { SeqchainError, isSeqchainError } from '../errors.js';
import { bindOnce, type Logger } from '../log.js';
import { backoffDelayMs, type BackoffPolicy } from '../retry/backoff.js';
import { INDEX_SCRIPTS } from './scripts.js';
import type { RedisPasswordOptions, RedisClientOptions } from '../config/settings.js';

export type { Redis };

/** Reconnect backoff, forever: 100 ms (ioredis' first retry is attempt 1) doubling to 2 s. */
const RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 2_000 };

/**
 * The Redis client of the query index. Built so that a Redis outage costs a fast, typed error
 * instead of a queue that grows: no offline queue (a command sent while disconnected fails at
 * once), no retry of in-flight commands after a dropped connection, every command bounded by
 * `redis.commandTimeoutMs`. The client itself reconnects forever with backoff; the password
 * comes from `redis.url`, `redis.password` or `redis.passwordFile` (the config allows only one)
 * and is never logged.
 */
export function createRedis(client: Readonly<RedisClientOptions>, logger: Logger, role = 'index'): Redis {
  const url = client.url;
  const address = redactRedisUrl(url);
  const log = bindOnce(logger, { component: 'redis', role, redis: address });
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: client.commandTimeoutMs,
    connectTimeout: Math.max(client.commandTimeoutMs, 1_000),
    enableReadyCheck: true,
    autoResubscribe: false,
    connectionName: `seqchain-${client.replicaId}-${role}`,
    retryStrategy: (attempt) => backoffDelayMs(RECONNECT_BACKOFF, attempt),
  };
  const password = redisPassword(client);
  if (password !== undefined) options.password = password;
  const redis = new Redis(url, options);
  defineIndexScripts(redis);
  // One warn line per outage, one info line when it is over; nothing per reconnect attempt.
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'redis unreachable: reconnecting with backoff');
  });
  redis.on('ready', () => {
    if (down) log.info('redis reachable again');
    else log.debug('redis connected');
    down = false;
  });
  return redis;
}

/** `redis.password`, else the first line of `redis.passwordFile`; undefined when neither is set (a password in the URL applies then). */
export function redisPassword(redis: Readonly<RedisPasswordOptions>): string | undefined {
  if (redis.password !== undefined) return redis.password;
  return redis.passwordFile === undefined ? undefined : readSecretFile('redis.passwordFile', redis.passwordFile);
}

/** `redis://user:***@host:port/db`: the URL with any password replaced, for logs and messages. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable redis url)';
  }
}

/** Registers the index's Lua scripts on a client (idempotent). */
type ScriptArg = string | number | Buffer | (string | Buffer)[];
/** A client on which defineIndexScripts ran: each script is a method named by its `command`. */
export type ScriptClient = Record<string, (...args: ScriptArg[]) => Promise<unknown>>;

export function defineIndexScripts(redis: Redis): void {
  for (const s of INDEX_SCRIPTS) {
    if (typeof (redis as unknown as Record<string, unknown>)[s.command] === 'function') continue;
    redis.defineCommand(s.command, s.keys === null ? { lua: s.lua } : { lua: s.lua, numberOfKeys: s.keys });
  }
}

/**
 * Any failure of a Redis call as a retriable SEQCHAIN_ERR_UNREACHABLE naming the operation and
 * its context (chain, seq, key, …). seqchain's own errors pass through unchanged.
 */
export function redisError(err: unknown, op: string, details: Record<string, unknown> = {}): SeqchainError {
  if (isSeqchainError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', `Redis ${op} failed: ${message}`, {
    retriable: true,
    cause: err,
    details: { service: 'redis', op, ...details },
  });
}

/** True for the errors redisError() makes. */
export function isRedisError(err: unknown): boolean {
  return isSeqchainError(err) && err.code === 'SEQCHAIN_ERR_UNREACHABLE' && err.details.service === 'redis';
}

/** Waits until the client is connected and ready, or fails with SEQCHAIN_ERR_UNREACHABLE after timeoutMs. */
export async function waitForRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(redisError(new Error(`not ready after ${timeoutMs} ms (connection ${redis.status})`), 'connect', { status: redis.status }));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
