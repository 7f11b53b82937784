/**
 * Defaults for every component, in one object. User input (file < environment < flags) is merged
 * over it, validated by ./schema.ts and frozen by ./load.ts.
 */
export const defaults = {
  /** Name of the chain; every topic, group and znode of the chain is derived from it. */
  chain: 'default',
  /** Identity of this replica in ZooKeeper; default `<hostname>-<pid>`. */
  replicaId: '',
  kafka: {
    /** Bootstrap brokers. @defaultValue ['127.0.0.1:19092'] */
    brokers: ['127.0.0.1:19092'],
    clientId: 'seqchain',
    /** TLS to the brokers. @defaultValue false */
    ssl: false,
    /** SASL credentials (PLAIN or SCRAM); the password is never logged. */
    sasl: undefined as undefined | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string },
    /** Replication factor and min.insync.replicas of the internal topics (3/2 in production). */
    replicationFactor: 1,
    minInsyncReplicas: 1,
    /** Retention of the digest topic, ms: must outlive any failover. @defaultValue 7 days */
    digestRetentionMs: 7 * 24 * 3600 * 1000,
    /** Connection and request timeouts, ms. */
    connectionTimeoutMs: 5_000,
    requestTimeoutMs: 30_000,
  },
  zookeeper: {
    connect: '127.0.0.1:12181',
    /** Root of all seqchain znodes. */
    root: '/seqchain',
    /** Session timeout, ms: how long a dead leader keeps its election node. */
    sessionTimeoutMs: 4_000,
    /** How long to wait for the first connection, ms. */
    connectTimeoutMs: 10_000,
    /** Digest credentials `user:password`; with acl 'creator' nobody else can write seqchain's znodes. */
    auth: undefined as undefined | string,
    acl: 'open' as 'open' | 'creator',
  },
  redis: {
    url: 'redis://127.0.0.1:16379',
  },
  worker: {
    /** Largest digest batch message, in records (48 bytes each on the wire). */
    maxBatchRecords: 5_000,
    /**
     * Consumer-group session timeout, ms: how long until a dead replica's partitions move to
     * the others. 6000 is the broker's default minimum (group.min.session.timeout.ms).
     */
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    /** Longest a fetch waits for data, ms (kafkajs default 5000 is far too slow for a sequencer). */
    maxWaitTimeMs: 50,
  },
  sequencer: {
    /** A cut closes this often, ms, when records are pending. */
    cutIntervalMs: 5,
    /** …or when this many records are pending (one ledger message is ~52 bytes per record). */
    maxCutRecords: 5_000,
    /** Digest entries held in memory before the digest consumer waits. */
    maxPendingRecords: 200_000,
    /** A coverage gap that stays open this long stops sequencing, ms. */
    gapTimeoutMs: 60_000,
  },
  log: {
    level: 'info',
  },
};

export type Defaults = typeof defaults;
