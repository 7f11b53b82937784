/**
 * C2SP tlog-cosignature/v1, Ed25519 (https://c2sp.org/tlog-cosignature): a witness's statement
 * that, as of a time, a checkpoint is the largest consistent tree head it has seen for the log.
 *
 *   signed message = "cosignature/v1\n" ‖ "time <unix seconds>\n" ‖ checkpoint note text
 *   signature line = — <name> base64(key ID ‖ u64be timestamp ‖ 64-byte Ed25519 signature)
 *   key ID         = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte public key)[:4]   (signed-note type 0x04)
 *   verifier key   = <name>+<hex8 key ID>+<base64(0x04 ‖ public key)>
 *   signer key     = PRIVATE+KEY+<name>+<hex8 key ID>+<base64(0x04 ‖ 32-byte seed)>
 *
 * The signer key form is the one transparency-dev/formats' NewSignerForCosignatureV1 reads. A
 * cosignature is an ordinary note signature line, so a cosignature verifier is a NoteVerifier:
 * `openNote(note, [logKey, witnessKey])` checks both. The ML-DSA-44 type (0x06) is not built.
 */
import * as crypto from 'node:crypto';
import { MalformedMessageError } from '../errors.js';
import {
  Ed25519Signer,
  ed25519PublicKey,
  hex8,
  isValidKeyName,
  type KeyKind,
  keyId,
  type NoteVerifier,
  parseSignerKey,
  parseVerifierKeyOf,
  decodeBase64,
} from './note-key.js';
import type { NoteSignature } from './signed-note.js';

export const COSIGNATURE_V1_TYPE = 0x04;
const KEY_BYTES = 32;
const TIMESTAMP_BYTES = 8;
const SIGNATURE_BYTES = 64;
/** The spec caps the timestamp at 2^63 − 1; a JavaScript number is exact up to 2^53 − 1, far beyond any real time. */
const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

/** The message an Ed25519 cosignature/v1 signs: the header line, the time line, then the note text. */
export function cosignedMessage(timestamp: number, text: string): Buffer {
  checkTimestamp(timestamp);
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${text}`, 'utf8');
}

function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > MAX_TIMESTAMP) {
    throw new MalformedMessageError('tlog-cosignature', `timestamp ${String(timestamp)} is not a POSIX time in seconds`, { field: 'timestamp' });
  }
}

export function cosignatureKeyId(name: string, publicKey: Buffer): number {
  return keyId(name, publicKey, COSIGNATURE_V1_TYPE);
}

export function formatCosignatureVerifierKey(name: string, publicKey: Buffer): string {
  if (!isValidKeyName(name))
    throw new MalformedMessageError('witness key', `key name ${JSON.stringify(name)} is empty or holds a space or '+'`, { field: 'name' });
  if (!Buffer.isBuffer(publicKey) || publicKey.length !== KEY_BYTES)
    throw new MalformedMessageError('witness key', `an Ed25519 public key is ${KEY_BYTES} bytes`, { field: 'key' });
  const id = hex8(cosignatureKeyId(name, publicKey));
  return `${name}+${id}+${Buffer.concat([Buffer.from([COSIGNATURE_V1_TYPE]), publicKey]).toString('base64')}`;
}

/** A cosignature/v1 verifier; `verify` takes the note text and the signature bytes after the key ID (timestamp ‖ signature). */
export interface CosignatureVerifier extends NoteVerifier {
  readonly type: typeof COSIGNATURE_V1_TYPE;
}

function verifierFrom(name: string, publicKey: Buffer): CosignatureVerifier {
  let key: crypto.KeyObject;
  try {
    key = ed25519PublicKey(publicKey);
  } catch (err) {
    throw new MalformedMessageError('witness key', `key ${name}: not an Ed25519 public key (${(err as Error).message})`, { field: 'key', name });
  }
  return Object.freeze({
    type: COSIGNATURE_V1_TYPE,
    name,
    keyId: cosignatureKeyId(name, publicKey),
    verifierKey: formatCosignatureVerifierKey(name, publicKey),
    publicKey: Buffer.from(publicKey),
    verify: (text: Buffer, signature: Buffer) => {
      if (signature.length !== TIMESTAMP_BYTES + SIGNATURE_BYTES) return false;
      const timestamp = signature.readBigUInt64BE(0);
      if (timestamp > BigInt(MAX_TIMESTAMP)) return false;
      const message = Buffer.concat([Buffer.from(`cosignature/v1\ntime ${timestamp}\n`, 'utf8'), text]);
      return crypto.verify(null, message, key, signature.subarray(TIMESTAMP_BYTES));
    },
  });
}

const WITNESS_KEY: KeyKind = { type: COSIGNATURE_V1_TYPE, format: 'witness key', wrongType: 'is not a tlog-cosignature/v1 Ed25519 key (0x04)' };

/** Parses `<name>+<hex8>+<base64(0x04 ‖ key)>`; the key ID must be the one the name and key give under type 0x04. */
export function parseCosignatureVerifierKey(vkey: string): CosignatureVerifier {
  const { name, publicKey } = parseVerifierKeyOf(vkey, WITNESS_KEY);
  return verifierFrom(name, publicKey);
}

/** The timestamp a cosignature/v1 signature line carries (bytes 4..12 of its base64), or null when it is not one. */
export function cosignatureTime(sig: NoteSignature): number | null {
  const raw = decodeBase64(sig.base64);
  if (raw === null || raw.length !== 4 + TIMESTAMP_BYTES + SIGNATURE_BYTES) return null;
  const t = raw.readBigUInt64BE(4);
  return t > BigInt(MAX_TIMESTAMP) ? null : Number(t);
}

/** An Ed25519 cosigner (a witness's key, type 0x04). */
export class CosignatureSigner extends Ed25519Signer<CosignatureVerifier> {
  private constructor(name: string, key: crypto.KeyObject) {
    super(name, key, COSIGNATURE_V1_TYPE, verifierFrom);
  }

  static fromSeed(name: string, seed: Buffer): CosignatureSigner {
    return new CosignatureSigner(name, Ed25519Signer.privateKey('witness key', name, seed ?? Buffer.alloc(0)));
  }

  static generate(name: string): CosignatureSigner {
    return new CosignatureSigner(name, Ed25519Signer.privateKey('witness key', name));
  }

  /** Parses `PRIVATE+KEY+<name>+<hex8>+<base64(0x04 ‖ seed)>`. Errors name the part that is wrong, never the key's bytes. */
  static parse(skey: string): CosignatureSigner {
    // A 0x01 key is a log's checkpoint key: a witness has its own key of type 0x04 (one key, one role).
    const wrongType = 'the signature type is not tlog-cosignature/v1 Ed25519 (0x04): make a witness key with "seqchain witness-keygen"';
    return parseSignerKey(skey, { type: COSIGNATURE_V1_TYPE, format: 'witness key', what: 'witness signer key', wrongType }, CosignatureSigner.fromSeed);
  }

  /** The cosignature of checkpoint note text `text` at `timestamp` (POSIX seconds), as a note signature. */
  cosign(text: string, timestamp: number): NoteSignature {
    const sig = this.signBytes(cosignedMessage(timestamp, text));
    const raw = Buffer.alloc(4 + TIMESTAMP_BYTES);
    raw.writeUInt32BE(this.keyId, 0);
    raw.writeBigUInt64BE(BigInt(timestamp), 4);
    return { name: this.name, keyId: this.keyId, base64: Buffer.concat([raw, sig]).toString('base64') };
  }
}
