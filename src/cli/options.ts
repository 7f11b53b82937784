import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger, type Logger } from '../log.js';

/** Flags every command shares; each maps to a config key (see README "Configuration"). */
const SHARED_FLAGS: [flag: string, key: string, help: string][] = [
  ['--chain <name>', 'chain', 'chain name (env SEQCHAIN_CHAIN)'],
  ['--brokers <list>', 'kafka.brokers', 'Kafka bootstrap brokers, comma-separated (env SEQCHAIN_KAFKA_BROKERS)'],
  ['--zk <connect>', 'zookeeper.connect', 'ZooKeeper connect string (env SEQCHAIN_ZK_CONNECT)'],
  ['--redis <url>', 'redis.url', 'Redis URL (env SEQCHAIN_REDIS_URL)'],
  ['--replica-id <id>', 'replicaId', 'replica identity (env SEQCHAIN_REPLICA_ID)'],
  ['--log-level <level>', 'log.level', 'fatal|error|warn|info|debug|trace|silent (env SEQCHAIN_LOG_LEVEL)'],
];

export function addSharedOptions(cmd: Command): Command {
  cmd.option('-c, --config <file>', 'JSON config file (env SEQCHAIN_CONFIG)');
  for (const [flag, , help] of SHARED_FLAGS) cmd.option(flag, help);
  return cmd;
}

export interface CommandContext {
  config: Readonly<Config>;
  logger: Logger;
}

/**
 * How a command logs. A one-shot command (status, verify, head, …) is read by a person: warnings
 * and errors only, as plain lines. `run` is a long-running replica whose logs feed a pipeline:
 * pino JSON at info. --log-level / SEQCHAIN_LOG_LEVEL / log.level change the level of either.
 */
const LOGGING = {
  command: { defaults: { 'log.level': 'warn' }, format: 'text' },
  replica: { defaults: {}, format: 'json' },
} as const;

/** Flags > environment > file > defaults; the result is validated and frozen. */
export function contextFrom(opts: Record<string, unknown>, extra: Record<string, unknown> = {}, kind: keyof typeof LOGGING = 'command'): CommandContext {
  const overrides: Record<string, unknown> = { ...extra };
  for (const [flag, key] of SHARED_FLAGS) {
    const name = flag
      .split(' ')[0]!
      .replace(/^--/, '')
      .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (opts[name] !== undefined) overrides[key] = opts[name];
  }
  const { defaults, format } = LOGGING[kind];
  const config = loadConfig({ file: opts.config as string | undefined, overrides, defaults });
  return { config, logger: createLogger({ level: config.log.level, name: 'seqchain', format }) };
}

/**
 * A whole number in [min, max], written in plain decimal: Number() alone would take "", " 5",
 * "0x10" and "1e3" as numbers.
 */
export function parseIntArg(name: string, min = 0, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    const n = /^-?[0-9]+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

/** A global seq (≥ `min`), as a bigint: seqs are 64-bit and may pass 2^53. Plain decimal only. */
export function parseSeqArg(name: string, min = 1n): (value: string) => bigint {
  return (value: string) => {
    const n = /^[0-9]{1,20}$/.test(value) ? BigInt(value) : null;
    if (n === null || n < min || n >= 2n ** 63n) throw new InvalidArgumentError(`${name} must be a seq from ${min} to 2^63-1, got "${value}"`);
    return n;
  };
}
