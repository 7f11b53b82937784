/**
 * Sealed value, format "SCE1": a record value its producer encrypted with AES-256-GCM, so that
 * only readers holding the key read the payload, while the chain (which hashes the value as
 * stored) stays verifiable by anyone, without the key. docs/CONSUMING.md, "Sealed payloads", is
 * the specification for other languages; test/fixtures/seal/sce1-v1.json pins the bytes.
 *
 *   value                    = "SCE1" ‖ nonce[12] ‖ ciphertext ‖ tag[16]   (ciphertext as long as the plaintext)
 *   header `seqchain.key-id` = the key id (ASCII, see KEY_ID_PATTERN)
 *   additional data (AAD)    = "SCE1" ‖ u32(len topic) ‖ topic ‖ u32(len keyId) ‖ keyId   (big-endian, UTF-8)
 *
 * The nonce travels with the ciphertext it belongs to (one is useless without the other, and a
 * value then holds everything but the key); the key id is in a header so a reader picks the key
 * without parsing the value. The AAD binds the topic and the key id: a value copied into another
 * topic, or relabelled with another key id, does not open. The magic doubles as the version of
 * the value layout and of the AAD: a v2 gets a new magic, and v1 values stay readable.
 *
 * Pure: node:crypto only, no I/O.
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { SealError, SeqchainError } from '../errors.js';
import { KEY_ID_PATTERN, type Keyring } from './keyring.js';

export const SEALED_VALUE_MAGIC = 'SCE1';
/** The one record header of a sealed value: which key of the keyring sealed it. */
export const SEAL_KEY_ID_HEADER = 'seqchain.key-id';
export const SEAL_NONCE_BYTES = 12;
export const SEAL_TAG_BYTES = 16;
const MAGIC = Buffer.from(SEALED_VALUE_MAGIC, 'latin1');
/** Magic, nonce and tag: what sealing adds to a value. */
export const SEAL_OVERHEAD_BYTES = MAGIC.length + SEAL_NONCE_BYTES + SEAL_TAG_BYTES;
const CIPHER = 'aes-256-gcm';

/** The parts of a sealed value. */
export interface SealedParts {
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** What a producer sends: the sealed value and the header naming its key (merge it into the record's headers). */
export interface SealedValue {
  value: Buffer;
  headers: { [SEAL_KEY_ID_HEADER]: string };
}

/** The key id a `seqchain.key-id` header carries; a header that is not a valid key id is SEQCHAIN_ERR_SEAL_MALFORMED. */
export function keyIdOfHeader(value: Buffer | null): string {
  const id = value === null ? '' : value.toString('latin1');
  if (!KEY_ID_PATTERN.test(id)) {
    throw new SealError('SEQCHAIN_ERR_SEAL_MALFORMED', `the ${SEAL_KEY_ID_HEADER} header is not a key id (1 to 64 of A-Z a-z 0-9 . _ : -)`, {
      reason: 'bad_key_id',
    });
  }
  return id;
}

/** The additional data: which topic and which key id the value was sealed for, length-prefixed so neither can bleed into the other. */
export function sealedValueAad(topic: string, keyId: string): Buffer {
  const t = Buffer.from(topic, 'utf8');
  const k = Buffer.from(keyId, 'utf8');
  const aad = Buffer.allocUnsafe(MAGIC.length + 4 + t.length + 4 + k.length);
  let pos = MAGIC.copy(aad, 0);
  pos = aad.writeUInt32BE(t.length, pos);
  pos += t.copy(aad, pos);
  pos = aad.writeUInt32BE(k.length, pos);
  k.copy(aad, pos);
  return aad;
}

export function encodeSealedValue(p: SealedParts): Buffer {
  return Buffer.concat([MAGIC, p.nonce, p.ciphertext, p.tag]);
}

/** Splits a value into its parts; a value too short or without the magic is SEQCHAIN_ERR_SEAL_MALFORMED. */
export function decodeSealedValue(value: Buffer, keyId: string): SealedParts {
  if (value.length < SEAL_OVERHEAD_BYTES) {
    throw new SealError(
      'SEQCHAIN_ERR_SEAL_MALFORMED',
      `sealed value (key ${keyId}) is ${value.length} bytes, shorter than the ${SEAL_OVERHEAD_BYTES} of an ${SEALED_VALUE_MAGIC} envelope`,
      { keyId, reason: 'truncated' },
    );
  }
  if (!value.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new SealError(
      'SEQCHAIN_ERR_SEAL_MALFORMED',
      `sealed value (key ${keyId}) does not start with ${SEALED_VALUE_MAGIC} (an unknown envelope version, or a value that was never sealed)`,
      { keyId, reason: 'bad_magic' },
    );
  }
  const end = value.length - SEAL_TAG_BYTES;
  return {
    nonce: value.subarray(MAGIC.length, MAGIC.length + SEAL_NONCE_BYTES),
    ciphertext: value.subarray(MAGIC.length + SEAL_NONCE_BYTES, end),
    tag: value.subarray(end),
  };
}

/**
 * Seals with a given nonce. Only for the byte fixtures: a nonce must never repeat under a key,
 * which `sealValue` ensures by drawing it at random.
 */
export function sealWithNonce(keyring: Keyring, topic: string, plaintext: Buffer, nonce: Buffer): SealedValue {
  // GCM takes other IV lengths too; the envelope has room for 12 bytes only.
  if (nonce.length !== SEAL_NONCE_BYTES) throw new SeqchainError('SEQCHAIN_ERR_USAGE', `sealWithNonce: the nonce must be ${SEAL_NONCE_BYTES} bytes`);
  const keyId = keyring.sealingKeyId;
  const cipher = createCipheriv(CIPHER, keyring.keyObject(keyId)!, nonce, { authTagLength: SEAL_TAG_BYTES });
  cipher.setAAD(sealedValueAad(topic, keyId));
  // GCM is a stream mode: update() returns the whole ciphertext, final() nothing (one copy less for large values).
  const ciphertext = cipher.update(plaintext);
  cipher.final();
  return { value: encodeSealedValue({ nonce, ciphertext, tag: cipher.getAuthTag() }), headers: { [SEAL_KEY_ID_HEADER]: keyId } };
}

/**
 * Random nonces drawn 256 at a time: a randomBytes(12) call per value cost more than the AES-GCM
 * of a 100-byte value (a seal took 11.4 µs with it, 5.5 µs pooled: bench/probes/seal-cost.ts).
 * Each nonce is handed out once; the pool is refilled from the CSPRNG when used up, as uuid does
 * for v4 ids.
 */
const noncePool = Buffer.allocUnsafe(SEAL_NONCE_BYTES * 256);
let noncePos = noncePool.length;

/** 12 fresh random bytes, valid until the next call (sealWithNonce copies them into the value). */
function nextNonce(): Buffer {
  if (noncePos + SEAL_NONCE_BYTES > noncePool.length) {
    randomFillSync(noncePool);
    noncePos = 0;
  }
  noncePos += SEAL_NONCE_BYTES;
  return noncePool.subarray(noncePos - SEAL_NONCE_BYTES, noncePos);
}

/**
 * Seals `plaintext` for `topic` with the keyring's sealing key and a random 96-bit nonce. Send
 * `value` as the record value and `headers` among its headers. Rotate the sealing key well before
 * 2^32 values (NIST SP 800-38D's bound for random nonces under one key).
 */
export function sealValue(keyring: Keyring, topic: string, plaintext: Buffer | string): SealedValue {
  return sealWithNonce(keyring, topic, typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext, nextNonce());
}

/**
 * Opens a sealed value of `topic` whose key-id header says `keyId`. Throws SealError:
 * SEQCHAIN_ERR_SEAL_UNKNOWN_KEY (the keyring has no such key), SEQCHAIN_ERR_SEAL_MALFORMED (not an
 * SCE1 envelope), SEQCHAIN_ERR_SEAL_OPEN_FAILED (the tag does not verify: another key under that
 * id, or the value, topic or key id altered). Never returns unauthenticated bytes.
 */
export function openSealedValue(keyring: Keyring, topic: string, keyId: string, value: Buffer): Buffer {
  const key = keyring.keyObject(keyId);
  if (key === undefined) {
    throw new SealError(
      'SEQCHAIN_ERR_SEAL_UNKNOWN_KEY',
      `sealed with key ${JSON.stringify(keyId)}, which the keyring does not hold (it holds ${keyring.ids.join(', ')})`,
      {
        keyId,
        topic,
      },
    );
  }
  const { nonce, ciphertext, tag } = decodeSealedValue(value, keyId);
  const decipher = createDecipheriv(CIPHER, key, nonce, { authTagLength: SEAL_TAG_BYTES });
  decipher.setAAD(sealedValueAad(topic, keyId));
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(ciphertext);
  try {
    decipher.final();
  } catch {
    throw new SealError(
      'SEQCHAIN_ERR_SEAL_OPEN_FAILED',
      `sealed value does not open with key ${keyId} for topic ${topic}: a different key under that id, or the value, nonce, tag, topic or key id altered`,
      { keyId, topic },
    );
  }
  return plaintext;
}
