import { Kafka, logLevel, type ConsumerConfig, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import { bindOnce, type Logger } from '../log.js';
import { noConsumerRestart } from './consumer-crash.js';
import { kafkaLogLine, WaitNotes } from './log-entries.js';
import { dropKafkajsNegativeTimeoutWarning } from './negative-timeout-warning.js';
import { kafkaSsl } from './tls.js';
import type { GroupConsumerOptions, KafkaClientOptions } from '../config/settings.js';

// seqchain always names partitions explicitly, so kafkajs' partitioner change does not apply.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/**
 * kafkajs logs through pino, at warn and above unless debugging: its info lines are per-connection
 * noise. The conditions it retries by itself go to debug, and one info line says what is being
 * waited for (see log-entries.ts).
 */
export function createKafka(client: Readonly<KafkaClientOptions>, logger: Logger, role: string): Kafka {
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
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 3_000 },
  };
  if (client.sasl) {
    const { mechanism, username, password } = client.sasl;
    options.sasl = { mechanism, username, password } as SASLOptions;
  }
  return new Kafka(options);
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
