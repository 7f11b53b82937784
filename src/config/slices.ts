import type { IndexerSettings } from './settings.js';
import type { RedisClientOptions } from './settings.js';
import type { GroupConsumerOptions, KafkaClientOptions } from './settings.js';
import type { Config } from './schema.js';

/**
 * The options a shared client or role takes, picked out of the configuration by the code that
 * holds all of it (the composition root, the CLI commands, the test and bench harnesses).
 * Components never see `Config`: each declares what it uses, so a component's signature says
 * which settings can change its behaviour.
 */

export function kafkaClientOptions(config: Readonly<Config>): KafkaClientOptions {
  const { brokers, clientId, ssl, tls, sasl, connectionTimeoutMs, requestTimeoutMs } = config.kafka;
  return {
    brokers,
    clientId,
    replicaId: config.replicaId,
    ssl,
    tls,
    sasl,
    connectionTimeoutMs,
    requestTimeoutMs,
    verbose: config.log.level === 'debug' || config.log.level === 'trace',
  };
}

export function redisClientOptions(config: Readonly<Config>): RedisClientOptions {
  const { url, commandTimeoutMs, password, passwordFile } = config.redis;
  return { url, commandTimeoutMs, password, passwordFile, replicaId: config.replicaId };
}

/** The long-running consumer of a role: its group timing (`worker.*`, `sequencer.*`, `index.*`) and `kafka.metadataMaxAgeMs`. */
export function groupConsumerOptions(config: Readonly<Config>, role: 'worker' | 'sequencer' | 'index'): GroupConsumerOptions {
  const { sessionTimeoutMs, heartbeatIntervalMs, maxWaitTimeMs } = config[role];
  return { sessionTimeoutMs, heartbeatIntervalMs, maxWaitTimeMs, metadataMaxAgeMs: config.kafka.metadataMaxAgeMs };
}

export function indexerSettings(config: Readonly<Config>): IndexerSettings {
  return {
    chain: config.chain,
    replicaId: config.replicaId,
    keyPrefix: config.redis.keyPrefix,
    redisCommandTimeoutMs: config.redis.commandTimeoutMs,
    consumer: groupConsumerOptions(config, 'index'),
  };
}
