/**
 * A keyring: the AES-256 keys of sealed payloads by key id, the first one sealing, every one
 * opening (rotation: add a new key at the top, keep the old ones until nothing sealed under them is
 * read any more). The key file format (`parseKeyring`) is documented in docs/CONSUMING.md.
 *
 * Key bytes never leave it: they are held as KeyObjects, and a keyring prints (inspect, JSON, a
 * log line) as its key ids only. Pure: no I/O (src/config/key-file.ts reads the file).
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError } from '../errors.js';

export const SEAL_KEY_BYTES = 32;
/** A key id: 1 to 64 ASCII letters, digits and `.`, `_`, `:`, `-`, starting with a letter or digit (it goes in a header and a text file). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export interface KeyringEntry {
  id: string;
  key: Buffer;
}

export class Keyring {
  readonly #keys: Map<string, KeyObject>;
  /** The key new values are sealed with: the first of the keyring. */
  readonly sealingKeyId: string;

  private constructor(keys: Map<string, KeyObject>, sealingKeyId: string) {
    this.#keys = keys;
    this.sealingKeyId = sealingKeyId;
  }

  /**
   * A keyring from raw keys (e.g. from a KMS); the first seals. Throws ConfigError on an empty
   * list, a bad or repeated id, or a key that is not 32 bytes; the message never holds key bytes.
   */
  static fromKeys(entries: readonly KeyringEntry[], source = 'keyring'): Keyring {
    return Keyring.build(
      entries.map((e, i) => ({ ...e, where: `${source}: key ${i + 1}` })),
      source,
    );
  }

  /** @internal the shared checks of fromKeys and parseKeyring; `where` names the entry in errors. */
  static build(entries: readonly (KeyringEntry & { where: string })[], source: string): Keyring {
    if (entries.length === 0) throw new ConfigError(`${source}: holds no key (one \`<key-id> <key>\` per line, the first one seals)`, { source });
    const keys = new Map<string, KeyObject>();
    for (const { id, key, where } of entries) {
      if (typeof id !== 'string' || !KEY_ID_PATTERN.test(id))
        throw new ConfigError(`${where}: the key id must be 1 to 64 of A-Z a-z 0-9 . _ : - (starting with a letter or digit)`, { source });
      if (keys.has(id)) throw new ConfigError(`${where}: key id ${id} appears twice`, { source, keyId: id });
      if (!Buffer.isBuffer(key) || key.length !== SEAL_KEY_BYTES)
        throw new ConfigError(`${where}: key ${id} is not ${SEAL_KEY_BYTES} bytes (AES-256)`, { source, keyId: id });
      keys.set(id, createSecretKey(Buffer.from(key)));
    }
    return new Keyring(keys, entries[0]!.id);
  }

  /** Every key id, the sealing one first. */
  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /** @internal for sealed-value-v1.ts. */
  keyObject(keyId: string): KeyObject | undefined {
    return this.#keys.get(keyId);
  }

  toJSON(): { sealingKeyId: string; keyIds: string[] } {
    return { sealingKeyId: this.sealingKeyId, keyIds: this.ids };
  }

  [inspect.custom](): string {
    return `Keyring { sealingKeyId: ${JSON.stringify(this.sealingKeyId)}, keyIds: ${JSON.stringify(this.ids)} }`;
  }
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Parses a key file: one key per line, `<key-id> <key>`, the key as 64 hex digits or 44
 * characters of standard base64 (`openssl rand -hex 32`, `openssl rand -base64 32`); blank lines
 * and lines starting with `#` are skipped; the first key seals. Errors are ConfigErrors naming
 * `source` (the file) and the line, never its content.
 */
export function parseKeyring(text: string, source: string): Keyring {
  const entries: (KeyringEntry & { where: string })[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${source} line ${i + 1}`;
    const fields = line.split(/\s+/);
    if (fields.length !== 2) throw new ConfigError(`${where}: expected \`<key-id> <key>\` (two fields), found ${fields.length}`, { source, line: i + 1 });
    const [id, encoded] = fields as [string, string];
    const key = HEX_KEY.test(encoded) ? Buffer.from(encoded, 'hex') : BASE64_KEY.test(encoded) ? Buffer.from(encoded, 'base64') : null;
    if (key === null)
      throw new ConfigError(`${where}: the key of ${KEY_ID_PATTERN.test(id) ? id : 'this line'} is not 32 bytes as 64 hex digits or 44 base64 characters`, {
        source,
        line: i + 1,
      });
    entries.push({ id, key, where });
  });
  return Keyring.build(entries, source);
}
