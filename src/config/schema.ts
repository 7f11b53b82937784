import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'use 1-100 of A-Z a-z 0-9 . _ -');
const hostPort = z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port');
const positiveInt = z.number().int().positive();

/** The validated configuration. Unknown keys are errors, so a typo is named instead of ignored. */
export const configSchema = z.strictObject({
  chain: name,
  replicaId: name,
  kafka: z.strictObject({
    brokers: z.array(hostPort).min(1),
    clientId: name,
    ssl: z.boolean(),
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
  }),
  zookeeper: z.strictObject({
    connect: z.string().regex(/^[^\s,]+:\d{1,5}(,[^\s,]+:\d{1,5})*(\/.*)?$/, 'expected host:port[,host:port…]'),
    root: z.string().regex(/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/, 'expected an absolute znode path like /seqchain'),
    sessionTimeoutMs: z.number().int().min(1_000).max(60_000),
    connectTimeoutMs: positiveInt,
    auth: z.string().regex(/^[^:]+:.+$/, 'expected user:password').optional(),
    acl: z.enum(['open', 'creator']),
  }),
  redis: z.strictObject({
    url: z.string().regex(/^rediss?:\/\//, 'expected redis://host:port'),
    keyPrefix: name,
    commandTimeoutMs: positiveInt,
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
  }),
  worker: z.strictObject({
    maxBatchRecords: positiveInt.max(20_000),
    sessionTimeoutMs: z.number().int().min(6_000),
    heartbeatIntervalMs: positiveInt,
    maxWaitTimeMs: z.number().int().min(0).max(10_000),
  }),
  sequencer: z.strictObject({
    cutIntervalMs: z.number().int().min(1).max(10_000),
    maxCutRecords: positiveInt.max(15_000),
    maxPendingRecords: positiveInt,
    gapTimeoutMs: positiveInt,
    partitionCheckIntervalMs: positiveInt,
  }),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  }),
});

export type Config = z.infer<typeof configSchema>;
