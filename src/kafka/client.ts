import { Kafka, logLevel, type ConsumerConfig, type KafkaConfig, type LogEntry, type RetryOptions, type SASLOptions } from 'kafkajs';
import { bindOnce, type Logger } from '../log.js';
import { noConsumerRestart } from './consumer-crash.js';
import { giveClustersTheClientRetry } from './kafkajs-internals.js';
import { kafkaLogLine, WaitNotes } from './log-entries.js';
import { dropKafkajsNegativeTimeoutWarning } from './negative-timeout-warning.js';
import { kafkaSsl } from './tls.js';
import type { GroupConsumerOptions, KafkaClientOptions } from '../config/settings.js';

// seqchain always names partitions explicitly, so kafkajs' partitioner change does not apply.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/**
 * kafkajs' client-level retries (connecting, metadata, coordinators, InitProducerId): 8 from
 * 100 ms, doubling, capped at 3 s, about 12 s in all before an operation fails.
 */
export const CLIENT_RETRY: Readonly<RetryOptions> = { retries: 8, initialRetryTime: 100, maxRetryTime: 3_000 };

/**
 * The sequencer's: about the same 12 s in all, but from 20 ms, growing by 1.3 (20, 46, 80, 124,
 * 181, 255, 351 ms … cumulative). A new leader's fence (InitProducerId with the chain's
 * transactional.id) is refused with CONCURRENT_TRANSACTIONS until the broker has aborted the dead
 * leader's open transaction, a few ms (bench/probes/fence-abort.ts; docs/PERFORMANCE.md, "Leader
 * failover: kafkajs' hidden 300 ms in the fence"). kafkajs runs InitProducerId on the client's
 * retry, not the producer's (see giveClustersTheClientRetry).
 */
export const SEQUENCER_RETRY: Readonly<RetryOptions> = { retries: 20, initialRetryTime: 20, multiplier: 1.3, maxRetryTime: 3_000 };

/**
 * kafkajs logs through pino, at warn and above unless debugging: its info lines are per-connection
 * noise. The conditions it retries by itself go to debug, and one info line says what is being
 * waited for (see log-entries.ts).
 */
export function createKafka(client: Readonly<KafkaClientOptions>, logger: Logger, role: string, retry: Readonly<RetryOptions> = CLIENT_RETRY): Kafka {
  dropKafkajsNegativeTimeoutWarning();
  const kafkaLogger = bindOnce(logger, { component: 'kafkajs', role });
  const waits = new WaitNotes();
  const options: KafkaConfig = {
    clientId: `${client.clientId}-${client.replicaId}-${role}`,
    brokers: [...client.brokers],
    ssl: kafkaSsl(client),
    connectionTimeout: client.connectionTimeoutMs,
    requestTimeout: client.requestTimeoutMs,
    logLevel: client.verbose ? logLevel.INFO : logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, timestamp: _t, logger: _l, ...extra } = entry.log as LogEntry['log'] & { logger?: string };
      const line = kafkaLogLine(entry);
      kafkaLogger[line.level](extra, message);
      if (line.wait && waits.fresh(line.wait.key)) kafkaLogger.info(`waiting for ${line.wait.what}; kafkajs retries (details at debug)`);
    },
    retry: { ...retry },
  };
  if (client.sasl) {
    const { mechanism, username, password } = client.sasl;
    options.sasl = { mechanism, username, password } as SASLOptions;
  }
  const kafka = new Kafka(options);
  giveClustersTheClientRetry(kafka, retry);
  return kafka;
}

/**
 * Settings every long-running seqchain consumer shares (worker, sequencer, indexer, and the
 * benchmark's copy of the worker): group timing from its role's settings, metadata refresh from
 * `kafka.metadataMaxAgeMs`, read_committed, no topic auto-creation. kafkajs never restarts
 * one of them after a crash (`noConsumerRestart`, see consumer-crash.ts): each owner handles
 * the CRASH event (the worker re-creates its consumer, the sequencer ends the term).
 */
export function groupConsumerConfig(options: Readonly<GroupConsumerOptions>, groupId: string): ConsumerConfig {
  return {
    groupId,
    metadataMaxAge: options.metadataMaxAgeMs,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: options.heartbeatIntervalMs,
    maxWaitTimeInMs: options.maxWaitTimeMs,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    retry: { ...noConsumerRestart },
  };
}
