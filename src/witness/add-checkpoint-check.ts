/**
 * The checks of a C2SP tlog-witness `add-checkpoint` request (https://c2sp.org/tlog-witness), pure:
 * the caller holds the witness's state and persists what is accepted. Each refusal is a
 * SeqchainError whose code gives the spec's status (`witnessStatus`):
 *
 *   400 MALFORMED_MESSAGE   the body, the note or the checkpoint does not parse; old size > checkpoint size
 *   404 NOT_FOUND           the checkpoint's origin is not a log this witness is configured for
 *   403 NOTE_UNVERIFIED     no signature by a key trusted for the origin
 *   403 SIGNATURE_INVALID   a signature by a trusted key (name and ID) does not verify
 *   409 WITNESS_CONFLICT    old size ≠ the size of the latest checkpoint cosigned for the origin (0 if none)
 *   422 PROOF_INVALID       the consistency proof does not verify, a non-empty proof from 0, equal
 *                           sizes with different roots, a size-0 checkpoint without the empty root
 */
import { type ErrorCode, MalformedMessageError, ProofInvalidError, SeqchainError } from '../errors.js';
import { parseAddCheckpoint } from '../tlog/add-checkpoint.js';
import { type Checkpoint, openCheckpoint } from '../tlog/checkpoint.js';
import { EMPTY_ROOT } from '../tlog/hash.js';
import type { NoteVerifier } from '../tlog/note-key.js';
import type { NoteSignature } from '../tlog/signed-note.js';
import { verifyConsistency } from '../tlog/proof.js';

/** The latest checkpoint a witness cosigned for one origin. */
export interface WitnessedHead {
  size: number;
  root: Buffer;
}

export interface AcceptedCheckpoint {
  origin: string;
  checkpoint: Checkpoint;
  /** The checkpoint's note text: what the cosignature signs. */
  text: string;
  /** The signature lines by the log's trusted keys, all verified. */
  logSignatures: NoteSignature[];
}

export const WITNESS_STATUS: Partial<Record<ErrorCode, number>> = {
  SEQCHAIN_ERR_MALFORMED_MESSAGE: 400,
  SEQCHAIN_ERR_OUT_OF_RANGE: 400,
  SEQCHAIN_ERR_NOT_FOUND: 404,
  SEQCHAIN_ERR_NOTE_UNVERIFIED: 403,
  SEQCHAIN_ERR_SIGNATURE_INVALID: 403,
  SEQCHAIN_ERR_WITNESS_CONFLICT: 409,
  SEQCHAIN_ERR_PROOF_INVALID: 422,
};

/** The HTTP status of a refusal (500 for anything that is not one of the spec's answers). */
export function witnessStatus(err: unknown): number {
  return err instanceof SeqchainError ? (WITNESS_STATUS[err.code] ?? 500) : 500;
}

/** The 409 refusal: `size` is the witness's latest cosigned size, which the body of the answer carries. */
export function conflict(origin: string, oldSize: number, size: number): SeqchainError {
  return new SeqchainError(
    'SEQCHAIN_ERR_WITNESS_CONFLICT',
    `old size ${oldSize} is not the size of the latest checkpoint this witness cosigned for ${origin} (${size}): resubmit from ${size}`,
    { retriable: true, details: { origin, oldSize, size } },
  );
}

/**
 * Checks a request body against the trusted keys (`logs`: origin → the log's verifier keys) and the
 * latest cosigned head of its origin (`latest`, null when none). Returns what to cosign and
 * persist, or throws the refusal.
 */
export function checkAddCheckpoint(
  body: string,
  logs: ReadonlyMap<string, readonly NoteVerifier[]>,
  latest: (origin: string) => WitnessedHead | null,
): AcceptedCheckpoint {
  const req = parseAddCheckpoint(body);
  const newline = req.note.indexOf('\n');
  const origin = newline < 0 ? req.note : req.note.slice(0, newline);
  const keys = logs.get(origin);
  if (keys === undefined) {
    throw new SeqchainError('SEQCHAIN_ERR_NOT_FOUND', `origin ${JSON.stringify(origin.slice(0, 200))} is not a log this witness is configured for`, {
      details: { origin: origin.slice(0, 200) },
    });
  }
  // Opening ignores signatures by unknown keys and refuses the note when a trusted one fails.
  const opened = openCheckpoint(req.note, keys, origin);
  const { checkpoint } = opened;
  const { oldSize, proof } = req;
  if (oldSize > checkpoint.size) {
    throw new MalformedMessageError('add-checkpoint', `old size ${oldSize} is above the checkpoint size ${checkpoint.size}`, { field: 'old', origin });
  }
  const head = latest(origin) ?? { size: 0, root: EMPTY_ROOT };
  if (oldSize !== head.size) throw conflict(origin, oldSize, head.size);
  const details = { origin, oldSize, size: checkpoint.size };
  if (checkpoint.size === 0 && !checkpoint.root.equals(EMPTY_ROOT)) {
    throw new ProofInvalidError(`${origin}: a checkpoint of size 0 must have the empty tree's root (SHA-256 of "")`, details);
  }
  if (oldSize === 0) {
    // The empty tree is consistent with any tree.
    if (proof.length !== 0) throw new ProofInvalidError(`${origin}: old size 0 takes no consistency proof, got ${proof.length} lines`, details);
  } else {
    try {
      verifyConsistency(oldSize, checkpoint.size, proof, head.root, checkpoint.root);
    } catch (err) {
      if (err instanceof ProofInvalidError) throw new ProofInvalidError(`${origin}: ${err.message}`, { ...details, ...err.details });
      throw err;
    }
  }
  return { origin, checkpoint, text: opened.text, logSignatures: opened.verified };
}
