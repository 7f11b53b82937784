import type { DeliverySettings, GroupConsumerTiming, LogViewSettings } from './settings.js';
import type { KafkaTlsOptions } from './settings.js';
import type { SequencerSettings } from './settings.js';
import type { WorkerSettings } from './settings.js';

/**
 * Defaults for every component, in one object; a section `satisfies` the settings type of the
 * component it tunes, so a setting the component takes cannot lack its default here. User input
 * (file < environment < flags) is merged over it, validated by ./schema.ts and frozen by ./load.ts.
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
    /**
     * How TLS is done when `ssl` is true; each key needs `ssl: true`. Files are PEM, read when a
     * client is created. Without `caFile`, Node's built-in CA list checks the broker.
     */
    tls: {
      /** CA certificate(s) that signed the brokers' certificates (replaces the built-in list). */
      caFile: undefined as undefined | string,
      /** Client certificate and its key, for brokers that require mutual TLS (both or neither). */
      certFile: undefined as undefined | string,
      keyFile: undefined as undefined | string,
      /** Check the broker's certificate and name; false only to debug, never in production. @defaultValue true */
      rejectUnauthorized: true,
      /** SNI / name checked against the certificate, when it differs from the broker's host. */
      servername: undefined as undefined | string,
    } satisfies KafkaTlsOptions['tls'],
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
    /**
     * How often clients refresh topic metadata, ms. New source partitions are noticed (and the
     * worker group rebalances onto them) within this time. kafkajs' default is 5 minutes.
     */
    metadataMaxAgeMs: 5_000,
  },
  zookeeper: {
    connect: '127.0.0.1:12181',
    /** Root of all seqchain znodes. */
    root: '/seqchain',
    /** Session timeout, ms: how long a dead leader keeps its election node. */
    sessionTimeoutMs: 4_000,
    /** How long to wait for the first connection, ms. */
    connectTimeoutMs: 10_000,
    /**
     * Take over from a crashed predecessor without waiting for its session timeout: each
     * candidate holds its predecessor's `GET /v1/liveness` stream and deletes its election node
     * once that process is gone (stream closed, then connection refused). @defaultValue true
     */
    fastTakeover: true,
    /** Digest credentials `user:password`; with acl 'creator' nobody else can write seqchain's znodes. */
    auth: undefined as undefined | string,
    acl: 'open' as 'open' | 'creator',
  },
  redis: {
    /** `redis://[:password@]host:port[/db]`; the password is never logged. */
    url: 'redis://127.0.0.1:16379',
    /** Every key of the index starts with `<keyPrefix>:<chain>:`. */
    keyPrefix: 'seqchain',
    /** A command that takes longer fails (the API answers 503), ms. */
    commandTimeoutMs: 2_000,
    /** Password (Redis AUTH), when it is not in `url`; never logged. */
    password: undefined as undefined | string,
    /** File whose first line is the password, when `password` is not set (e.g. a mounted secret). */
    passwordFile: undefined as undefined | string,
  },
  api: {
    /** Interface the HTTP API listens on. */
    host: '127.0.0.1',
    /** Port of the HTTP API; 0 picks a free one (the address is published in ZooKeeper). */
    port: 7070,
    /** URL other replicas and the CLI use to reach this API; default http://host:port. */
    advertisedUrl: '',
    /** Bearer token of the ops routes (/v1/ops/*). Without one, ops routes answer 401. */
    token: undefined as undefined | string,
    /** File holding the token (first line); used when `token` is not set. */
    tokenFile: undefined as undefined | string,
    /** Largest request body, bytes. */
    bodyLimitBytes: 64 * 1024,
    /** Requests one client address may make per window (all routes but health and metrics); 0 = no limit. */
    rateLimitMax: 60_000,
    /** The rate-limit window, ms. */
    rateLimitWindowMs: 60_000,
    /** Requests to /v1/ops/* per client address per window, failed tokens included (slows guessing); 0 = no limit. */
    opsRateLimitMax: 60,
    /** Largest page of /v1/chain, entries. */
    maxPageSize: 1_000,
    /** Largest range /v1/verify recomputes in one request, records. */
    maxVerifyRange: 100_000,
    /** Largest seq range one GET /v1/records stream serves, records (it is read a page, api.maxPageSize, at a time). */
    maxStreamRange: 100_000,
  },
  worker: {
    /** Largest digest batch message, in records (48 bytes each on the wire). */
    maxBatchRecords: 5_000,
    /**
     * Largest source record (key + value + header names and values), bytes. A bigger record is
     * never skipped: the worker stops on its partition with SEQCHAIN_ERR_RECORD_TOO_LARGE until
     * the limit is raised and the replica restarted (docs/ERRORS.md). @defaultValue 16 MiB
     */
    maxRecordBytes: 16 * 1024 * 1024,
    /**
     * Consumer-group session timeout, ms: how long until a dead replica's partitions move to
     * the others. 6000 is the broker's default minimum (group.min.session.timeout.ms).
     */
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    /** Longest a fetch waits for data, ms (kafkajs default 5000 is far too slow for a sequencer). */
    maxWaitTimeMs: 50,
  } satisfies WorkerSettings,
  sequencer: {
    /** A cut closes this often, ms, when records are pending. */
    cutIntervalMs: 5,
    /** …or when this many records are pending (one ledger message is ~52 bytes per record). */
    maxCutRecords: 5_000,
    /** Digest entries held in memory before the digest consumer waits. */
    maxPendingRecords: 200_000,
    /** A coverage gap that stays open this long stops sequencing, ms. */
    gapTimeoutMs: 60_000,
    /** How often the leader checks the source topic for new partitions, ms. */
    partitionCheckIntervalMs: 5_000,
    /**
     * The digest consumer's group timing (one member per term, in a group of the term's epoch).
     * The worker's values; its own keys so that tuning the worker's failover leaves it alone.
     */
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    /** Longest a digest fetch waits for data, ms: bounds how late a cut sees a digest batch. */
    maxWaitTimeMs: 50,
  } satisfies SequencerSettings,
  /** The ledger consumer of the indexer (one member, in a group of its own per replica). */
  index: {
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    /** Longest a ledger fetch waits for data, ms (at least 50 is used). */
    maxWaitTimeMs: 50,
  } satisfies GroupConsumerTiming,
  delivery: {
    /**
     * One replica at a time (a ZooKeeper lease) republishes every sequenced record, from seq 1,
     * into `<chain>.ordered`, a one-partition topic, transactionally with its progress: any
     * read_committed Kafka client reads the global order exactly once (docs/CONSUMING.md).
     * @defaultValue false
     */
    orderedTopic: false,
  } satisfies DeliverySettings,
  logView: {
    /**
     * The leader signs a checkpoint of the chain's Merkle tree with each cut and writes it in the
     * ledger with the cut (SCM2); verifiers check it (docs/LOG.md). Off: cuts are SCM1 as before.
     * @defaultValue false
     */
    enabled: false,
    /** The checkpoint origin and the signing key's name (a schema-less URL naming this chain); required when enabled. */
    origin: undefined as undefined | string,
    /** File holding the signer key `PRIVATE+KEY+<origin>+<id>+<base64>` (`seqchain log-keygen`), mode 0600; required to lead when enabled. */
    signingKeyFile: undefined as undefined | string,
    /** The log's verifier key `<origin>+<id>+<base64>`: what verifiers check signatures under when no `--key` is given. */
    verifierKey: undefined as undefined | string,
    /**
     * C2SP tlog-witnesses (`seqchain witness` or any other): the leader submits the latest indexed
     * checkpoint to each, in the background, and `/checkpoint` carries their cosignatures.
     * @defaultValue []
     */
    witnesses: [] as { url: string; verifierKey: string }[],
    /** The leader submits to each witness at most this often, ms (at least 100). @defaultValue 1000 */
    witnessIntervalMs: 1_000,
  } satisfies LogViewSettings,
  log: {
    level: 'info',
  },
};

export type Defaults = typeof defaults;
