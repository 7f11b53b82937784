import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SealError } from '../../../src/errors.js';
import { Keyring } from '../../../src/seal/keyring.js';
import { keyIdOfHeader, openSealedValue, SEAL_KEY_ID_HEADER, SEAL_OVERHEAD_BYTES, sealValue } from '../../../src/seal/sealed-value-v1.js';
import { thrown } from '../../helpers/thrown.js';

const K1 = Buffer.alloc(32, 1);
const K2 = Buffer.alloc(32, 2);
const ring = Keyring.fromKeys([
  { id: 'k2', key: K2 },
  { id: 'k1', key: K1 },
]);
const TOPIC = 'orders';

const sealError = (fn: () => unknown) => thrown(SealError, fn);

describe('sealValue / openSealedValue (SCE1, AES-256-GCM)', () => {
  it('round trip: the sealing key is the keyring’s first; the value grows by magic, nonce and tag; the header names the key', () => {
    const sealed = sealValue(ring, TOPIC, 'payment 42');
    expect(sealed.headers).toEqual({ [SEAL_KEY_ID_HEADER]: 'k2' });
    expect(sealed.value.length).toBe(Buffer.byteLength('payment 42') + SEAL_OVERHEAD_BYTES);
    expect(sealed.value.subarray(0, 4).toString('latin1')).toBe('SCE1');
    expect(sealed.value.includes(Buffer.from('payment'))).toBe(false);
    expect(openSealedValue(ring, TOPIC, 'k2', sealed.value).toString()).toBe('payment 42');
  });

  it('an empty and a large binary plaintext round-trip', () => {
    for (const p of [Buffer.alloc(0), Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 256))]) {
      expect(openSealedValue(ring, TOPIC, 'k2', sealValue(ring, TOPIC, p).value)).toEqual(p);
    }
  });

  it('a fresh random nonce per value (across refills of the nonce pool): the same plaintext never seals to the same bytes', () => {
    const values = Array.from({ length: 2_000 }, () => sealValue(ring, TOPIC, 'same').value);
    expect(new Set(values.map((v) => v.subarray(4, 16).toString('hex'))).size).toBe(values.length);
    expect(new Set(values.map((v) => v.toString('hex'))).size).toBe(values.length);
    // Each value keeps its own nonce: a later seal (or a pool refill) does not change an earlier value.
    for (const v of values.slice(0, 300)) expect(openSealedValue(ring, TOPIC, 'k2', v).toString()).toBe('same');
  });

  it('rotation: values sealed under an older key still open with a keyring that holds it', () => {
    const old = Keyring.fromKeys([{ id: 'k1', key: K1 }]);
    const sealedOld = sealValue(old, TOPIC, 'before rotation');
    expect(openSealedValue(ring, TOPIC, 'k1', sealedOld.value).toString()).toBe('before rotation');
  });

  it('wrong key under the same id: SEQCHAIN_ERR_SEAL_OPEN_FAILED, no bytes', () => {
    const impostor = Keyring.fromKeys([{ id: 'k2', key: Buffer.alloc(32, 9) }]);
    const e = sealError(() => openSealedValue(impostor, TOPIC, 'k2', sealValue(ring, TOPIC, 'x').value));
    expect(e.code).toBe('SEQCHAIN_ERR_SEAL_OPEN_FAILED');
    expect(e.retriable).toBe(false);
    expect(e.details).toEqual({ keyId: 'k2', topic: TOPIC });
  });

  it('unknown key id: SEQCHAIN_ERR_SEAL_UNKNOWN_KEY naming the id and the ids held', () => {
    const e = sealError(() => openSealedValue(ring, TOPIC, 'k9', sealValue(ring, TOPIC, 'x').value));
    expect(e.code).toBe('SEQCHAIN_ERR_SEAL_UNKNOWN_KEY');
    expect(e.message).toContain('"k9"');
    expect(e.message).toContain('k2, k1');
  });

  it('a flipped bit anywhere (magic → malformed; nonce, ciphertext, tag → open failed)', () => {
    const value = sealValue(ring, TOPIC, 'sixteen bytes!!!').value;
    for (let i = 0; i < value.length; i++) {
      const bad = Buffer.from(value);
      bad[i]! ^= 0x01;
      const e = sealError(() => openSealedValue(ring, TOPIC, 'k2', bad));
      expect(e.code, `byte ${i}`).toBe(i < 4 ? 'SEQCHAIN_ERR_SEAL_MALFORMED' : 'SEQCHAIN_ERR_SEAL_OPEN_FAILED');
    }
  });

  it('the additional data binds topic and key id: another topic, or the value relabelled with another key id, does not open', () => {
    const value = sealValue(ring, TOPIC, 'bound').value;
    expect(sealError(() => openSealedValue(ring, 'orders-copy', 'k2', value)).code).toBe('SEQCHAIN_ERR_SEAL_OPEN_FAILED');
    // The same key bytes under two ids: only the label it was sealed under opens it.
    const twin = Keyring.fromKeys([
      { id: 'a', key: K1 },
      { id: 'b', key: K1 },
    ]);
    const v = sealValue(twin, TOPIC, 'labelled a').value;
    expect(sealError(() => openSealedValue(twin, TOPIC, 'b', v)).code).toBe('SEQCHAIN_ERR_SEAL_OPEN_FAILED');
    // Length prefixes: moving a byte from the topic into the key id changes the AAD.
    const r2 = Keyring.fromKeys([
      { id: 'sk', key: K1 },
      { id: 'k', key: K1 },
    ]);
    const w = sealValue(r2, 'order', 'x').value;
    expect(sealError(() => openSealedValue(r2, 'orders', 'k', w)).code).toBe('SEQCHAIN_ERR_SEAL_OPEN_FAILED');
  });

  it('truncated values: shorter than the envelope is malformed, a cut tag does not open', () => {
    const value = sealValue(ring, TOPIC, 'truncate me').value;
    for (const n of [0, 3, 4, 16, SEAL_OVERHEAD_BYTES - 1]) {
      const e = sealError(() => openSealedValue(ring, TOPIC, 'k2', value.subarray(0, n)));
      expect(e.code).toBe('SEQCHAIN_ERR_SEAL_MALFORMED');
      expect(e.details.reason).toBe('truncated');
    }
    expect(sealError(() => openSealedValue(ring, TOPIC, 'k2', value.subarray(0, value.length - 1))).code).toBe('SEQCHAIN_ERR_SEAL_OPEN_FAILED');
  });

  it('a value that was never sealed is malformed (no SCE1 magic)', () => {
    const e = sealError(() => openSealedValue(ring, TOPIC, 'k2', Buffer.from('plain text that is long enough to parse')));
    expect(e.code).toBe('SEQCHAIN_ERR_SEAL_MALFORMED');
    expect(e.details.reason).toBe('bad_magic');
  });

  it('keyIdOfHeader: a valid key id, else malformed', () => {
    expect(keyIdOfHeader(Buffer.from('2026-12:rot_a.b'))).toBe('2026-12:rot_a.b');
    for (const bad of [null, Buffer.alloc(0), Buffer.from('k 1'), Buffer.from([0xff]), Buffer.from('x'.repeat(65)), Buffer.from('-k')]) {
      expect(sealError(() => keyIdOfHeader(bad)).code).toBe('SEQCHAIN_ERR_SEAL_MALFORMED');
    }
  });

  it('a keyring never shows its key bytes (inspect, JSON, String)', () => {
    const shown = [inspect(ring, { depth: 10, showHidden: true }), JSON.stringify(ring), JSON.stringify({ ring }), String(ring)].join('\n');
    expect(shown).toContain('k2');
    for (const k of [K1, K2]) {
      expect(shown).not.toContain(k.toString('hex'));
      expect(shown).not.toContain(k.toString('base64'));
    }
    expect(shown).not.toMatch(/0101010101|0202020202/);
  });
});
