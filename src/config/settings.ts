/**
 * What each component takes from the configuration: one settings type per component, declared
 * here, below the components, so that the defaults (./defaults.ts, `satisfies` each) and the
 * slices the composition root picks (./slices.ts) need nothing from above the config layer.
 * Components import their own type from here; none of them sees the whole `Config`.
 */

/** `sequencer.*`: when cuts close, how much is held, how long a gap may stay open, and the digest consumer's group timing. */
export interface SequencerSettings extends GroupConsumerTiming {
  /** A cut closes this often when records are pending, ms. */
  cutIntervalMs: number;
  /** …or when this many records are pending. */
  maxCutRecords: number;
  /** Digest entries held in memory before the digest consumer waits. */
  maxPendingRecords: number;
  /** A coverage gap (or a partition expansion) that stays open this long stops sequencing, ms. */
  gapTimeoutMs: number;
  /** How often the leader checks the source topic for new partitions, ms. */
  partitionCheckIntervalMs: number;
}

/** What an indexer takes from the configuration (the replica's index and `seqchain reindex` alike). */
export interface IndexerSettings {
  chain: string;
  /** Names the indexer's consumer groups (one per replica). */
  replicaId: string;
  /** `redis.keyPrefix`: every index key starts with `<keyPrefix>:<chain>:`. */
  keyPrefix: string;
  /** `redis.commandTimeoutMs`: how long a (re)connecting Redis client gets before that counts as an outage, ms. */
  redisCommandTimeoutMs: number;
  /** The ledger consumer (`index.*`, `kafka.metadataMaxAgeMs`). */
  consumer: GroupConsumerOptions;
}

/** `delivery.*`: what a replica delivers beyond the ledger. */
export interface DeliverySettings {
  /** Write the global order into `<chain>.ordered` (one replica at a time, the holder of the ordered-writer lease). */
  orderedTopic: boolean;
}

/** `worker.*`: the worker's limits and its consumer's group timing. */
export interface WorkerSettings extends GroupConsumerTiming {
  /** Largest digest batch message, in records. */
  maxBatchRecords: number;
  /** Largest source record, bytes: the worker stops on a partition at a bigger one (never skips it). */
  maxRecordBytes: number;
}

/** `kafka.ssl` and `kafka.tls.*`: whether and how a Kafka client does TLS. */
export interface KafkaTlsOptions {
  ssl: boolean;
  tls: {
    caFile?: string | undefined;
    certFile?: string | undefined;
    keyFile?: string | undefined;
    rejectUnauthorized: boolean;
    servername?: string | undefined;
  };
}

/** How a Kafka client connects: `kafka.*` of the configuration, with the replica's id. */
export interface KafkaClientOptions extends KafkaTlsOptions {
  /** Bootstrap brokers, `host:port` each. */
  brokers: readonly string[];
  /** Client ids are `<clientId>-<replicaId>-<role>`. */
  clientId: string;
  replicaId: string;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | undefined;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /** Pass kafkajs' info lines on too (log level debug or trace); warn and above otherwise. */
  verbose: boolean;
}

/** Group timing of one role's long-running consumer (`worker.*`, `sequencer.*`, `index.*`). */
export interface GroupConsumerTiming {
  /** How long until a dead member's partitions move to the others, ms (≥ the broker's group.min.session.timeout.ms). */
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Longest a fetch waits for data, ms. */
  maxWaitTimeMs: number;
}

export interface GroupConsumerOptions extends GroupConsumerTiming {
  /** How often the consumer refreshes topic metadata (`kafka.metadataMaxAgeMs`), ms. */
  metadataMaxAgeMs: number;
}

/** `redis.password` / `redis.passwordFile`: where the Redis password comes from when it is not in the URL. */
export interface RedisPasswordOptions {
  password?: string | undefined;
  passwordFile?: string | undefined;
}

/** How the index's Redis client connects: `redis.*` of the configuration, with the replica's id. */
export interface RedisClientOptions extends RedisPasswordOptions {
  /** `redis[s]://[:password@]host:port[/db]`; never logged unredacted. */
  url: string;
  /** A command that takes longer fails, ms. */
  commandTimeoutMs: number;
  /** Names the connection `seqchain-<replicaId>-<role>` (CLIENT LIST). */
  replicaId: string;
}

/** `logView.*`: the signed checkpoints of the log view (docs/LOG.md). */
export interface LogViewSettings {
  /** Sign a checkpoint with each cut and write it in the ledger (SCM2). */
  enabled: boolean;
  /** Checkpoint origin and the signing key's name; required when enabled. */
  origin?: string | undefined;
  /** Signer key file (mode 0600 or stricter), or several while a key is rotated; required on a replica that may lead when enabled. */
  signingKeyFile?: string | readonly string[] | undefined;
  /** The log's verifier key (or keys, across a rotation), for verifiers without `--key`. */
  verifierKey?: string | readonly string[] | undefined;
  /** C2SP tlog-witnesses the leader submits checkpoints to: submission URL prefix and tlog-cosignature/v1 verifier key. */
  witnesses: readonly WitnessSettings[];
  /** The leader submits to each witness at most this often, ms. */
  witnessIntervalMs: number;
}

/** One witness of `logView.witnesses`. */
export interface WitnessSettings {
  /** Submission prefix: the leader POSTs `<url>/add-checkpoint`. */
  url: string;
  /** `<name>+<id>+<base64(0x04 ‖ key)>`: cosignatures are kept only when they verify under it. */
  verifierKey: string;
}
