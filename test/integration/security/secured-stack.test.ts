/**
 * seqchain on the secured stack (`scripts/stack.sh up` with SEQCHAIN_STACK_SECURE=1): Kafka
 * SASL_SSL + SCRAM-SHA-512 with a private CA, ZooKeeper digest ACLs (zookeeper.acl=creator),
 * Redis with a password. The stack gets its own folder and ports, beside the shared plain one,
 * and is stopped and purged afterwards. Everything runs as users run it: CLI and replica
 * processes configured only through the SEQCHAIN_* variables of the stack's secrets.env.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import zookeeper from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../helpers/env-file.js';
import { REPO, ReplicaSet, runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { chainPaths } from '../../../src/coordination/paths.js';
import { ZkSession, isZkError } from '../../../src/coordination/zk-session.js';
import { isSeqchainError } from '../../../src/errors.js';
import { createKafka } from '../../../src/kafka/client.js';
import { kafkaClientOptions } from '../../../src/config/slices.js';
import { fromKafkaError } from '../../../src/kafka/errors.js';
import { createLogger } from '../../../src/log.js';
import type { VerifyReport } from '../../../src/verify/verify-chain.js';

const exec = promisify(execFile);

const STACK_DIR = join(REPO, '.stack-secure');
const STACK_ENV = {
  SEQCHAIN_STACK_SECURE: '1',
  SEQCHAIN_STACK_DIR: STACK_DIR,
  SEQCHAIN_KAFKA_PORT: '30092',
  SEQCHAIN_KAFKA_CONTROLLER_PORT: '30093',
  SEQCHAIN_ZK_PORT: '30181',
  SEQCHAIN_REDIS_PORT: '30379',
};
const RECORDS = 2_000;
const chain = `sec-${randomUUID().slice(0, 8)}`;
const topic = `${chain}.source`;
const logger = createLogger({ level: 'warn', name: 'secured-stack-test' });

/** stdout + stderr of everything this test ran: searched for secrets at the end. */
const outputs: string[] = [];
let secrets: Record<string, string> = {};
let env: Record<string, string> = {};
let config: Readonly<Config>;
let set: ReplicaSet | null = null;
let stackStarted = false;

function stack(...args: string[]) {
  // The variables of the shared stack a developer may have exported must not leak into this one.
  return exec('bash', [join(REPO, 'scripts', 'stack.sh'), ...args], { env: { ...process.env, ...STACK_ENV }, timeout: 120_000 });
}

async function cli(args: string[], extra: Record<string, string> = {}) {
  const out = await runCli(args, { ...env, ...extra });
  outputs.push(out.stdout, out.stderr);
  return out;
}

beforeAll(async () => {
  const up = await stack('up');
  stackStarted = true;
  outputs.push(up.stdout, up.stderr);
  const file = join(STACK_DIR, 'secrets.env');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  secrets = parseEnvFile(readFileSync(file, 'utf8'));
  env = { ...secrets, SEQCHAIN_CHAIN: chain, SEQCHAIN_LOG_LEVEL: 'debug' };
  config = loadConfig({ env: { ...secrets, SEQCHAIN_LOG_LEVEL: 'warn' }, overrides: { chain } });

  const init = await cli(['init', '--topic', topic, '--partitions', '4', '--json']);
  expect(init.code, init.stderr).toBe(0);
  set = new ReplicaSet({ chain, logDir: join(REPO, '.stack', 'test-logs', chain), env, logger, config });
  set.start('r1');
  set.start('r2');
}, 120_000);

afterAll(async () => {
  await set?.close().catch(() => undefined);
  if (stackStarted) await stack('down', '--purge');
}, 60_000);

describe('the secured stack as the script sets it up', () => {
  it('writes what clients need (SASL_SSL, private CA, SCRAM, ZK digest + creator ACL, Redis password) without printing a secret', () => {
    expect(secrets).toMatchObject({
      SEQCHAIN_KAFKA_BROKERS: '127.0.0.1:30092',
      SEQCHAIN_KAFKA_SSL: 'true',
      SEQCHAIN_KAFKA_TLS_CA_FILE: join(STACK_DIR, 'secure', 'ca.pem'),
      SEQCHAIN_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      SEQCHAIN_KAFKA_SASL_USERNAME: 'seqchain',
      SEQCHAIN_ZK_CONNECT: '127.0.0.1:30181',
      SEQCHAIN_ZK_ACL: 'creator',
      SEQCHAIN_REDIS_URL: 'redis://127.0.0.1:30379',
    });
    for (const k of ['SEQCHAIN_KAFKA_SASL_PASSWORD', 'SEQCHAIN_REDIS_PASSWORD']) expect(secrets[k]).toMatch(/^[0-9a-f]{48}$/);
    expect(secrets.SEQCHAIN_ZK_AUTH).toMatch(/^seqchain:[0-9a-f]{48}$/);
    expect(statSync(join(STACK_DIR, 'secure')).mode & 0o777).toBe(0o700);
  });
});

describe('seqchain over SASL_SSL, ZooKeeper ACLs and a password-protected Redis', () => {
  it('two replicas sequence what the CLI produced; verify passes; the API head (from the index) matches', async () => {
    const produced = await cli(['produce', '--topic', topic, '-n', String(RECORDS), '--json']);
    expect(produced.code, produced.stderr).toBe(0);
    await waitFor(`${RECORDS} sequenced`, async () => (await set!.sequenced()) >= RECORDS, 45_000, 100);

    const verify = await cli(['verify', '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    const report = JSON.parse(verify.stdout) as VerifyReport;
    expect(report).toMatchObject({ ok: true, records: RECORDS, lastSeq: RECORDS, sourceRecordsMatched: RECORDS });

    // The head as the API serves it, from the Redis index the replicas keep over AUTH.
    const api = await set!.apiUrl('r1');
    const head = await waitFor(
      'the index reaches the head',
      async () => {
        const res = await fetch(`${api}/v1/head`).catch(() => null);
        const body = res?.ok ? ((await res.json()) as { seq: string; hash: string }) : null;
        return body?.seq === String(RECORDS) ? body : undefined;
      },
      30_000,
      100,
    );
    expect(head.hash).toBe(report.headHash);
    const viaCli = await cli(['head', '--json']); // finds the API through ZooKeeper, with auth
    expect(viaCli.code, viaCli.stderr).toBe(0);
    expect(JSON.parse(viaCli.stdout.trim().split('\n').pop()!)).toMatchObject({ seq: String(RECORDS), hash: report.headHash });
  }, 60_000);
});

describe('what the security settings refuse', () => {
  it('Kafka: a wrong SASL password is a clear, non-retriable error (library and CLI)', async () => {
    const wrong = { ...config, kafka: { ...config.kafka, sasl: { ...config.kafka.sasl!, password: 'not-the-password' } } };
    const admin = createKafka(kafkaClientOptions(wrong), logger.child({}, { level: 'silent' }), 'wrong-password').admin();
    const err = fromKafkaError(
      await admin.connect().then(
        () => null,
        (e: unknown) => e,
      ),
    );
    expect(isSeqchainError(err) && err.code).toBe('SEQCHAIN_ERR_CONFIG');
    expect((err as Error).message).toMatch(/Kafka rejected the SASL login .*SASL SCRAM SHA512 authentication failed/);
    await admin.disconnect();

    const out = await cli(['produce', '--topic', topic, '-n', '1'], { SEQCHAIN_KAFKA_SASL_PASSWORD: 'not-the-password', SEQCHAIN_LOG_LEVEL: 'silent' });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('seqchain: SEQCHAIN_ERR_CONFIG: Kafka rejected the SASL login');
  });

  it('Kafka: the SASL_SSL port talks to no client without TLS, nor to one that does not trust the private CA', async () => {
    const base = {
      clientId: 'secured-stack-test',
      brokers: [...config.kafka.brokers],
      sasl: config.kafka.sasl as SASLOptions,
      connectionTimeout: 3_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    };
    for (const [ssl, expected] of [
      [false, /Closed connection|Connection error|timeout/i],
      [true, /self-signed certificate in certificate chain/],
    ] as const) {
      const admin = new Kafka({ ...base, ssl }).admin();
      const err = await admin.connect().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, `ssl=${ssl}`).toBeInstanceOf(Error);
      expect(String((fromKafkaError(err) as Error).message), `ssl=${ssl}`).toMatch(expected);
      await admin.disconnect();
    }
  });

  it('ZooKeeper: without the digest identity the genesis, epoch and counter znodes can be read but not changed', async () => {
    const paths = chainPaths(config.zookeeper.root, chain);
    const [user, password] = [secrets.SEQCHAIN_ZK_AUTH!.split(':')[0]!, secrets.SEQCHAIN_ZK_AUTH!.slice(secrets.SEQCHAIN_ZK_AUTH!.indexOf(':') + 1)];
    const id = `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
    // What seqchain set (node-zookeeper-client's ACL has `permission`, its typings say `perms`): ALL (31) for its digest identity, READ (1) for the world, on each of its
    // znodes. ZooKeeper shows the password hash only to a client holding ADMIN on the znode;
    // everyone else sees it masked as `<user>:x`.
    for (const [who, credentials, expectedId] of [
      ['seqchain', `${user}:${password}`, id],
      ['anonymous', null, `${user}:x`],
    ] as const) {
      const raw = zookeeper.createClient(config.zookeeper.connect, { sessionTimeout: 4_000 });
      if (credentials) raw.addAuthInfo('digest', Buffer.from(credentials));
      // Requests queued before the session exists may go out before the auth packet: wait.
      await new Promise<void>((res) => {
        raw.once('connected', () => res());
        raw.connect();
      });
      try {
        for (const path of [config.zookeeper.root, paths.base, paths.genesis, paths.epoch, paths.counter]) {
          const acl = await new Promise<zookeeper.ACL[]>((res, rej) => raw.getACL(path, (e, a) => (e ? rej(e) : res(a))));
          expect(acl.map((a) => `${a.id.scheme}:${a.id.id}=${(a as unknown as { permission: number }).permission}`).sort(), `${path} as ${who}`).toEqual([
            `digest:${expectedId}=31`,
            'world:anyone=1',
          ]);
        }
      } finally {
        raw.close();
      }
    }

    for (const auth of [undefined, { scheme: 'digest' as const, credentials: `${user}:not-the-password` }]) {
      const zk = await ZkSession.connect({
        connect: config.zookeeper.connect,
        sessionTimeoutMs: 4_000,
        connectTimeoutMs: 10_000,
        logger: logger.child({}, { level: 'silent' }),
        ...(auth ? { auth } : {}),
      });
      try {
        for (const path of [paths.genesis, paths.epoch, paths.counter]) {
          const label = `${path} (${auth ? 'other identity' : 'no auth'})`;
          expect((await zk.getData(path))?.data.length, label).toBeGreaterThan(0);
          const denied = async (op: Promise<unknown>) => {
            const e = await op.then(
              () => null,
              (x: unknown) => x,
            );
            expect(isZkError(e, 'NO_AUTH'), `${label}: ${String(e)}`).toBe(true);
          };
          await denied(zk.setData(path, Buffer.from('tampered'), -1));
          await denied(zk.create(`${path}/intruder`, Buffer.from('x')));
          await denied(zk.remove(path));
        }
      } finally {
        await zk.close();
      }
    }
  });

  it('Redis: without the password every command gets NOAUTH; with it the index is there', async () => {
    const url = new URL(secrets.SEQCHAIN_REDIS_URL!);
    const options = {
      host: url.hostname,
      port: Number(url.port),
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    };
    const anonymous = new Redis(options);
    anonymous.on('error', () => undefined);
    try {
      await expect(anonymous.get('x')).rejects.toThrow(/NOAUTH/);
      await expect(anonymous.keys(`${config.redis.keyPrefix}:${chain}:*`)).rejects.toThrow(/NOAUTH/);
    } finally {
      anonymous.disconnect();
    }
    const authed = new Redis({ ...options, password: secrets.SEQCHAIN_REDIS_PASSWORD! });
    try {
      expect((await authed.keys(`${config.redis.keyPrefix}:${chain}:*`)).length).toBeGreaterThan(0);
    } finally {
      authed.disconnect();
    }
  });

  it('no secret appears in any replica log, CLI output or the stack script’s output', async () => {
    await set!.stopAll('SIGTERM'); // flush and close the logs first
    const zkPassword = secrets.SEQCHAIN_ZK_AUTH!.slice(secrets.SEQCHAIN_ZK_AUTH!.indexOf(':') + 1);
    const logs = ['r1', 'r2'].map((id) => readFileSync(join(REPO, '.stack', 'test-logs', chain, `${id}.log`), 'utf8'));
    expect(logs.every((l) => l.length > 0)).toBe(true);
    const everything = [...logs, ...outputs].join('\n');
    const checks: [string, string][] = [
      ['SASL password', secrets.SEQCHAIN_KAFKA_SASL_PASSWORD!],
      ['Redis password', secrets.SEQCHAIN_REDIS_PASSWORD!],
      ['ZooKeeper password', zkPassword],
    ];
    for (const [name, secret] of checks) {
      expect(everything.includes(secret), name).toBe(false);
    }
  });
});
