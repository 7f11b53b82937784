/**
 * The C2SP tlog-witness `add-checkpoint` bodies (https://c2sp.org/tlog-witness):
 *
 *   request   old <size>\n  <base64 hash>\n × 0…63 (consistency proof)  \n  <signed checkpoint>
 *   409 body  <size>\n   (Content-Type: text/x.tlog.size)
 *   200 body  one or more note signature lines "— <name> <base64>\n"
 *
 * Parsing is strict: the old size without leading zeros, each proof line the canonical base64 of
 * 32 bytes, every line ending in "\n". The checkpoint note itself is left to the caller, which
 * opens it with the keys it trusts.
 */
import { MalformedMessageError } from '../errors.js';
import { HASH_BYTES } from './hash.js';
import { decodeBase64 } from './note-key.js';
import { type NoteSignature, parseNote, signatureLine } from './signed-note.js';
import { checkSize } from './size.js';

/** The spec: "The client MUST NOT send more than 63 consistency proof lines." */
export const MAX_PROOF_LINES = 63;
/** Content-Type of a 409 answer. */
export const TLOG_SIZE_TYPE = 'text/x.tlog.size';

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Buffer[];
  /** The signed checkpoint note, verbatim. */
  note: string;
}

const SIZE = /^(0|[1-9][0-9]*)$/;

function malformed(why: string, field: string): never {
  throw new MalformedMessageError('add-checkpoint', why, { field });
}

function parseSize(text: string, what: string, field: string): number {
  if (!SIZE.test(text) || !Number.isSafeInteger(Number(text)))
    malformed(`${what} ${JSON.stringify(text.slice(0, 40))} is not a decimal size without leading zeros`, field);
  return Number(text);
}

export function formatAddCheckpoint(req: AddCheckpointRequest): string {
  checkSize(req.oldSize, 'old size');
  if (req.proof.length > MAX_PROOF_LINES) malformed(`${req.proof.length} proof hashes, more than ${MAX_PROOF_LINES}`, 'proof');
  for (const h of req.proof) if (!Buffer.isBuffer(h) || h.length !== HASH_BYTES) malformed(`a proof hash must be ${HASH_BYTES} bytes`, 'proof');
  return `old ${req.oldSize}\n${req.proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${req.note}`;
}

/** Parses a request body (already decoded as UTF-8); the note is returned unopened. */
export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  if (typeof body !== 'string') malformed('the body is not text', 'body');
  // Header lines are never empty, so the first blank line ends them (the note has its own later).
  const end = body.indexOf('\n\n');
  if (end < 0) malformed('no blank line between the old size and proof lines and the checkpoint', 'body');
  const [first, ...hashes] = body.slice(0, end).split('\n') as [string, ...string[]];
  if (!first.startsWith('old ')) malformed(`the first line must be "old <size>", got ${JSON.stringify(first.slice(0, 40))}`, 'old');
  const oldSize = parseSize(first.slice(4), 'old size', 'old');
  if (hashes.length > MAX_PROOF_LINES) malformed(`${hashes.length} consistency proof lines, more than ${MAX_PROOF_LINES}`, 'proof');
  const proof = hashes.map((line, i) => {
    const h = decodeBase64(line);
    if (h === null || h.length !== HASH_BYTES) malformed(`consistency proof line ${i + 1} is not the base64 of a ${HASH_BYTES}-byte hash`, 'proof');
    return h!;
  });
  const note = body.slice(end + 2);
  if (note === '') malformed('no checkpoint after the blank line', 'checkpoint');
  return { oldSize, proof, note };
}

/** The body of a 409 answer: the witness's latest cosigned size. */
export function formatTlogSize(size: number): string {
  return `${checkSize(size, 'tree size')}\n`;
}

export function parseTlogSize(body: string): number {
  if (typeof body !== 'string' || !body.endsWith('\n')) malformed('a text/x.tlog.size body is a decimal size and a newline', 'size');
  return parseSize(body.slice(0, -1), 'size', 'size');
}

/** The body of a 200 answer: the cosignature lines. */
export function formatCosignatureLines(sigs: readonly NoteSignature[]): string {
  return sigs.map(signatureLine).join('');
}

/** Parses a 200 answer into its signature lines (unverified: open the checkpoint with them and the witness key). */
export function parseCosignatureLines(body: string): NoteSignature[] {
  if (typeof body !== 'string' || body === '') malformed('the answer holds no signature line', 'body');
  // A note with a placeholder text reuses the signed-note line rules (prefix, key name, base64).
  return parseNote(`x\n\n${body}`).signatures.map(({ name, keyId, base64 }) => ({ name, keyId, base64 }));
}
