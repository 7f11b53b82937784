/**
 * Byte-exact fixtures of the sealed value v1 (SCE1, src/seal/sealed-value-v1.ts).
 * test/fixtures/seal/sce1-v1.json holds each value's inputs and its exact bytes, written by
 * test/fixtures/seal/make_sealed_fixtures.py, an independent sealer (Python `cryptography`) built
 * from docs/CONSUMING.md. Sealing the inputs with the fixture's nonce must give exactly those
 * bytes, and opening the bytes exactly the plaintext. A failure here means the format changed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../../src/seal/keyring.js';
import { openSealedValue, SEAL_KEY_ID_HEADER, sealedValueAad, sealWithNonce } from '../../../src/seal/sealed-value-v1.js';

interface Fixture {
  name: string;
  topic: string;
  keyId: string;
  key: string;
  nonce: string;
  plaintext: string;
  aad: string;
  value: string;
}

const doc = JSON.parse(readFileSync(new URL('../../fixtures/seal/sce1-v1.json', import.meta.url), 'utf8')) as {
  format: string;
  version: number;
  header: string;
  values: Fixture[];
};
const hex = (s: string) => Buffer.from(s, 'hex');

describe('SCE1 sealed value v1 fixtures (independent Python sealer)', () => {
  it('are the v1 fixtures under the one header name, with an empty plaintext and a non-ASCII topic', () => {
    expect([doc.format, doc.version, doc.header]).toEqual(['SCE1', 1, SEAL_KEY_ID_HEADER]);
    expect(doc.values.some((v) => v.plaintext === '')).toBe(true);
    expect(doc.values.some((v) => Buffer.byteLength(v.topic) !== v.topic.length)).toBe(true);
  });

  describe.each(doc.values.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const ring = Keyring.fromKeys([{ id: v.keyId, key: hex(v.key) }]);
    it('the additional data is exactly the fixture’s', () => {
      expect(sealedValueAad(v.topic, v.keyId).toString('hex')).toBe(v.aad);
    });
    it('seals the plaintext to exactly the bytes, with the key id header', () => {
      const sealed = sealWithNonce(ring, v.topic, hex(v.plaintext), hex(v.nonce));
      expect(sealed.value.toString('hex')).toBe(v.value);
      expect(sealed.headers).toEqual({ [SEAL_KEY_ID_HEADER]: v.keyId });
    });
    it('opens the bytes to exactly the plaintext', () => {
      expect(openSealedValue(ring, v.topic, v.keyId, hex(v.value)).toString('hex')).toBe(v.plaintext);
    });
  });
});
