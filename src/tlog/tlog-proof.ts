/**
 * C2SP tlog-proof (https://c2sp.org/tlog-proof), `c2sp.org/tlog-proof@v1`:
 *
 *   c2sp.org/tlog-proof@v1\n
 *   [extra <base64>\n]
 *   index <zero-based leaf index>\n
 *   <base64 hash>\n …            (the inclusion proof, the leaf's sibling first)
 *   \n
 *   <the signed checkpoint, verbatim>
 *
 * For seqchain the index of record seq g is g − 1.
 */
import { MalformedMessageError } from '../errors.js';
import { type OpenedCheckpoint, openCheckpoint } from './checkpoint.js';
import { HASH_BYTES } from './hash.js';
import { decodeBase64, type NoteVerifier } from './note-key.js';
import { verifyInclusion } from './proof.js';
import { checkSize } from './size.js';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface TlogProof {
  index: number;
  proof: Buffer[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
  extra?: Buffer;
}

function malformed(why: string, field: string): never {
  throw new MalformedMessageError('tlog-proof', why, { field });
}

export function formatTlogProof(p: TlogProof): string {
  checkSize(p.index, 'proof index');
  if (typeof p.checkpoint !== 'string' || !p.checkpoint.endsWith('\n')) malformed('the checkpoint must be a signed note ending with a newline', 'checkpoint');
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra !== undefined) lines.push(`extra ${p.extra.toString('base64')}`);
  lines.push(`index ${p.index}`);
  for (const h of p.proof) {
    if (!Buffer.isBuffer(h) || h.length !== HASH_BYTES) malformed(`a proof hash must be ${HASH_BYTES} bytes`, 'proof');
    lines.push(h.toString('base64'));
  }
  return `${lines.join('\n')}\n\n${p.checkpoint}`;
}

const INDEX = /^index (0|[1-9][0-9]*)$/;

export function parseTlogProof(text: string): TlogProof {
  if (typeof text !== 'string') malformed('the proof is not text', 'text');
  const blank = text.indexOf('\n\n');
  if (blank < 0) malformed('no blank line before the checkpoint', 'text');
  const head = text.slice(0, blank).split('\n');
  const checkpoint = text.slice(blank + 2);
  if (head[0] !== TLOG_PROOF_HEADER) malformed(`the first line must be ${TLOG_PROOF_HEADER}`, 'header');
  let at = 1;
  let extra: Buffer | undefined;
  if (head[at]?.startsWith('extra ')) {
    const raw = decodeBase64(head[at]!.slice('extra '.length));
    if (raw === null) malformed('the extra line is not standard base64', 'extra');
    extra = raw!;
    at++;
  }
  const m = INDEX.exec(head[at] ?? '');
  if (m === null || !Number.isSafeInteger(Number(m[1]))) malformed(`line ${at + 1} must be "index <decimal without leading zeros>"`, 'index');
  const proof = head.slice(at + 1).map((line, i) => {
    const h = decodeBase64(line);
    if (h === null || h.length !== HASH_BYTES) malformed(`proof line ${i + 1} is not the base64 of a ${HASH_BYTES}-byte hash`, 'proof');
    return h!;
  });
  if (checkpoint === '') malformed('the checkpoint is missing', 'checkpoint');
  if (!checkpoint.endsWith('\n')) malformed('the checkpoint does not end with a newline', 'checkpoint');
  return { index: Number(m![1]), proof, checkpoint, ...(extra === undefined ? {} : { extra }) };
}

/**
 * Verifies a parsed proof for a leaf hash the caller computed (for seqchain: the record's SCR1 digest
 * → entry → leaf hash): the checkpoint is signed by a known key (and has the expected origin), and
 * the inclusion proof binds the leaf at `index` to its root. Each failure is its own error: a
 * malformed or wrong-origin checkpoint (MALFORMED_MESSAGE), a bad or missing log signature
 * (SIGNATURE_INVALID, NOTE_UNVERIFIED), a leaf or proof that does not give the root (PROOF_INVALID).
 */
export function verifyTlogProof(p: TlogProof, leaf: Buffer, known: readonly NoteVerifier[], origin?: string): OpenedCheckpoint {
  const opened = openCheckpoint(p.checkpoint, known, origin);
  verifyInclusion(leaf, p.index, opened.checkpoint.size, p.proof, opened.checkpoint.root);
  return opened;
}
