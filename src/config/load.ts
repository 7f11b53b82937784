import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError } from '../errors.js';
import { defaults } from './defaults.js';
import { configSchema, type Config } from './schema.js';

type Json = Record<string, unknown>;

/**
 * Environment variables and the config key each one sets. Numbers are parsed; lists are
 * comma-separated. The same names are used by docker-compose.yml and the stack script.
 */
export const ENV_KEYS: Readonly<Record<string, string>> = {
  SEQCHAIN_CHAIN: 'chain',
  SEQCHAIN_REPLICA_ID: 'replicaId',
  SEQCHAIN_KAFKA_BROKERS: 'kafka.brokers',
  SEQCHAIN_KAFKA_SSL: 'kafka.ssl',
  SEQCHAIN_KAFKA_TLS_CA_FILE: 'kafka.tls.caFile',
  SEQCHAIN_KAFKA_TLS_CERT_FILE: 'kafka.tls.certFile',
  SEQCHAIN_KAFKA_TLS_KEY_FILE: 'kafka.tls.keyFile',
  SEQCHAIN_KAFKA_TLS_REJECT_UNAUTHORIZED: 'kafka.tls.rejectUnauthorized',
  SEQCHAIN_KAFKA_TLS_SERVERNAME: 'kafka.tls.servername',
  SEQCHAIN_KAFKA_SASL_MECHANISM: 'kafka.sasl.mechanism',
  SEQCHAIN_KAFKA_SASL_USERNAME: 'kafka.sasl.username',
  SEQCHAIN_KAFKA_SASL_PASSWORD: 'kafka.sasl.password',
  SEQCHAIN_KAFKA_REPLICATION_FACTOR: 'kafka.replicationFactor',
  SEQCHAIN_KAFKA_MIN_INSYNC_REPLICAS: 'kafka.minInsyncReplicas',
  SEQCHAIN_ZK_CONNECT: 'zookeeper.connect',
  SEQCHAIN_ZK_ROOT: 'zookeeper.root',
  SEQCHAIN_ZK_SESSION_TIMEOUT_MS: 'zookeeper.sessionTimeoutMs',
  SEQCHAIN_ZK_FAST_TAKEOVER: 'zookeeper.fastTakeover',
  SEQCHAIN_ZK_AUTH: 'zookeeper.auth',
  SEQCHAIN_ZK_ACL: 'zookeeper.acl',
  SEQCHAIN_KAFKA_METADATA_MAX_AGE_MS: 'kafka.metadataMaxAgeMs',
  SEQCHAIN_REDIS_URL: 'redis.url',
  SEQCHAIN_REDIS_KEY_PREFIX: 'redis.keyPrefix',
  SEQCHAIN_REDIS_PASSWORD: 'redis.password',
  SEQCHAIN_REDIS_PASSWORD_FILE: 'redis.passwordFile',
  SEQCHAIN_API_HOST: 'api.host',
  SEQCHAIN_API_PORT: 'api.port',
  SEQCHAIN_API_ADVERTISED_URL: 'api.advertisedUrl',
  SEQCHAIN_API_TOKEN: 'api.token',
  SEQCHAIN_API_TOKEN_FILE: 'api.tokenFile',
  SEQCHAIN_API_RATE_LIMIT_MAX: 'api.rateLimitMax',
  SEQCHAIN_API_OPS_RATE_LIMIT_MAX: 'api.opsRateLimitMax',
  SEQCHAIN_CUT_INTERVAL_MS: 'sequencer.cutIntervalMs',
  SEQCHAIN_MAX_CUT_RECORDS: 'sequencer.maxCutRecords',
  SEQCHAIN_GAP_TIMEOUT_MS: 'sequencer.gapTimeoutMs',
  SEQCHAIN_PARTITION_CHECK_INTERVAL_MS: 'sequencer.partitionCheckIntervalMs',
  SEQCHAIN_WORKER_SESSION_TIMEOUT_MS: 'worker.sessionTimeoutMs',
  SEQCHAIN_WORKER_MAX_RECORD_BYTES: 'worker.maxRecordBytes',
  SEQCHAIN_DELIVERY_ORDERED_TOPIC: 'delivery.orderedTopic',
  SEQCHAIN_LOG_VIEW_ENABLED: 'logView.enabled',
  SEQCHAIN_LOG_VIEW_ORIGIN: 'logView.origin',
  SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: 'logView.signingKeyFile',
  SEQCHAIN_LOG_VIEW_VERIFIER_KEY: 'logView.verifierKey',
  SEQCHAIN_LOG_VIEW_WITNESSES: 'logView.witnesses',
  SEQCHAIN_LOG_VIEW_WITNESS_INTERVAL_MS: 'logView.witnessIntervalMs',
  SEQCHAIN_LOG_LEVEL: 'log.level',
};

/** The environment variable naming a JSON config file (under the SEQCHAIN_* variables above). */
export const CONFIG_FILE_ENV = 'SEQCHAIN_CONFIG';

const LIST_KEYS = new Set(['kafka.brokers', 'logView.signingKeyFile', 'logView.verifierKey']);

export interface LoadOptions {
  /** Path of a JSON config file (also SEQCHAIN_CONFIG). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags, as dotted keys: { 'kafka.brokers': 'h:1', chain: 'x' }. */
  overrides?: Record<string, unknown>;
  /**
   * A command's own defaults, as dotted keys, in place of the built-in ones and under the file,
   * the environment and the flags (one-shot CLI commands: { 'log.level': 'warn' }).
   */
  defaults?: Record<string, unknown>;
}

/** defaults < file < environment < flags; validated; frozen. Errors name the key and the source. */
export function loadConfig(options: LoadOptions = {}): Readonly<Config> {
  const env = options.env ?? process.env;
  const merged = structuredClone(defaults) as unknown as Json;
  merged.replicaId = `${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${process.pid}`;
  for (const [key, value] of Object.entries(options.defaults ?? {})) setPath(merged, key, value);

  const file = options.file ?? env[CONFIG_FILE_ENV];
  if (file) deepMerge(merged, readConfigFile(file));

  for (const [variable, key] of Object.entries(ENV_KEYS)) {
    const raw = env[variable];
    if (raw !== undefined && raw !== '') setPath(merged, key, coerce(key, raw, variable));
  }
  for (const [key, raw] of Object.entries(options.overrides ?? {})) {
    if (raw !== undefined) setPath(merged, key, typeof raw === 'string' ? coerce(key, raw, `--${key}`) : raw);
  }

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? '' : '(root)');
    const where =
      issue.code === 'unrecognized_keys'
        ? `unknown key(s) ${issue.keys.map((k) => [key, k].filter(Boolean).join('.')).join(', ')}`
        : `${key}: ${issue.message}`;
    const source = describeSource(key, file, env, options.overrides ?? {});
    throw new ConfigError(`invalid configuration: ${where}${source}`, { key, issues: parsed.error.issues.length });
  }
  return deepFreeze(parsed.data);
}

function readConfigFile(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`, { file });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('top level must be an object');
    return value as Json;
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`, { file });
  }
}

function coerce(key: string, raw: string, source: string): unknown {
  if (LIST_KEYS.has(key))
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const current = getPath(defaults as unknown as Json, key);
  if (typeof current === 'number') {
    const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n)) throw new ConfigError(`invalid configuration: ${key} (from ${source}) must be a whole number, got "${raw}"`, { key });
    return n;
  }
  if (Array.isArray(current)) {
    // A list of objects (logView.witnesses) comes as JSON: a URL may hold any separator.
    try {
      return JSON.parse(raw) as unknown;
    } catch (err) {
      throw new ConfigError(`invalid configuration: ${key} (from ${source}) must be a JSON list: ${(err as Error).message}`, { key });
    }
  }
  if (typeof current === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new ConfigError(`invalid configuration: ${key} (from ${source}) must be true or false, got "${raw}"`, { key });
    return raw === 'true';
  }
  return raw;
}

/** Where the bad value came from, highest precedence first; `key` may point inside a list (kafka.brokers.1). */
function describeSource(key: string, file: string | undefined, env: NodeJS.ProcessEnv, overrides: Record<string, unknown>): string {
  const covers = (k: string) => key === k || key.startsWith(`${k}.`);
  const flag = Object.keys(overrides).find((k) => overrides[k] !== undefined && covers(k));
  if (flag) return ` (from flag for ${flag})`;
  const variable = Object.entries(ENV_KEYS).find(([v, k]) => covers(k) && env[v])?.[0];
  if (variable) return ` (from environment ${variable})`;
  return file ? ` (from ${file})` : '';
}

function getPath(obj: Json, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Json)[k] : undefined), obj);
}

function setPath(obj: Json, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = obj;
  for (const part of parts.slice(0, -1)) {
    if (node[part] === undefined || node[part] === null || typeof node[part] !== 'object') node[part] = {};
    node = node[part] as Json;
  }
  node[parts[parts.length - 1]!] = value;
}

function deepMerge(target: Json, source: Json): void {
  for (const [k, v] of Object.entries(source)) {
    const t = target[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && t && typeof t === 'object' && !Array.isArray(t)) {
      deepMerge(t as Json, v as Json);
    } else {
      target[k] = v;
    }
  }
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
