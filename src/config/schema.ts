import { accessSync, constants, statSync } from 'node:fs';
import { z } from 'zod';
import { parseCosignatureVerifierKey } from '../tlog/cosignature.js';
import { isValidKeyName, parseVerifierKey } from '../tlog/note-key.js';

const name = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'use 1-100 of A-Z a-z 0-9 . _ -');
const hostPort = z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port');
const positiveInt = z.number().int().positive();

/** Group timing of a role's long-running Kafka consumer (worker, sequencer, index). */
const consumerTiming = {
  sessionTimeoutMs: z.number().int().min(6_000),
  heartbeatIntervalMs: positiveInt,
  maxWaitTimeMs: z.number().int().min(0).max(10_000),
};

/**
 * A path to a file this process can read, checked when the configuration is loaded: a wrong
 * path fails at start with the key named, not later inside a TLS handshake.
 */
const readableFile = z
  .string()
  .min(1)
  .superRefine((file, ctx) => {
    try {
      if (!statSync(file).isFile()) throw new Error('not a regular file');
      accessSync(file, constants.R_OK);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      ctx.addIssue({ code: 'custom', message: `cannot read file ${file} (${reason})` });
    }
  });

/** TLS to the brokers beyond `ssl: true`: a private CA, a client certificate, an SNI name. */
const kafkaTls = z.strictObject({
  caFile: readableFile.optional(),
  certFile: readableFile.optional(),
  keyFile: readableFile.optional(),
  rejectUnauthorized: z.boolean(),
  servername: z.string().min(1).optional(),
});

/** The validated configuration. Unknown keys are errors, so a typo is named instead of ignored. */
const verifierKey = z.string().superRefine((key, ctx) => {
  try {
    parseVerifierKey(key);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

export const configSchema = z.strictObject({
  chain: name,
  replicaId: name,
  kafka: z
    .strictObject({
      brokers: z.array(hostPort).min(1),
      clientId: name,
      ssl: z.boolean(),
      tls: kafkaTls,
      sasl: z
        .strictObject({
          mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
          username: z.string().min(1),
          password: z.string().min(1),
        })
        .optional(),
      replicationFactor: positiveInt,
      minInsyncReplicas: positiveInt,
      digestRetentionMs: positiveInt,
      connectionTimeoutMs: positiveInt,
      requestTimeoutMs: positiveInt,
      metadataMaxAgeMs: positiveInt,
    })
    .superRefine((kafka, ctx) => {
      // TLS settings without TLS would be silently ignored: a plaintext connection the user did not ask for.
      const { tls } = kafka;
      const set = [
        ...(['caFile', 'certFile', 'keyFile', 'servername'] as const).filter((k) => tls[k] !== undefined),
        ...(tls.rejectUnauthorized ? [] : ['rejectUnauthorized']),
      ];
      if (!kafka.ssl && set.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['tls', set[0]!],
          message: 'is set but kafka.ssl is false: set kafka.ssl to true (SEQCHAIN_KAFKA_SSL=true) to use TLS',
        });
      }
      if (kafka.minInsyncReplicas > kafka.replicationFactor) {
        ctx.addIssue({
          code: 'custom',
          path: ['minInsyncReplicas'],
          message: `is ${kafka.minInsyncReplicas}, more than kafka.replicationFactor (${kafka.replicationFactor}): no write to the internal topics could ever be acknowledged`,
        });
      }
      if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
        const missing = tls.certFile === undefined ? 'certFile' : 'keyFile';
        ctx.addIssue({ code: 'custom', path: ['tls', missing], message: 'a client certificate needs both kafka.tls.certFile and kafka.tls.keyFile' });
      }
    }),
  zookeeper: z.strictObject({
    connect: z.string().regex(/^[^\s,]+:\d{1,5}(,[^\s,]+:\d{1,5})*(\/.*)?$/, 'expected host:port[,host:port…]'),
    root: z.string().regex(/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/, 'expected an absolute znode path like /seqchain'),
    sessionTimeoutMs: z.number().int().min(1_000).max(60_000),
    connectTimeoutMs: positiveInt,
    fastTakeover: z.boolean(),
    auth: z
      .string()
      .regex(/^[^:]+:.+$/, 'expected user:password')
      .optional(),
    acl: z.enum(['open', 'creator']),
  }),
  redis: z
    .strictObject({
      url: z.string().regex(/^rediss?:\/\//, 'expected redis://host:port'),
      keyPrefix: name,
      commandTimeoutMs: positiveInt,
      password: z.string().min(1).optional(),
      passwordFile: readableFile.optional(),
    })
    .superRefine((redis, ctx) => {
      // One place for the password: with two, which one wins would be a guess.
      const inUrl = /^rediss?:\/\/[^/@]*:[^/@]+@/.test(redis.url);
      const sources = [inUrl && 'redis.url', redis.password !== undefined && 'redis.password', redis.passwordFile !== undefined && 'redis.passwordFile'].filter(
        Boolean,
      );
      if (sources.length > 1) {
        ctx.addIssue({
          code: 'custom',
          path: [redis.passwordFile !== undefined ? 'passwordFile' : 'password'],
          message: `the Redis password is given twice (${sources.join(' and ')}): keep one`,
        });
      }
    }),
  api: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65_535),
    advertisedUrl: z.union([z.literal(''), z.string().regex(/^https?:\/\/[^\s/]+$/, 'expected http(s)://host:port without a path')]),
    token: z.string().min(16, 'use at least 16 characters').optional(),
    tokenFile: z.string().min(1).optional(),
    bodyLimitBytes: positiveInt,
    rateLimitMax: z.number().int().min(0),
    rateLimitWindowMs: z.number().int().min(1_000).max(3_600_000),
    opsRateLimitMax: z.number().int().min(0),
    maxPageSize: positiveInt.max(100_000),
    maxVerifyRange: positiveInt,
    maxStreamRange: positiveInt,
  }),
  worker: z.strictObject({
    maxBatchRecords: positiveInt.max(20_000),
    maxRecordBytes: positiveInt.max(2 ** 31 - 1),
    ...consumerTiming,
  }),
  sequencer: z.strictObject({
    cutIntervalMs: z.number().int().min(1).max(10_000),
    maxCutRecords: positiveInt.max(15_000),
    maxPendingRecords: positiveInt,
    gapTimeoutMs: positiveInt,
    partitionCheckIntervalMs: positiveInt,
    ...consumerTiming,
  }),
  index: z.strictObject(consumerTiming),
  delivery: z.strictObject({
    orderedTopic: z.boolean(),
  }),
  logView: z
    .strictObject({
      enabled: z.boolean(),
      origin: z
        .string()
        .refine((o) => isValidKeyName(o), 'expected a non-empty name without spaces or "+" (the checkpoint origin, e.g. example.com/payments)')
        .optional(),
      // One file, or several while a key is rotated: the leader signs every checkpoint with each (docs/LOG.md).
      signingKeyFile: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
      verifierKey: z.union([verifierKey, z.array(verifierKey).min(1)]).optional(),
      witnesses: z
        .array(
          z.strictObject({
            url: z.url({ protocol: /^https?$/ }),
            verifierKey: z.string().superRefine((key, ctx) => {
              try {
                parseCosignatureVerifierKey(key);
              } catch (err) {
                ctx.addIssue({ code: 'custom', message: (err as Error).message });
              }
            }),
          }),
        )
        .max(32),
      witnessIntervalMs: z.number().int().min(100),
    })
    .superRefine((v, ctx) => {
      if (v.enabled && v.origin === undefined) ctx.addIssue({ code: 'custom', path: ['origin'], message: 'is required when logView.enabled is true' });
      // The log's key name is its origin (docs/LOG.md): a key under another name verifies no checkpoint of this log.
      for (const key of v.verifierKey === undefined ? [] : [v.verifierKey].flat()) {
        if (v.origin !== undefined && !key.startsWith(`${v.origin}+`)) {
          ctx.addIssue({ code: 'custom', path: ['verifierKey'], message: `names another key than the origin ${JSON.stringify(v.origin)}` });
        }
      }
    }),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  }),
});

export type Config = z.infer<typeof configSchema>;
