/**
 * C2SP signed notes (https://c2sp.org/signed-note): a text ending in "\n", a blank line, then one
 * or more lines "— <key name> <base64(key ID ‖ signature)>\n" (U+2014 EM DASH). Opening checks
 * every signature by a known key (same name and key ID), ignores the others, and needs at least
 * one known signature; a known signature that fails rejects the whole note.
 */
import { MalformedMessageError, NoteUnverifiedError, SignatureInvalidError } from '../errors.js';
import { decodeBase64, hex8, isValidKeyName, type NoteSigner, type NoteVerifier } from './note-key.js';

const SIG_PREFIX = '\u2014 ';
/** Go's sumdb/note stops at 100; the spec requires at least 16. */
export const MAX_SIGNATURES = 100;
/** The spec forbids ASCII control characters (below U+0020) other than newline. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

export interface NoteSignature {
  name: string;
  keyId: number;
  /** base64(key ID ‖ signature), as on the line. */
  base64: string;
}

export interface OpenedNote {
  text: string;
  /** Signatures by known keys, all verified, in note order (duplicates dropped). */
  verified: NoteSignature[];
  /** Signatures by keys not known to the caller (cosignatures, rotated keys), kept as they were. */
  unverified: NoteSignature[];
}

function malformed(why: string, details: Record<string, unknown> = {}): never {
  throw new MalformedMessageError('signed-note', why, details);
}

export function signatureLine(sig: NoteSignature): string {
  return `${SIG_PREFIX}${sig.name} ${sig.base64}\n`;
}

function checkText(text: string, what: string): void {
  if (typeof text !== 'string' || !text.endsWith('\n')) malformed(`${what} must end with a newline`);
  if (hasControl(text)) malformed(`${what} holds a control character other than newline`);
  if (/\p{Cs}/u.test(text)) malformed(`${what} is not well-formed Unicode`);
}

/** Signs `text` with each signer; `keep` (e.g. cosignatures already on a note) follows, minus any by the same keys. */
export function signNote(text: string, signers: readonly NoteSigner[], keep: readonly NoteSignature[] = []): string {
  checkText(text, 'note text');
  if (signers.length === 0 && keep.length === 0) malformed('a signed note needs at least one signature');
  const message = Buffer.from(text, 'utf8');
  const lines: string[] = [];
  const have = new Set<string>();
  for (const s of signers) {
    have.add(`${s.name}\u0000${s.keyId}`);
    const raw = Buffer.alloc(4);
    raw.writeUInt32BE(s.keyId, 0);
    lines.push(signatureLine({ name: s.name, keyId: s.keyId, base64: Buffer.concat([raw, s.sign(message)]).toString('base64') }));
  }
  const kept = keep.filter((k) => !have.has(`${k.name}\u0000${k.keyId}`)).map(signatureLine);
  return `${text}\n${kept.join('')}${lines.join('')}`;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The text of a note received as bytes (an HTTP body, a file). Signed notes MUST be valid UTF-8:
 * decoding leniently would turn bad bytes into U+FFFD and hand a different text to the checks.
 */
export function decodeNoteBytes(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return malformed('the note is not valid UTF-8');
  }
}

/** Splits a note into text and signature lines without checking any signature. */
export function parseNote(note: string): { text: string; signatures: (NoteSignature & { signature: Buffer })[] } {
  if (typeof note !== 'string') malformed('the note is not a string');
  if (/\p{Cs}/u.test(note)) malformed('the note is not well-formed Unicode');
  if (hasControl(note)) malformed('the note holds a control character other than newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) malformed('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) malformed('the signature block is empty or does not end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) malformed(`${lines.length} signatures, more than ${MAX_SIGNATURES}`);
  const signatures = lines.map((line, i) => {
    if (!line.startsWith(SIG_PREFIX)) malformed(`signature line ${i + 1} does not start with "— "`, { line: i + 1 });
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? '' : rest.slice(space + 1);
    if (!isValidKeyName(name)) malformed(`signature line ${i + 1}: key name ${JSON.stringify(name)} is empty or holds a space or '+'`, { line: i + 1 });
    const raw = decodeBase64(b64);
    if (raw === null || raw.length < 5)
      malformed(`signature line ${i + 1} (${name}): the signature is not base64 of a key id and a signature`, { line: i + 1, keyName: name });
    return { name, keyId: raw!.readUInt32BE(0), base64: b64, signature: raw!.subarray(4) };
  });
  return { text, signatures };
}

/** Opens a signed note with the caller's known keys (see the module comment for the rules). */
export function openNote(note: string, known: readonly NoteVerifier[]): OpenedNote {
  const { text, signatures } = parseNote(note);
  const byKey = new Map(known.map((v) => [`${v.name}\u0000${v.keyId}`, v]));
  const message = Buffer.from(text, 'utf8');
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const { signature, ...sig } of signatures) {
    const id = `${sig.name}\u0000${sig.keyId}`;
    const v = byKey.get(id);
    if (v === undefined) {
      if (!unverified.some((u) => u.name === sig.name && u.base64 === sig.base64)) unverified.push(sig);
      continue;
    }
    if (seen.has(id)) continue;
    seen.add(id);
    if (!v.verify(message, signature)) {
      throw new SignatureInvalidError(
        `signed note: the signature by ${sig.name} (key ${hex8(sig.keyId)}) does not verify: the note was altered or not signed by that key`,
        {
          keyName: sig.name,
          keyId: hex8(sig.keyId),
        },
      );
    }
    verified.push(sig);
  }
  if (verified.length === 0) {
    const signers = signatures.map((s) => `${s.name}+${hex8(s.keyId)}`);
    const knownKeys = known.map((v) => `${v.name}+${hex8(v.keyId)}`);
    throw new NoteUnverifiedError(`signed note: no signature by a known key (signed by ${signers.join(', ')}; known: ${knownKeys.join(', ') || 'none'})`, {
      signers,
      known: knownKeys,
    });
  }
  return { text, verified, unverified };
}
