import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { redisPassword } from '../../../src/index-store/redis-client.js';
import { kafkaSsl } from '../../../src/kafka/tls.js';
import { createLogger } from '../../../src/log.js';
import { configError } from './config-error.js';

// The security keys: kafka.tls.*, redis.password / redis.passwordFile, and what reaches a log.
// Every test passes an explicit `env`; nothing here reads process.env.
const dir = mkdtempSync(join(tmpdir(), 'seqchain-security-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIBfake\n-----END PRIVATE KEY-----\n';
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const caFile = file('ca.pem', PEM_CERT);
const certFile = file('client.pem', PEM_CERT);
const keyFile = file('client.key', PEM_KEY);
const derFile = file('ca.der', '0\x82\x01\x0a not pem');

describe('kafka.tls: TLS to the brokers with a private CA', () => {
  it('defaults: no TLS; ssl alone keeps kafkajs on Node’s built-in CA list (ssl: true)', () => {
    const plain = loadConfig({ env: {} });
    expect(plain.kafka.tls.rejectUnauthorized).toBe(true);
    expect(plain.kafka.tls.caFile).toBeUndefined();
    expect(kafkaSsl(plain.kafka)).toBe(false);
    expect(kafkaSsl(loadConfig({ env: { SEQCHAIN_KAFKA_SSL: 'true' } }).kafka)).toBe(true);
  });

  it('reads the CA, client certificate and key named by the environment into Node TLS options', () => {
    const c = loadConfig({
      env: {
        SEQCHAIN_KAFKA_SSL: 'true',
        SEQCHAIN_KAFKA_TLS_CA_FILE: caFile,
        SEQCHAIN_KAFKA_TLS_CERT_FILE: certFile,
        SEQCHAIN_KAFKA_TLS_KEY_FILE: keyFile,
        SEQCHAIN_KAFKA_TLS_SERVERNAME: 'kafka.internal',
      },
    });
    expect(c.kafka.tls).toEqual({ caFile, certFile, keyFile, rejectUnauthorized: true, servername: 'kafka.internal' });
    expect(kafkaSsl(c.kafka)).toEqual({ ca: [PEM_CERT], cert: PEM_CERT, key: PEM_KEY, rejectUnauthorized: true, servername: 'kafka.internal' });
  });

  it('a CA file that does not exist names the key, the variable and the reason', () => {
    const e = configError(() => loadConfig({ env: { SEQCHAIN_KAFKA_SSL: 'true', SEQCHAIN_KAFKA_TLS_CA_FILE: join(dir, 'nope.pem') } }));
    expect(e.message).toContain('kafka.tls.caFile: cannot read file');
    expect(e.message).toContain('ENOENT');
    expect(e.message).toContain('SEQCHAIN_KAFKA_TLS_CA_FILE');
    expect(e.details.key).toBe('kafka.tls.caFile');
  });

  it('a directory is not a key file', () => {
    const e = configError(() => loadConfig({ env: { SEQCHAIN_KAFKA_SSL: 'true', SEQCHAIN_KAFKA_TLS_CERT_FILE: certFile, SEQCHAIN_KAFKA_TLS_KEY_FILE: dir } }));
    expect(e.message).toContain('kafka.tls.keyFile: cannot read file');
    expect(e.message).toContain('not a regular file');
  });

  it('TLS settings while kafka.ssl is false are an error, not a silent plaintext connection', () => {
    const e = configError(() => loadConfig({ env: { SEQCHAIN_KAFKA_TLS_CA_FILE: caFile } }));
    expect(e.message).toContain('kafka.tls.caFile: is set but kafka.ssl is false');
    const r = configError(() => loadConfig({ env: { SEQCHAIN_KAFKA_TLS_REJECT_UNAUTHORIZED: 'false' } }));
    expect(r.message).toContain('kafka.tls.rejectUnauthorized: is set but kafka.ssl is false');
  });

  it('a client certificate without its key (or the reverse) names the missing key', () => {
    const e = configError(() => loadConfig({ env: { SEQCHAIN_KAFKA_SSL: 'true', SEQCHAIN_KAFKA_TLS_CERT_FILE: certFile } }));
    expect(e.message).toContain('kafka.tls.keyFile: a client certificate needs both');
    const f = configError(() => loadConfig({ env: { SEQCHAIN_KAFKA_SSL: 'true', SEQCHAIN_KAFKA_TLS_KEY_FILE: keyFile } }));
    expect(f.message).toContain('kafka.tls.certFile: a client certificate needs both');
  });

  it('rejectUnauthorized must be a boolean; a typo under kafka.tls is named', () => {
    const e = configError(() => loadConfig({ env: { SEQCHAIN_KAFKA_SSL: 'true', SEQCHAIN_KAFKA_TLS_REJECT_UNAUTHORIZED: 'no' } }));
    expect(e.message).toContain('kafka.tls.rejectUnauthorized (from SEQCHAIN_KAFKA_TLS_REJECT_UNAUTHORIZED) must be true or false');
    const cfg = file('typo.json', JSON.stringify({ kafka: { ssl: true, tls: { caFlie: caFile } } }));
    expect(configError(() => loadConfig({ file: cfg, env: {} })).message).toContain('unknown key(s) kafka.tls.caFlie');
  });

  it('rejectUnauthorized false with ssl turns the certificate check off (and only then)', () => {
    const c = loadConfig({ env: { SEQCHAIN_KAFKA_SSL: 'true', SEQCHAIN_KAFKA_TLS_REJECT_UNAUTHORIZED: 'false' } });
    expect(kafkaSsl(c.kafka)).toEqual({ rejectUnauthorized: false });
  });

  it('a CA file that holds no PEM certificate fails when the client is built, naming the key', () => {
    const c = loadConfig({ env: { SEQCHAIN_KAFKA_SSL: 'true', SEQCHAIN_KAFKA_TLS_CA_FILE: derFile } });
    const e = configError(() => kafkaSsl(c.kafka));
    expect(e.message).toContain('kafka.tls.caFile');
    expect(e.message).toContain('no PEM "CERTIFICATE" block');
    const swapped = loadConfig({ env: { SEQCHAIN_KAFKA_SSL: 'true', SEQCHAIN_KAFKA_TLS_CERT_FILE: keyFile, SEQCHAIN_KAFKA_TLS_KEY_FILE: certFile } });
    expect(configError(() => kafkaSsl(swapped.kafka)).message).toContain('kafka.tls.certFile');
  });
});

describe('redis.password / redis.passwordFile', () => {
  it('SEQCHAIN_REDIS_PASSWORD sets redis.password; the client uses it', () => {
    const c = loadConfig({ env: { SEQCHAIN_REDIS_PASSWORD: 'pw-123' } });
    expect(c.redis.password).toBe('pw-123');
    expect(redisPassword(c.redis)).toBe('pw-123');
    expect(redisPassword(loadConfig({ env: {} }).redis)).toBeUndefined();
  });

  it('the password file’s first line, trimmed', () => {
    const f = file('redis.pw', '  s3cret-from-file  \nignored\n');
    expect(redisPassword(loadConfig({ env: { SEQCHAIN_REDIS_PASSWORD_FILE: f } }).redis)).toBe('s3cret-from-file');
    const empty = file('empty.pw', '\n');
    const e = configError(() => redisPassword(loadConfig({ env: { SEQCHAIN_REDIS_PASSWORD_FILE: empty } }).redis));
    expect(e.message).toContain('redis.passwordFile: the first line of');
  });

  it('a missing password file names the key and the variable', () => {
    const e = configError(() => loadConfig({ env: { SEQCHAIN_REDIS_PASSWORD_FILE: join(dir, 'missing.pw') } }));
    expect(e.message).toContain('redis.passwordFile: cannot read file');
    expect(e.message).toContain('SEQCHAIN_REDIS_PASSWORD_FILE');
  });

  it('the password in two places is an error naming both', () => {
    const e = configError(() => loadConfig({ env: { SEQCHAIN_REDIS_URL: 'redis://:inurl@127.0.0.1:6379', SEQCHAIN_REDIS_PASSWORD: 'other' } }));
    expect(e.message).toContain('redis.password: the Redis password is given twice (redis.url and redis.password)');
    const f = file('both.pw', 'x\n');
    const g = configError(() => loadConfig({ env: { SEQCHAIN_REDIS_PASSWORD: 'a', SEQCHAIN_REDIS_PASSWORD_FILE: f } }));
    expect(g.message).toContain('redis.passwordFile: the Redis password is given twice');
    // A user name without a password in the URL is not a password.
    expect(loadConfig({ env: { SEQCHAIN_REDIS_URL: 'redis://app@127.0.0.1:6379', SEQCHAIN_REDIS_PASSWORD: 'p' } }).redis.password).toBe('p');
  });
});

describe('secrets never reach a log line', () => {
  it('a whole configuration logged as `config`, and a bare `password`, are redacted', () => {
    const out = join(dir, 'log.jsonl');
    const fd = openSync(out, 'w');
    const logger = createLogger({ level: 'info', fd });
    const config = loadConfig({
      env: {
        SEQCHAIN_KAFKA_SASL_MECHANISM: 'scram-sha-512',
        SEQCHAIN_KAFKA_SASL_USERNAME: 'u',
        SEQCHAIN_KAFKA_SASL_PASSWORD: 'sasl-secret-1',
        SEQCHAIN_ZK_AUTH: 'seq:zk-secret-2',
        SEQCHAIN_REDIS_PASSWORD: 'redis-secret-3',
        SEQCHAIN_API_TOKEN: 'api-token-secret-4567',
      },
    });
    logger.info({ config }, 'config');
    logger.info({ password: 'bare-secret-5' }, 'bare');
    logger.info({ redis: { password: 'nested-secret-6' }, sasl: { password: 'nested-secret-7' } }, 'nested');
    closeSync(fd);
    const text = readFileSync(out, 'utf8');
    for (const secret of ['sasl-secret-1', 'zk-secret-2', 'redis-secret-3', 'api-token-secret-4567', 'bare-secret-5', 'nested-secret-6', 'nested-secret-7']) {
      expect(text, secret).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
    expect(text.split('\n').filter(Boolean)).toHaveLength(3);
  });
});
