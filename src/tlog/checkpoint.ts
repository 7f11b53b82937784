/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text
 *
 *   <origin>\n<decimal tree size, no leading zeros>\n<base64 root hash>\n[<extension line>\n]…
 *
 * signed as a signed note. Parsing is strict: whatever parses formats back to the same text.
 */
import { MalformedMessageError } from '../errors.js';
import { HASH_BYTES } from './hash.js';
import { decodeBase64, type NoteSigner, type NoteVerifier } from './note-key.js';
import { type NoteSignature, openNote, signNote } from './signed-note.js';
import { checkSize } from './size.js';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  /** Opaque, non-empty lines after the root (NOT RECOMMENDED by the spec; seqchain writes none). */
  extensions: string[];
}

function malformed(why: string, field: string): never {
  throw new MalformedMessageError('tlog-checkpoint', why, { field });
}

const SIZE = /^(0|[1-9][0-9]*)$/;

export function formatCheckpoint(cp: { origin: string; size: number; root: Buffer; extensions?: readonly string[] }): string {
  if (typeof cp.origin !== 'string' || cp.origin === '' || cp.origin.includes('\n')) malformed('the origin must be one non-empty line', 'origin');
  checkSize(cp.size, 'checkpoint size');
  if (!Buffer.isBuffer(cp.root) || cp.root.length !== HASH_BYTES) malformed(`the root hash must be ${HASH_BYTES} bytes`, 'root');
  const ext = cp.extensions ?? [];
  for (const e of ext) if (typeof e !== 'string' || e === '' || e.includes('\n')) malformed('an extension line must be one non-empty line', 'extensions');
  return [cp.origin, String(cp.size), cp.root.toString('base64'), ...ext].map((l) => `${l}\n`).join('');
}

/** Parses checkpoint note text (without signatures). */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) malformed('the checkpoint text must end with a newline', 'text');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) malformed(`a checkpoint has at least 3 lines (origin, size, root), got ${lines.length}`, 'text');
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === '') malformed('the origin line is empty', 'origin');
  if (!SIZE.test(size) || !Number.isSafeInteger(Number(size)))
    malformed(`tree size ${JSON.stringify(size.slice(0, 40))} is not a decimal without leading zeros`, 'size');
  const hash = decodeBase64(root);
  if (hash === null || hash.length !== HASH_BYTES) malformed(`root hash ${JSON.stringify(root.slice(0, 80))} is not the base64 of ${HASH_BYTES} bytes`, 'root');
  extensions.forEach((e, i) => {
    if (e === '') malformed(`extension line ${i + 1} is empty`, 'extensions');
  });
  return { origin, size: Number(size), root: hash!, extensions };
}

/**
 * Formats and signs a checkpoint, with one key or several (a key rotation); `keep` carries
 * cosignatures to keep beside the log's signatures.
 */
export function signCheckpoint(
  cp: { origin: string; size: number; root: Buffer },
  signer: NoteSigner | readonly NoteSigner[],
  keep: readonly NoteSignature[] = [],
): string {
  return signNote(formatCheckpoint(cp), ([] as NoteSigner[]).concat(signer), keep);
}

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  text: string;
  verified: NoteSignature[];
  unverified: NoteSignature[];
}

/**
 * Opens a signed checkpoint with the known keys and parses it. `origin`, when given, must equal the
 * checkpoint's origin line (a log's checkpoints are only meaningful under the origin pinned with its key).
 */
export function openCheckpoint(note: string, known: readonly NoteVerifier[], origin?: string): OpenedCheckpoint {
  const opened = openNote(note, known);
  const checkpoint = parseCheckpoint(opened.text);
  if (origin !== undefined && checkpoint.origin !== origin) {
    throw new MalformedMessageError('tlog-checkpoint', `origin ${JSON.stringify(checkpoint.origin)} is not the expected ${JSON.stringify(origin)}`, {
      field: 'origin',
    });
  }
  return { checkpoint, ...opened };
}
