import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configuredVerifierKeys, loadLogSigners } from '../../../src/config/log-key.js';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { CosignatureSigner, NoteSigner } from '../../../src/tlog/index.js';

const dir = mkdtempSync(join(tmpdir(), 'seqchain-log-key-'));
const ORIGIN = 'example.com/config-test';

function keyFile(name: string, text: string, mode = 0o600): string {
  const file = join(dir, name);
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
  return file;
}

describe('logView configuration', () => {
  it('is off by default, and needs an origin when on', () => {
    expect(loadConfig({ env: {} }).logView).toEqual({ enabled: false, witnesses: [], witnessIntervalMs: 1_000 });
    expect(() => loadConfig({ env: { SEQCHAIN_LOG_VIEW_ENABLED: 'true' } })).toThrow(
      /^invalid configuration: logView\.origin: is required when logView\.enabled is true/,
    );
    expect(() => loadConfig({ env: { SEQCHAIN_LOG_VIEW_ORIGIN: 'has space' } })).toThrow(/logView\.origin: expected a non-empty name/);
  });

  it('refuses a verifier key that does not parse or names another origin', () => {
    const other = NoteSigner.fromSeed('example.com/other', Buffer.alloc(32, 3)).verifierKey;
    expect(() => loadConfig({ env: { SEQCHAIN_LOG_VIEW_VERIFIER_KEY: 'nope' } })).toThrow(/logView\.verifierKey\.0: verifier key: "nope": expected <name>/);
    expect(() => loadConfig({ env: { SEQCHAIN_LOG_VIEW_ORIGIN: ORIGIN, SEQCHAIN_LOG_VIEW_VERIFIER_KEY: other } })).toThrow(
      /logView\.verifierKey: names another key than the origin/,
    );
  });
});

describe('logView.witnesses', () => {
  const witness = CosignatureSigner.fromSeed('witness.example/w1', Buffer.alloc(32, 9));
  const env = (list: unknown) => ({ SEQCHAIN_LOG_VIEW_WITNESSES: JSON.stringify(list) });

  it('takes a JSON list of { url, verifierKey } from the environment', () => {
    const list = [{ url: 'http://127.0.0.1:7380', verifierKey: witness.verifierKey }];
    expect(loadConfig({ env: { ...env(list), SEQCHAIN_LOG_VIEW_WITNESS_INTERVAL_MS: '250' } }).logView).toMatchObject({
      witnesses: list,
      witnessIntervalMs: 250,
    });
  });

  it('refuses a witness key that is not a tlog-cosignature/v1 key, a bad URL, JSON that does not parse, too short an interval', () => {
    const logKey = NoteSigner.fromSeed('witness.example/w1', Buffer.alloc(32, 9)).verifierKey;
    expect(() => loadConfig({ env: env([{ url: 'http://w', verifierKey: logKey }]) })).toThrow(
      /^invalid configuration: logView\.witnesses\.0\.verifierKey: witness key: .*type 0x01 is not a tlog-cosignature\/v1 Ed25519 key \(0x04\)/,
    );
    expect(() => loadConfig({ env: env([{ url: 'ftp://w', verifierKey: witness.verifierKey }]) })).toThrow(/logView\.witnesses\.0\.url/);
    expect(() => loadConfig({ env: { SEQCHAIN_LOG_VIEW_WITNESSES: '[{' } })).toThrow(
      /logView\.witnesses \(from SEQCHAIN_LOG_VIEW_WITNESSES\) must be a JSON list/,
    );
    expect(() => loadConfig({ env: { SEQCHAIN_LOG_VIEW_WITNESS_INTERVAL_MS: '10' } })).toThrow(/logView\.witnessIntervalMs/);
  });
});

describe('loadLogSigners', () => {
  const signer = NoteSigner.fromSeed(ORIGIN, Buffer.alloc(32, 5));
  const good = keyFile('good.key', `${signer.format()}\n`);

  it('is null with the log view off, and the key with it on', () => {
    expect(loadLogSigners({ enabled: false, origin: ORIGIN, signingKeyFile: good })).toBeNull();
    expect(loadLogSigners({ enabled: true, origin: ORIGIN, signingKeyFile: good })?.map((s) => s.verifierKey)).toEqual([signer.verifierKey]);
  });

  it('fails with one line naming the setting when the log view is on without a key file', () => {
    const err = (() => {
      try {
        loadLogSigners({ enabled: true, origin: ORIGIN });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).not.toContain('\n');
    expect(err!.message).toMatch(/^invalid configuration: logView\.signingKeyFile is required when logView\.enabled is true/);
  });

  it('refuses a key file others may read (0644), naming the file and never the key', () => {
    const loose = keyFile('loose.key', `${signer.format()}\n`, 0o644);
    expect(() => loadLogSigners({ enabled: true, origin: ORIGIN, signingKeyFile: loose })).toThrow(/loose permissions \(mode 0644\)/);
    try {
      loadLogSigners({ enabled: true, origin: ORIGIN, signingKeyFile: loose });
    } catch (e) {
      expect((e as Error).message).not.toContain(signer.format().split('+').at(-1));
    }
  });

  it('refuses a file that holds no signer key, or a key named otherwise than the origin, without showing it', () => {
    const bad = keyFile('bad.key', 'PRIVATE+KEY+x+00000000+AAAA\n');
    expect(() => loadLogSigners({ enabled: true, origin: ORIGIN, signingKeyFile: bad })).toThrow(
      /bad\.key does not hold a signer key: signer key: the signer key is malformed/,
    );
    const named = keyFile('named.key', `${NoteSigner.fromSeed('example.com/else', Buffer.alloc(32, 5)).format()}\n`);
    const err = (() => {
      try {
        loadLogSigners({ enabled: true, origin: ORIGIN, signingKeyFile: named });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/is named "example\.com\/else", not logView\.origin/);
    expect(err?.message).not.toContain(readFileSync(named, 'utf8').trim().split('+').at(-1));
  });

  it("gives verifiers the configured key, or the key file's public half", () => {
    expect(configuredVerifierKeys({ enabled: false, verifierKey: signer.verifierKey })).toMatchObject({ source: 'logView.verifierKey' });
    expect(configuredVerifierKeys({ enabled: false, origin: ORIGIN, signingKeyFile: good })?.keys.map((k) => k.verifierKey)).toEqual([signer.verifierKey]);
    expect(configuredVerifierKeys({ enabled: false })).toBeNull();
    expect(statSync(good).mode & 0o777).toBe(0o600);
  });

  it('takes several key files during a rotation, each signing, and refuses one the verifier keys do not name or a repeat', () => {
    const next = NoteSigner.fromSeed(ORIGIN, Buffer.alloc(32, 6));
    const nextFile = keyFile('next.key', `${next.format()}\n`);
    const both = loadLogSigners({ enabled: true, origin: ORIGIN, signingKeyFile: [nextFile, good], verifierKey: [next.verifierKey, signer.verifierKey] });
    expect(both?.map((s) => s.verifierKey)).toEqual([next.verifierKey, signer.verifierKey]);
    expect(() => loadLogSigners({ enabled: true, origin: ORIGIN, signingKeyFile: [nextFile, good], verifierKey: next.verifierKey })).toThrow(
      /good\.key is not one logView\.verifierKey names/,
    );
    expect(() => loadLogSigners({ enabled: true, origin: ORIGIN, signingKeyFile: [good, good] })).toThrow(/names the same key twice/);
    expect(configuredVerifierKeys({ enabled: false, origin: ORIGIN, signingKeyFile: [nextFile, good] })?.keys).toHaveLength(2);
  });

  it('reads comma-separated lists from the environment', () => {
    const next = NoteSigner.fromSeed(ORIGIN, Buffer.alloc(32, 6));
    const config = loadConfig({
      env: {
        SEQCHAIN_LOG_VIEW_ORIGIN: ORIGIN,
        SEQCHAIN_LOG_VIEW_VERIFIER_KEY: `${next.verifierKey},${signer.verifierKey}`,
        SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: good,
      },
    });
    expect(config.logView.verifierKey).toEqual([next.verifierKey, signer.verifierKey]);
    expect(config.logView.signingKeyFile).toEqual([good]);
  });
});
