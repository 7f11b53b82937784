import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKeyring } from '../../../src/config/key-file.js';
import { ConfigError } from '../../../src/errors.js';
import { Keyring, parseKeyring } from '../../../src/seal/keyring.js';
import { thrown } from '../../helpers/thrown.js';

const HEX = 'ab'.repeat(32);
const B64 = Buffer.alloc(32, 7).toString('base64');

const configError = (fn: () => unknown) => thrown(ConfigError, fn);

describe('parseKeyring (the key file format)', () => {
  it('one `<key-id> <key>` per line, hex or base64, comments and blank lines skipped, the first key seals', () => {
    const ring = parseKeyring(`# rotated 2026-12\n\n  k2   ${B64}  \r\nk1\t${HEX}\n`, 'keys');
    expect(ring.sealingKeyId).toBe('k2');
    expect(ring.ids).toEqual(['k2', 'k1']);
    expect(ring.has('k1')).toBe(true);
    expect(ring.has('k3')).toBe(false);
  });

  it.each([
    ['an empty file', '', /keys: holds no key/],
    ['only comments', '# nothing\n\n', /keys: holds no key/],
    ['one field', `k1\n`, /keys line 1: expected `<key-id> <key>` \(two fields\), found 1/],
    ['three fields', `k1 ${HEX} extra\n`, /keys line 1: .*found 3/],
    ['a short hex key', `# c\nk1 ${'ab'.repeat(31)}\n`, /keys line 2: the key of k1 is not 32 bytes/],
    ['a long base64 key', `k1 ${Buffer.alloc(33).toString('base64')}\n`, /keys line 1: the key of k1 is not 32 bytes/],
    ['a bad key id', `k 1 ${HEX}\n`, /keys line 1: expected/],
    ['a key id with a bad character', `k/1 ${HEX}\n`, /keys line 1: the key id must be/],
    ['a repeated key id', `k1 ${HEX}\n\nk1 ${B64}\n`, /keys line 3: key id k1 appears twice/],
  ])('%s is refused, naming the file and line', (_what, text, message) => {
    const e = configError(() => parseKeyring(text, 'keys'));
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain(HEX);
    expect(e.message).not.toContain(B64);
  });

  it('Keyring.fromKeys checks the same rules for keys given as bytes', () => {
    expect(configError(() => Keyring.fromKeys([])).message).toMatch(/holds no key/);
    expect(configError(() => Keyring.fromKeys([{ id: 'k1', key: Buffer.alloc(16) }])).message).toMatch(/keyring: key 1: key k1 is not 32 bytes/);
    expect(Keyring.fromKeys([{ id: 'k1', key: Buffer.alloc(32) }]).sealingKeyId).toBe('k1');
  });
});

describe('loadKeyring (a key file on disk)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqchain-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, mode: number, text = `k1 ${HEX}\n`) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode });
    chmodSync(path, mode);
    return path;
  };

  it('reads a 0600, 0400 or 0700 file, and through a symlink (how secret volumes mount)', () => {
    expect(loadKeyring(file('ok', 0o600)).ids).toEqual(['k1']);
    expect(loadKeyring(file('ro', 0o400)).ids).toEqual(['k1']);
    expect(loadKeyring(file('rwx', 0o700)).ids).toEqual(['k1']);
    const link = join(dir, 'link');
    symlinkSync(join(dir, 'ok'), link);
    expect(loadKeyring(link).ids).toEqual(['k1']);
  });

  it.each(['644', '604', '640', '660', '666', '602'])('refuses mode 0%s (its own file: no group or other access), naming the flag and the file', (octal) => {
    const path = file(`loose-${octal}`, Number.parseInt(octal, 8));
    const e = configError(() => loadKeyring(path, '--key-file'));
    expect(e.message).toContain('--key-file');
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/loose permissions \(mode 0\d+\)/);
    expect(e.details).toMatchObject({ key: '--key-file', file: path });
  });

  it('a missing file and a directory are refused with the file named', () => {
    expect(configError(() => loadKeyring(join(dir, 'none'), '--seal-key-file')).message).toMatch(/--seal-key-file: cannot read .*none/);
    expect(configError(() => loadKeyring(dir, '--seal-key-file')).message).toMatch(/is not a regular file/);
  });

  it('a bad line is named with the file path and line number', () => {
    const path = file('bad', 0o600, `k1 ${HEX}\nk2 nothex\n`);
    expect(configError(() => loadKeyring(path)).message).toBe(`${path} line 2: the key of k2 is not 32 bytes as 64 hex digits or 44 base64 characters`);
  });
});

describe('the key file example of docs/CONSUMING.md', () => {
  it('parses: two keys, the first one seals', () => {
    const doc = readFileSync(new URL('../../../docs/CONSUMING.md', import.meta.url), 'utf8');
    const block = /### Key files and rotation[\s\S]*?```\n([\s\S]*?)```/.exec(doc);
    expect(block).not.toBeNull();
    const ring = parseKeyring(block![1]!, 'CONSUMING.md');
    expect(ring.ids).toEqual(['2026-12', '2026-06']);
    expect(ring.sealingKeyId).toBe('2026-12');
  });
});
