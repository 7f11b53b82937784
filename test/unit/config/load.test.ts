import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaults } from '../../../src/config/defaults.js';
import { ENV_KEYS, loadConfig } from '../../../src/config/load.js';
import { configError } from './config-error.js';

// Every test passes an explicit `env` object: nothing here reads or depends on process.env.
const dir = mkdtempSync(join(tmpdir(), 'seqchain-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function jsonFile(content: unknown): string {
  const file = join(dir, `config-${++files}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('loadConfig: defaults', () => {
  it('returns the defaults when nothing is given', () => {
    const c = loadConfig({ env: {} });
    expect(c.chain).toBe(defaults.chain);
    expect(c.kafka.brokers).toEqual(defaults.kafka.brokers);
    expect(c.zookeeper.connect).toBe(defaults.zookeeper.connect);
    expect(c.zookeeper.sessionTimeoutMs).toBe(4_000);
    expect(c.worker.sessionTimeoutMs).toBe(6_000);
    expect(c.sequencer.cutIntervalMs).toBe(5);
    expect(c.redis.url).toBe(defaults.redis.url);
    expect(c.kafka.sasl).toBeUndefined();
    expect(c.zookeeper.auth).toBeUndefined();
  });

  it('derives a valid replica id from the host name and pid', () => {
    const c = loadConfig({ env: {} });
    expect(c.replicaId).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(c.replicaId.endsWith(`-${process.pid}`)).toBe(true);
  });

  it('does not change the shared defaults object', () => {
    const before = JSON.stringify(defaults);
    loadConfig({ env: { SEQCHAIN_KAFKA_BROKERS: 'h:1', SEQCHAIN_CHAIN: 'other' } });
    expect(JSON.stringify(defaults)).toBe(before);
  });
});

describe('loadConfig: precedence defaults < file < environment < flags', () => {
  const file = () =>
    jsonFile({
      chain: 'from-file',
      replicaId: 'file-replica',
      kafka: { brokers: ['file:1'], clientId: 'file-client' },
      sequencer: { cutIntervalMs: 7, maxCutRecords: 100 },
      log: { level: 'warn' },
    });

  it('a file overrides the defaults and keeps the sibling defaults of a nested object', () => {
    const c = loadConfig({ file: file(), env: {} });
    expect(c.chain).toBe('from-file');
    expect(c.replicaId).toBe('file-replica');
    expect(c.kafka.brokers).toEqual(['file:1']);
    expect(c.kafka.clientId).toBe('file-client');
    expect(c.kafka.requestTimeoutMs).toBe(defaults.kafka.requestTimeoutMs);
    expect(c.sequencer.cutIntervalMs).toBe(7);
    expect(c.sequencer.gapTimeoutMs).toBe(defaults.sequencer.gapTimeoutMs);
  });

  it('the environment overrides the file', () => {
    const c = loadConfig({ file: file(), env: { SEQCHAIN_CHAIN: 'from-env', SEQCHAIN_CUT_INTERVAL_MS: '9', SEQCHAIN_KAFKA_BROKERS: 'env:2' } });
    expect(c.chain).toBe('from-env');
    expect(c.sequencer.cutIntervalMs).toBe(9);
    expect(c.kafka.brokers).toEqual(['env:2']);
    // keys the environment does not set still come from the file
    expect(c.sequencer.maxCutRecords).toBe(100);
    expect(c.log.level).toBe('warn');
  });

  it('flags override the environment (string flags are coerced like environment values)', () => {
    const c = loadConfig({
      file: file(),
      env: { SEQCHAIN_CHAIN: 'from-env', SEQCHAIN_CUT_INTERVAL_MS: '9', SEQCHAIN_LOG_LEVEL: 'error' },
      overrides: { chain: 'from-flag', 'kafka.brokers': 'flag:3,flag:4', 'sequencer.cutIntervalMs': '11', 'log.level': undefined },
    });
    expect(c.chain).toBe('from-flag');
    expect(c.kafka.brokers).toEqual(['flag:3', 'flag:4']);
    expect(c.sequencer.cutIntervalMs).toBe(11);
    // an undefined flag is "not given": the environment's value stays
    expect(c.log.level).toBe('error');
  });

  it('SEQCHAIN_CONFIG in the given env names the file; an explicit file wins over it', () => {
    const fromEnv = jsonFile({ chain: 'env-named-file' });
    expect(loadConfig({ env: { SEQCHAIN_CONFIG: fromEnv } }).chain).toBe('env-named-file');
    expect(loadConfig({ file: file(), env: { SEQCHAIN_CONFIG: fromEnv } }).chain).toBe('from-file');
  });

  it("a command's own defaults replace the built-in ones, under the file, the environment and the flags", () => {
    const warn = { 'log.level': 'warn' };
    expect(loadConfig({ env: {} }).log.level).toBe('info');
    expect(loadConfig({ env: {}, defaults: warn }).log.level).toBe('warn');
    expect(loadConfig({ env: {}, defaults: warn, file: jsonFile({ log: { level: 'error' } }) }).log.level).toBe('error');
    expect(loadConfig({ env: { SEQCHAIN_LOG_LEVEL: 'debug' }, defaults: warn }).log.level).toBe('debug');
    expect(loadConfig({ env: {}, defaults: warn, overrides: { 'log.level': 'info' } }).log.level).toBe('info');
  });

  it('an empty environment value counts as not set', () => {
    const c = loadConfig({ file: file(), env: { SEQCHAIN_CHAIN: '', SEQCHAIN_CUT_INTERVAL_MS: '' } });
    expect(c.chain).toBe('from-file');
    expect(c.sequencer.cutIntervalMs).toBe(7);
  });
});

describe('loadConfig: coercion of environment values', () => {
  it('parses numbers', () => {
    const c = loadConfig({
      env: {
        SEQCHAIN_ZK_SESSION_TIMEOUT_MS: '5000',
        SEQCHAIN_MAX_CUT_RECORDS: '250',
        SEQCHAIN_GAP_TIMEOUT_MS: '1000',
        SEQCHAIN_WORKER_SESSION_TIMEOUT_MS: '10000',
        SEQCHAIN_KAFKA_REPLICATION_FACTOR: '3',
        SEQCHAIN_KAFKA_MIN_INSYNC_REPLICAS: '2',
      },
    });
    expect(c.zookeeper.sessionTimeoutMs).toBe(5_000);
    expect(c.sequencer.maxCutRecords).toBe(250);
    expect(c.sequencer.gapTimeoutMs).toBe(1_000);
    expect(c.worker.sessionTimeoutMs).toBe(10_000);
    expect(c.kafka.replicationFactor).toBe(3);
    expect(c.kafka.minInsyncReplicas).toBe(2);
  });

  it('parses booleans: exactly "true" or "false"', () => {
    expect(loadConfig({ env: { SEQCHAIN_KAFKA_SSL: 'true' } }).kafka.ssl).toBe(true);
    expect(loadConfig({ env: { SEQCHAIN_KAFKA_SSL: 'false' } }).kafka.ssl).toBe(false);
    const e = configError(() => loadConfig({ env: { SEQCHAIN_KAFKA_SSL: 'yes' } }));
    expect(e.message).toContain('kafka.ssl');
    expect(e.message).toContain('SEQCHAIN_KAFKA_SSL');
  });

  it('splits lists on commas, trimming blanks', () => {
    const c = loadConfig({ env: { SEQCHAIN_KAFKA_BROKERS: ' a.example:9092, b.example:9093 ,,c:1 ' } });
    expect(c.kafka.brokers).toEqual(['a.example:9092', 'b.example:9093', 'c:1']);
  });

  it('assembles SASL from its three variables', () => {
    const c = loadConfig({ env: { SEQCHAIN_KAFKA_SASL_MECHANISM: 'scram-sha-512', SEQCHAIN_KAFKA_SASL_USERNAME: 'u', SEQCHAIN_KAFKA_SASL_PASSWORD: 'p' } });
    expect(c.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  });

  it('every ENV_KEYS entry names a key that exists in the defaults', () => {
    for (const [variable, key] of Object.entries(ENV_KEYS)) {
      expect(variable).toMatch(/^SEQCHAIN_[A-Z0-9_]+$/);
      // Walk the key through the defaults; kafka.sasl.* stop at `sasl`, an optional object whose default is undefined.
      let node: unknown = defaults;
      for (const part of key.split('.')) {
        if (node === undefined) break;
        expect(Object.hasOwn(node as object, part), `${variable} → ${key}`).toBe(true);
        node = (node as Record<string, unknown>)[part];
      }
    }
  });
});

describe('loadConfig: rejections name the key', () => {
  it('an unknown key in a file', () => {
    const file = jsonFile({ kafka: { brokerz: ['h:1'] } });
    const e = configError(() => loadConfig({ file, env: {} }));
    expect(e.message).toContain('kafka.brokerz');
    expect(e.message).toContain('unknown key');
    expect(e.message).toContain(file);
  });

  it('an unknown top-level key in a file', () => {
    const e = configError(() => loadConfig({ file: jsonFile({ chian: 'typo' }), env: {} }));
    expect(e.message).toContain('chian');
  });

  it('a bad host:port in SEQCHAIN_KAFKA_BROKERS names kafka.brokers', () => {
    const e = configError(() => loadConfig({ env: { SEQCHAIN_KAFKA_BROKERS: 'a:1,localhost' } }));
    expect(e.message).toContain('kafka.brokers');
    expect(e.message).toContain('host:port');
    expect(String(e.details.key)).toMatch(/^kafka\.brokers/);
  });

  // Known bug (src/config/load.ts describeSource): the failing key is `kafka.brokers.1` (with the
  // list index), which matches no ENV_KEYS entry exactly, so the message does not say the value
  // came from SEQCHAIN_KAFKA_BROKERS. Remove `.fails` when that is fixed.
  it('a bad host:port in SEQCHAIN_KAFKA_BROKERS also names the environment variable', () => {
    const e = configError(() => loadConfig({ env: { SEQCHAIN_KAFKA_BROKERS: 'a:1,localhost' } }));
    expect(e.message).toContain('SEQCHAIN_KAFKA_BROKERS');
  });

  it('a non-numeric SEQCHAIN_CUT_INTERVAL_MS', () => {
    const e = configError(() => loadConfig({ env: { SEQCHAIN_CUT_INTERVAL_MS: 'fast' } }));
    expect(e.message).toContain('sequencer.cutIntervalMs');
    expect(e.message).toContain('SEQCHAIN_CUT_INTERVAL_MS');
    expect(e.message).toContain('fast');
    expect(e.details.key).toBe('sequencer.cutIntervalMs');
  });

  it('a number out of range names the key and the variable', () => {
    const e = configError(() => loadConfig({ env: { SEQCHAIN_ZK_SESSION_TIMEOUT_MS: '500' } }));
    expect(e.message).toContain('zookeeper.sessionTimeoutMs');
    expect(e.message).toContain('SEQCHAIN_ZK_SESSION_TIMEOUT_MS');
  });

  it('kafka.minInsyncReplicas above kafka.replicationFactor names the key, both numbers and the variable', () => {
    const e = configError(() => loadConfig({ env: { SEQCHAIN_KAFKA_REPLICATION_FACTOR: '2', SEQCHAIN_KAFKA_MIN_INSYNC_REPLICAS: '3' } }));
    expect(e.message).toContain('kafka.minInsyncReplicas: is 3, more than kafka.replicationFactor (2)');
    expect(e.message).toContain('SEQCHAIN_KAFKA_MIN_INSYNC_REPLICAS');
    expect(e.details.key).toBe('kafka.minInsyncReplicas');
    expect(loadConfig({ env: { SEQCHAIN_KAFKA_REPLICATION_FACTOR: '3', SEQCHAIN_KAFKA_MIN_INSYNC_REPLICAS: '3' } }).kafka.minInsyncReplicas).toBe(3);
  });

  it('zookeeper.acl not in the enum', () => {
    const e = configError(() => loadConfig({ env: { SEQCHAIN_ZK_ACL: 'world' } }));
    expect(e.message).toContain('zookeeper.acl');
    expect(e.message).toContain('SEQCHAIN_ZK_ACL');
    expect(e.details.key).toBe('zookeeper.acl');
    const fromFile = configError(() => loadConfig({ file: jsonFile({ zookeeper: { acl: 'digest' } }), env: {} }));
    expect(fromFile.message).toContain('zookeeper.acl');
  });

  it('a wrong type in a file names the key', () => {
    const e = configError(() => loadConfig({ file: jsonFile({ sequencer: { cutIntervalMs: '5' } }), env: {} }));
    expect(e.message).toContain('sequencer.cutIntervalMs');
  });

  it('an unreadable file path', () => {
    const missing = join(dir, 'does-not-exist.json');
    const e = configError(() => loadConfig({ file: missing, env: {} }));
    expect(e.message).toContain(missing);
    expect(e.message).toContain('cannot read');
    expect(e.details.file).toBe(missing);
  });

  it('a directory given as the file', () => {
    const e = configError(() => loadConfig({ file: dir, env: {} }));
    expect(e.message).toContain(dir);
  });

  it('invalid JSON', () => {
    const file = jsonFile('{ "chain": "x", }');
    const e = configError(() => loadConfig({ file, env: {} }));
    expect(e.message).toContain(file);
    expect(e.message).toContain('not valid JSON');
  });

  it('JSON whose top level is not an object', () => {
    for (const text of ['[1, 2]', '"chain"', 'null']) {
      const e = configError(() => loadConfig({ file: jsonFile(text), env: {} }));
      expect(e.message).toContain('top level must be an object');
    }
  });
});

describe('loadConfig: the result is deeply frozen', () => {
  it('freezes the root, nested objects and arrays', () => {
    const c = loadConfig({ env: { SEQCHAIN_KAFKA_SASL_MECHANISM: 'plain', SEQCHAIN_KAFKA_SASL_USERNAME: 'u', SEQCHAIN_KAFKA_SASL_PASSWORD: 'p' } });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.kafka)).toBe(true);
    expect(Object.isFrozen(c.kafka.brokers)).toBe(true);
    expect(Object.isFrozen(c.kafka.sasl)).toBe(true);
    expect(Object.isFrozen(c.zookeeper)).toBe(true);
    expect(Object.isFrozen(c.sequencer)).toBe(true);
    // ES modules run in strict mode: writes to a frozen object throw
    expect(() => {
      (c as { chain: string }).chain = 'x';
    }).toThrow(TypeError);
    expect(() => {
      (c.kafka.brokers as string[]).push('h:1');
    }).toThrow(TypeError);
  });
});
