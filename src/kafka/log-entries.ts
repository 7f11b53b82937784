import { createRequire } from 'node:module';
import { logLevel, type LogEntry } from 'kafkajs';

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

const LEVELS: Record<number, KafkaLogLevel> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs' table of Kafka protocol errors (type, retriable, message). kafkajs 2.x exports no
 * public copy and the package has no exports map, so the file is required directly rather than
 * copied here.
 */
const PROTOCOL_ERRORS = (
  createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as { errorCodes: { type: string; message: string; retriable: boolean }[] }
).errorCodes;

/** Responses kafkajs retries by itself ("The coordinator is loading…", "not the correct coordinator", no partition leader…). */
const RETRIABLE_RESPONSES: ReadonlySet<string> = new Set(PROTOCOL_ERRORS.filter((e) => e.retriable).map((e) => e.message));

/**
 * Responses that tell a group member to join again; kafkajs calls them non-retriable, but its
 * consumer runner rejoins the group on each of them: a rebalance, not an error.
 */
const REJOIN_RESPONSES: ReadonlySet<string> = new Set(
  PROTOCOL_ERRORS.filter((e) => ['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION'].includes(e.type)).map((e) => e.message),
);

/**
 * kafkajs warns that an idempotent producer with bounded retries "may invalidate EoS guarantees".
 * seqchain's idempotent producers are all transactional: a send that runs out of retries fails
 * its transaction, which is aborted (the sequencer then ends its term), so nothing is written
 * twice or lost. The bound is deliberate (createKafka's `retry`), and the warning is noise.
 */
const LIMITED_RETRIES = 'Limiting retries for the idempotent producer';

/**
 * A transactional producer fenced by a newer one with the same transactional.id (a new leader, a
 * new ordered-topic writer): expected at every hand-over, and reported by the producer's owner,
 * which stops writing. kafkajs logs it at ERROR, twice (the response and the retrier).
 */
const FENCED_MESSAGES: ReadonlySet<string> = new Set(
  PROTOCOL_ERRORS.filter((e) => ['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED'].includes(e.type)).map((e) => e.message),
);

const REBALANCE_WAIT: KafkaWait = { key: 'rebalance', what: 'the consumer group to rebalance' };

/** Something kafkajs is waiting for and retrying: `key` tells episodes apart, `what` is said to the user. */
export interface KafkaWait {
  key: string;
  what: string;
}

export interface KafkaLogLine {
  level: KafkaLogLevel;
  wait?: KafkaWait;
}

const CONNECT_WAIT = (broker: string | undefined, reason: string): KafkaWait => ({
  key: 'connect',
  what: `${broker ? `Kafka broker ${broker}` : 'a Kafka broker'} to accept connections (${reason.replace(/^.*Connection error: /, '')})`,
});

/**
 * The level of a kafkajs log entry. kafkajs logs at ERROR many conditions it retries itself
 * (a broker not accepting connections yet, a coordinator loading or moving, a partition leader
 * election, a group rebalance): those are expected, so they go to debug and name what is being
 * waited for. If the wait ends in failure, kafkajs rejects the call and seqchain reports that.
 * Anything else keeps kafkajs' level.
 */
export function kafkaLogLine(entry: Pick<LogEntry, 'namespace' | 'level' | 'log'>): KafkaLogLine {
  const level = LEVELS[entry.level] ?? 'info';
  if (level !== 'error' && level !== 'warn') return { level };
  const { message } = entry.log;
  const log = entry.log as LogEntry['log'] & { broker?: string; error?: string };
  if (FENCED_MESSAGES.has(message) || (log.error !== undefined && FENCED_MESSAGES.has(log.error))) return { level: 'warn' };
  if (entry.namespace === 'Connection') {
    if (message.startsWith('Connection error') || message === 'Connection timeout') {
      return { level: 'debug', wait: CONNECT_WAIT(log.broker, message) };
    }
    if (message.startsWith('Response ') && log.error !== undefined) {
      if (RETRIABLE_RESPONSES.has(log.error)) return { level: 'debug', wait: { key: log.error, what: `Kafka: ${log.error}` } };
      if (REJOIN_RESPONSES.has(log.error)) return { level: 'debug', wait: REBALANCE_WAIT };
    }
  }
  if (
    entry.namespace === 'BrokerPool' &&
    (message.startsWith('Failed to connect to seed broker') || message.startsWith('Failed to connect to broker, reconnecting'))
  ) {
    return { level: 'debug', wait: CONNECT_WAIT(undefined, message.replace(/^Failed to connect to (seed )?broker[^:]*: ?/, '')) };
  }
  if (entry.namespace === 'Producer' && message.startsWith('Failed to send messages: ')) {
    const reason = message.slice('Failed to send messages: '.length);
    return { level: 'debug', wait: { key: reason, what: `Kafka to accept writes (${reason})` } };
  }
  if (entry.namespace === 'Producer' && message.startsWith(LIMITED_RETRIES)) return { level: 'debug' };
  if (entry.namespace === 'Runner' && (message.startsWith('The coordinator is not aware of this member') || message.startsWith('The group is rebalancing'))) {
    return { level: 'debug', wait: REBALANCE_WAIT };
  }
  return { level };
}

/** A wait is said again only after it has not been seen for this long, ms. */
export const WAIT_QUIET_MS = 60_000;

/**
 * Says each wait once: true the first time a key is seen, and again when it comes back after
 * `quietMs` without it (a new outage rather than the same one still going on).
 */
export class WaitNotes {
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly quietMs = WAIT_QUIET_MS,
    private readonly now: () => number = Date.now,
  ) {}

  fresh(key: string): boolean {
    const t = this.now();
    const before = this.lastSeen.get(key);
    this.lastSeen.set(key, t);
    return before === undefined || t - before > this.quietMs;
  }
}
