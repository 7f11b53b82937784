/**
 * C2SP signed-note keys (https://c2sp.org/signed-note), Ed25519 only (signature type 0x01):
 *
 *   key ID       = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key)[:4], big-endian uint32
 *   verifier key = <name>+<hex8 key ID>+<base64(0x01 ‖ public key)>
 *   signer key   = PRIVATE+KEY+<name>+<hex8 key ID>+<base64(0x01 ‖ 32-byte seed)>   (Go's sumdb/note form)
 *
 * Key names are non-empty, with no Unicode space and no '+'. A signer key is a secret: no error
 * message, detail or inspection of a NoteSigner shows its bytes.
 */
import * as crypto from 'node:crypto';
import { sha256 } from '../chain/sha256.js';
import { MalformedMessageError } from '../errors.js';

export const ED25519_TYPE = 0x01;
const KEY_BYTES = 32;
/** DER headers that wrap a raw Ed25519 seed (PKCS#8) or public key (SPKI) for node:crypto. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

const SPACE = /\p{White_Space}/u;
const LONE_SURROGATE = /\p{Cs}/u;

export function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && name !== '' && !name.includes('+') && !SPACE.test(name) && !LONE_SURROGATE.test(name);
}

function checkName(name: string, format: string): void {
  if (!isValidKeyName(name)) {
    throw new MalformedMessageError(format, `key name ${JSON.stringify(name)} is empty or holds a space or '+'`, { field: 'name' });
  }
}

/** SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]; `type` 0x04 gives a tlog-cosignature/v1 key's ID (./cosignature.ts). */
export function keyId(name: string, publicKey: Buffer, type: number = ED25519_TYPE): number {
  return sha256(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.from([type]), publicKey])).readUInt32BE(0);
}

export const hex8 = (id: number): string => id.toString(16).padStart(8, '0');

/** Strict standard base64 (RFC 4648 §4, padded): decodes only what re-encodes to the same text. */
export function decodeBase64(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

/** The first `count − 1` '+'-separated fields and the rest, or null when there are fewer. */
export function splitFields(text: string, count: number): string[] | null {
  const out: string[] = [];
  let rest = text;
  for (let i = 0; i < count - 1; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return null;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

/** A raw 32-byte Ed25519 seed as a private KeyObject (which never shows its bytes). */
export function ed25519PrivateKey(seed: Buffer): crypto.KeyObject {
  return crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

/** A raw 32-byte Ed25519 public key as a KeyObject; throws when the bytes are not a curve point. */
export function ed25519PublicKey(publicKey: Buffer): crypto.KeyObject {
  return crypto.createPublicKey({ key: Buffer.concat([SPKI_ED25519, publicKey]), format: 'der', type: 'spki' });
}

/** The raw 32-byte public half of an Ed25519 private KeyObject. */
export function ed25519RawPublicKey(key: crypto.KeyObject): Buffer {
  return Buffer.from(crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519.length));
}

/** The raw 32-byte seed of an Ed25519 private KeyObject (a secret: only for writing a key file). */
export function ed25519Seed(key: crypto.KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url');
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  /** The verifier key string. */
  readonly verifierKey: string;
  readonly publicKey: Buffer;
  verify(message: Buffer, signature: Buffer): boolean;
}

export function formatVerifierKey(name: string, publicKey: Buffer): string {
  checkName(name, 'verifier key');
  if (!Buffer.isBuffer(publicKey) || publicKey.length !== KEY_BYTES)
    throw new MalformedMessageError('verifier key', `an Ed25519 public key is ${KEY_BYTES} bytes`, { field: 'key' });
  return `${name}+${hex8(keyId(name, publicKey))}+${Buffer.concat([Buffer.from([ED25519_TYPE]), publicKey]).toString('base64')}`;
}

function verifierFrom(name: string, publicKey: Buffer): NoteVerifier {
  let key: crypto.KeyObject;
  try {
    key = ed25519PublicKey(publicKey);
  } catch (err) {
    throw new MalformedMessageError('verifier key', `key ${name}: not an Ed25519 public key (${(err as Error).message})`, { field: 'key', name });
  }
  const id = keyId(name, publicKey);
  return Object.freeze({
    name,
    keyId: id,
    verifierKey: formatVerifierKey(name, publicKey),
    publicKey: Buffer.from(publicKey),
    verify: (message: Buffer, signature: Buffer) => signature.length === 64 && crypto.verify(null, message, key, signature),
  });
}

/** What tells one kind of Ed25519 key from the other: a log's note key (0x01) or a witness's cosignature key (0x04). */
export interface KeyKind {
  /** The signature type byte in front of the key. */
  type: number;
  /** The format named in errors: 'verifier key', 'witness key'. */
  format: string;
  /** Why a key of another type is refused. */
  wrongType: string;
}

/**
 * Splits a verifier key `<name>+<hex8>+<base64(type ‖ key)>` of one kind and checks the key ID
 * against the name and key; the caller makes the verifier from the name and public key.
 */
export function parseVerifierKeyOf(vkey: string, kind: KeyKind): { name: string; publicKey: Buffer } {
  const bad = (why: string): never => {
    throw new MalformedMessageError(kind.format, `${JSON.stringify(String(vkey).slice(0, 200))}: ${why}`, { field: 'verifierKey' });
  };
  if (typeof vkey !== 'string') bad('not a string');
  // Base64 has '+' in its alphabet: only the first two '+' separate fields.
  const parts = splitFields(vkey, 3);
  if (parts === null) bad('expected <name>+<hex key id>+<base64 key>');
  const [name, id, b64] = parts as [string, string, string];
  if (!isValidKeyName(name)) bad('the key name is empty or holds a space');
  if (!/^[0-9a-f]{8}$/.test(id)) bad('the key id is not 8 lowercase hex digits');
  const raw = decodeBase64(b64);
  if (raw === null || raw.length === 0) bad('the key is not standard base64');
  if (raw![0] !== kind.type) bad(`signature type 0x${raw![0]!.toString(16).padStart(2, '0')} ${kind.wrongType}`);
  if (raw!.length !== 1 + KEY_BYTES) bad(`an Ed25519 key is ${KEY_BYTES} bytes, got ${raw!.length - 1}`);
  const publicKey = raw!.subarray(1);
  const want = hex8(keyId(name, publicKey, kind.type));
  if (want !== id) bad(`key id ${id} does not match the name and key (${want})`);
  return { name, publicKey };
}

const NOTE_KEY: KeyKind = { type: ED25519_TYPE, format: 'verifier key', wrongType: 'is not Ed25519 (0x01)' };

/** Parses `<name>+<hex8>+<base64(0x01 ‖ key)>`; the key ID must be the one the name and key give. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const { name, publicKey } = parseVerifierKeyOf(vkey, NOTE_KEY);
  return verifierFrom(name, publicKey);
}

/**
 * Parses a signer key `PRIVATE+KEY+<name>+<hex8>+<base64(type ‖ seed)>` (Go's sumdb/note form) of
 * one signature type, with `fromSeed` making the signer. Errors name the part that is wrong, never
 * the key's bytes; the decoded seed is zeroed once the signer holds it.
 */
export function parseSignerKey<T extends { keyId: number }>(
  skey: string,
  kind: { type: number; format: string; what: string; wrongType: string },
  fromSeed: (name: string, seed: Buffer) => T,
): T {
  const bad = (why: string): never => {
    throw new MalformedMessageError(kind.format, `the ${kind.what} is malformed: ${why}`, { field: 'signerKey' });
  };
  if (typeof skey !== 'string') bad('not a string');
  const parts = splitFields(skey.trim(), 5);
  if (parts === null || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') bad('expected PRIVATE+KEY+<name>+<hex key id>+<base64 key>');
  const [, , name, id, b64] = parts as [string, string, string, string, string];
  if (!isValidKeyName(name)) bad('the key name is empty or holds a space');
  if (!/^[0-9a-f]{8}$/.test(id)) bad('the key id is not 8 lowercase hex digits');
  const raw = decodeBase64(b64);
  if (raw === null || raw.length === 0) bad('the key is not standard base64');
  if (raw![0] !== kind.type) bad(kind.wrongType);
  if (raw!.length !== 1 + KEY_BYTES) bad(`an Ed25519 seed is ${KEY_BYTES} bytes`);
  const signer = fromSeed(name, raw!.subarray(1));
  raw!.fill(0);
  if (hex8(signer.keyId) !== id) bad(`key id ${id} does not match the name and the key's public half`);
  return signer;
}

/**
 * What a log's note signer (0x01) and a witness's cosigner (0x04) share: the seed lives only in a
 * KeyObject, which neither logs nor serializes its bytes; only `format()` shows it, and JSON and
 * inspection show the verifier key.
 */
export abstract class Ed25519Signer<V extends NoteVerifier> {
  readonly name: string;
  readonly keyId: number;
  readonly verifier: V;
  readonly #key: crypto.KeyObject;
  readonly #type: number;

  protected constructor(name: string, key: crypto.KeyObject, type: number, verifierOf: (name: string, publicKey: Buffer) => V) {
    this.name = name;
    this.#key = key;
    this.#type = type;
    this.verifier = verifierOf(name, ed25519RawPublicKey(key));
    this.keyId = this.verifier.keyId;
  }

  /**
   * A private key for a new signer named `name`: from a 32-byte Ed25519 seed (RFC 8032 private
   * key), or a fresh one without. `format` names the key in errors.
   */
  protected static privateKey(format: string, name: string, seed?: Buffer): crypto.KeyObject {
    checkName(name, format);
    if (seed === undefined) return crypto.generateKeyPairSync('ed25519').privateKey;
    if (!Buffer.isBuffer(seed) || seed.length !== KEY_BYTES)
      throw new MalformedMessageError(format, `an Ed25519 seed is ${KEY_BYTES} bytes`, { field: 'seed' });
    return ed25519PrivateKey(seed);
  }

  /** The signer key string (a secret: write it to a file with tight permissions, never log it). */
  format(): string {
    const seed = ed25519Seed(this.#key);
    const out = `PRIVATE+KEY+${this.name}+${hex8(this.keyId)}+${Buffer.concat([Buffer.from([this.#type]), seed]).toString('base64')}`;
    seed.fill(0);
    return out;
  }

  get verifierKey(): string {
    return this.verifier.verifierKey;
  }

  /** The Ed25519 signature of `message`. */
  protected signBytes(message: Buffer): Buffer {
    return crypto.sign(null, message, this.#key);
  }

  toJSON(): unknown {
    return { name: this.name, verifierKey: this.verifierKey };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.constructor.name}(${this.verifierKey})`;
  }
}

/** A log's checkpoint signer (signed-note Ed25519, type 0x01). */
export class NoteSigner extends Ed25519Signer<NoteVerifier> {
  private constructor(name: string, key: crypto.KeyObject) {
    super(name, key, ED25519_TYPE, verifierFrom);
  }

  /** From a 32-byte Ed25519 seed (RFC 8032 private key). */
  static fromSeed(name: string, seed: Buffer): NoteSigner {
    return new NoteSigner(name, Ed25519Signer.privateKey('signer key', name, seed ?? Buffer.alloc(0)));
  }

  static generate(name: string): NoteSigner {
    return new NoteSigner(name, Ed25519Signer.privateKey('signer key', name));
  }

  /**
   * Parses `PRIVATE+KEY+<name>+<hex8>+<base64(0x01 ‖ seed)>`. Errors name the part that is wrong,
   * never the key's bytes.
   */
  static parse(skey: string): NoteSigner {
    return parseSignerKey(
      skey,
      { type: ED25519_TYPE, format: 'signer key', what: 'signer key', wrongType: 'the signature type is not Ed25519 (0x01)' },
      NoteSigner.fromSeed,
    );
  }

  sign(message: Buffer): Buffer {
    return this.signBytes(message);
  }
}
