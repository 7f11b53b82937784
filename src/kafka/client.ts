import { Kafka, logLevel, type ConsumerConfig, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Config } from '../config/schema.js';
import { bindOnce, type Logger } from '../log.js';
import { noConsumerRestart } from './consumer-crash.js';
import { kafkaLogLine, WaitNotes } from './log-entries.js';
import { kafkaSsl } from './tls.js';

// seqchain always names partitions explicitly, so kafkajs' partitioner change does not apply.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/**
 * kafkajs logs through pino, at warn and above unless debugging: its info lines are per-connection
 * noise. The conditions it retries by itself go to debug, and one info line says what is being
 * waited for (see log-entries.ts).
 */
export function createKafka(config: Readonly<Config>, logger: Logger, role: string): Kafka {
  const kafkaLogger = bindOnce(logger, { component: 'kafkajs', role });
  const waits = new WaitNotes();
  const options: KafkaConfig = {
    clientId: `${config.kafka.clientId}-${config.replicaId}-${role}`,
    brokers: [...config.kafka.brokers],
    ssl: kafkaSsl(config.kafka),
    connectionTimeout: config.kafka.connectionTimeoutMs,
    requestTimeout: config.kafka.requestTimeoutMs,
    logLevel: config.log.level === 'debug' || config.log.level === 'trace' ? logLevel.INFO : logLevel.WARN,
    logCreator:
      () =>
      (entry: LogEntry) => {
        const { message, timestamp: _t, logger: _l, ...extra } = entry.log as LogEntry['log'] & { logger?: string };
        const line = kafkaLogLine(entry);
        kafkaLogger[line.level](extra, message);
        if (line.wait && waits.fresh(line.wait.key)) kafkaLogger.info(`waiting for ${line.wait.what}; kafkajs retries (details at debug)`);
      },
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 3_000 },
  };
  if (config.kafka.sasl) {
    const { mechanism, username, password } = config.kafka.sasl;
    options.sasl = { mechanism, username, password } as SASLOptions;
  }
  return new Kafka(options);
}

/**
 * Settings every long-running seqchain consumer shares (worker, sequencer, indexer, and the
 * benchmark's copy of the worker): group timing from `worker.*`, metadata refresh from
 * `kafka.metadataMaxAgeMs`, read_committed, no topic auto-creation. kafkajs never restarts
 * one of them after a crash (`noConsumerRestart`, see consumer-crash.ts): each owner handles
 * the CRASH event (the worker re-creates its consumer, the sequencer ends the term).
 */
export function groupConsumerConfig(config: Readonly<Config>, groupId: string): ConsumerConfig {
  return {
    groupId,
    metadataMaxAge: config.kafka.metadataMaxAgeMs,
    sessionTimeout: config.worker.sessionTimeoutMs,
    heartbeatInterval: config.worker.heartbeatIntervalMs,
    maxWaitTimeInMs: config.worker.maxWaitTimeMs,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    retry: { ...noConsumerRestart },
  };
}
