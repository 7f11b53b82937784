import { writeSync } from 'node:fs';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { textLine } from './log-text.js';

export type { Logger };

/**
 * Secrets that must never reach a log line, wherever they sit in a logged object.
 * pino's redaction is applied at serialisation, so a config object can be logged whole.
 */
const REDACT_PATHS = [
  'password',
  '*.password',
  '*.token',
  '*.apiToken',
  '*.sasl.password',
  '*.zkAuth',
  'config.kafka.sasl.password',
  'config.zookeeper.auth',
  'config.redis.password',
  'config.api.token',
  'config.redis.url',
  'req.headers.authorization',
  '*.headers.authorization',
];

export interface LogOptions {
  level?: string;
  name?: string;
  /** Log synchronously to a file descriptor (tests, CLI); default stderr (fd 2). */
  fd?: number;
  /**
   * `json` (default): pino lines, for a long-running replica and its log pipeline. `text`: one
   * plain line per entry (`seqchain: warn: message (key=value, …)`) for one-shot CLI commands,
   * read by a person; stack traces only with SEQCHAIN_DEBUG=1.
   */
  format?: 'json' | 'text';
  /** Write the lines here instead of `fd` (tests). */
  stream?: DestinationStream;
}

/** Logs go to stderr so that stdout stays for command output (tables, JSON). */
export function createLogger(options: LogOptions = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? process.env.SEQCHAIN_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid, ...(options.name ? { name: options.name } : {}) },
  };
  const fd = options.fd ?? 2;
  if (options.format === 'text') {
    // Redaction has happened by the time pino writes the JSON line this turns into text.
    const stacks = Boolean(process.env.SEQCHAIN_DEBUG);
    const out = options.stream ?? { write: (s: string) => void writeSync(fd, s) };
    return pino(opts, { write: (line: string) => out.write(textLine(line, { stacks })) });
  }
  return pino(opts, options.stream ?? pino.destination({ fd, sync: true }));
}

/**
 * A child logger that binds only the keys `logger` does not carry yet. pino writes every
 * binding of every ancestor, so binding a key twice (a component naming itself under a parent
 * that already named it, or `chain` under a replica's logger) prints it twice in one line. The
 * scope that bound a key first keeps it.
 */
export function bindOnce(logger: Logger, bindings: Record<string, unknown>): Logger {
  const bound = logger.bindings();
  const fresh = Object.fromEntries(Object.entries(bindings).filter(([key]) => !(key in bound)));
  return Object.keys(fresh).length === 0 ? logger : logger.child(fresh);
}
