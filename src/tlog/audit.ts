/**
 * The auditor's decision (`seqchain audit`, docs/LOG.md "Auditing the log"): given the checkpoint
 * it kept (the raw signed note, or none yet), the log's latest one and, when the tree grew, the
 * log's consistency proof between the two sizes, say whether the log still extends what was kept
 * and, if not, which rule it broke. Pure: the caller fetches, reads and writes.
 *
 * One call decides: without a proof it either gives the verdict or asks for the proof of
 * (from, to); the caller fetches that and calls again with it.
 */
import { isSeqchainError, type SeqchainError } from '../errors.js';
import { type Checkpoint, openCheckpoint } from './checkpoint.js';
import { EMPTY_ROOT, HASH_BYTES } from './hash.js';
import { decodeBase64, type NoteVerifier } from './note-key.js';
import { verifyConsistency } from './proof.js';
import { decodeNoteBytes } from './signed-note.js';

/** Accepted: the note is (or stays) the one to keep. */
export type AuditAccepted = 'trust-on-first-use' | 'advanced' | 'unchanged';

/** Refused, naming which rule was broken; the kept note must stay as it was. */
export type AuditRefused =
  /** The kept note is not a well-formed signed checkpoint (bytes, note or checkpoint text). */
  | 'malformed-state'
  /** The kept note does not open under the keys: the state file was altered, or the wrong key was given. */
  | 'kept-signature'
  /** The log's latest note is not a well-formed signed checkpoint. */
  | 'malformed-checkpoint'
  /** The log's latest note does not open under the keys. */
  | 'new-signature'
  /** The latest checkpoint names another log (origin line) than the kept one. */
  | 'origin'
  /** The latest checkpoint is smaller than the kept one. */
  | 'rollback'
  /** Same size and another root, or a consistency proof that does not lead from the kept root to the new one. */
  | 'fork'
  /** The consistency proof is not a list of base64 hashes for the sizes asked. */
  | 'malformed-proof';

export type AuditVerdict =
  | { ok: true; verdict: AuditAccepted; kept: Checkpoint | null; latest: Checkpoint; note: string }
  | { ok: false; verdict: AuditRefused; message: string; kept: Checkpoint | null; latest: Checkpoint | null; cause?: SeqchainError };

/** The tree grew: the verdict needs the log's consistency proof from `from` to `to`. */
export interface ProofNeeded {
  ok: null;
  from: number;
  to: number;
}

export interface AuditInput {
  /** The verifier keys the log's checkpoints are signed with (more than one during a key rotation). */
  keys: readonly NoteVerifier[];
  /** The kept signed note as stored, or null when nothing is kept yet. */
  kept: Uint8Array | null;
  /** The log's latest signed note, exactly as served. */
  latest: Uint8Array;
  /** The body of the log's consistency-proof answer (`GET /v1/proofs/consistency`), once asked for. */
  proof?: unknown;
}

/** The base64 hashes of a consistency-proof answer for (from, to), or why they are not. */
export function parseConsistencyAnswer(body: unknown, from: number, to: number): Buffer[] | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the answer is not a JSON object';
  const b = body as { from?: unknown; to?: unknown; proof?: unknown };
  if (b.from !== String(from) || b.to !== String(to))
    return `the proof is for sizes ${JSON.stringify(b.from)} → ${JSON.stringify(b.to)}, not the "${from}" → "${to}" asked for`;
  if (!Array.isArray(b.proof)) return 'proof is not a list';
  if (b.proof.length > 64) return `${b.proof.length} hashes, more than any tree needs (64)`;
  const hashes: Buffer[] = [];
  for (const [i, h] of b.proof.entries()) {
    const raw = typeof h === 'string' ? decodeBase64(h) : null;
    if (raw === null || raw.length !== HASH_BYTES) return `hash ${i} is not the standard base64 of ${HASH_BYTES} bytes`;
    hashes.push(raw);
  }
  return hashes;
}

type Opened = { checkpoint: Checkpoint; note: string } | { error: SeqchainError; malformed: boolean };

function open(bytes: Uint8Array, keys: readonly NoteVerifier[]): Opened {
  try {
    const note = decodeNoteBytes(bytes);
    return { checkpoint: openCheckpoint(note, keys).checkpoint, note };
  } catch (err) {
    if (!isSeqchainError(err)) throw err;
    const malformed = err.code !== 'SEQCHAIN_ERR_SIGNATURE_INVALID' && err.code !== 'SEQCHAIN_ERR_NOTE_UNVERIFIED';
    return { error: err, malformed };
  }
}

const show = (cp: Checkpoint): string => `size ${cp.size}, root ${cp.root.toString('base64')}`;

export function auditCheckpoint(input: AuditInput): AuditVerdict | ProofNeeded {
  let kept: Checkpoint | null = null;
  const refuse = (verdict: AuditRefused, message: string, latest: Checkpoint | null, cause?: SeqchainError): AuditVerdict => ({
    ok: false,
    verdict,
    message,
    kept,
    latest,
    ...(cause ? { cause } : {}),
  });

  // The kept note first: a state file that no longer opens is news whatever the log serves now.
  if (input.kept !== null) {
    const k = open(input.kept, input.keys);
    if ('error' in k) {
      return k.malformed
        ? refuse('malformed-state', `the kept checkpoint is not a signed checkpoint: ${k.error.message}`, null, k.error)
        : refuse(
            'kept-signature',
            `the kept checkpoint does not verify under the given key(s) (the state file was altered, or the key is not the log's): ${k.error.message}`,
            null,
            k.error,
          );
    }
    kept = k.checkpoint;
  }

  const n = open(input.latest, input.keys);
  if ('error' in n) {
    return n.malformed
      ? refuse('malformed-checkpoint', `the log's latest checkpoint is not a signed checkpoint: ${n.error.message}`, null, n.error)
      : refuse('new-signature', `the log's latest checkpoint does not verify under the given key(s): ${n.error.message}`, null, n.error);
  }
  const latest = n.checkpoint;
  const accept = (verdict: AuditAccepted): AuditVerdict => ({ ok: true, verdict, kept, latest, note: n.note });

  if (kept === null) return accept('trust-on-first-use');
  if (latest.origin !== kept.origin) {
    return refuse('origin', `the log's latest checkpoint has origin ${JSON.stringify(latest.origin)}, the kept one ${JSON.stringify(kept.origin)}`, latest);
  }
  if (latest.size < kept.size) {
    return refuse('rollback', `the log's latest checkpoint (size ${latest.size}) is smaller than the kept one (size ${kept.size}): a rollback`, latest);
  }
  if (latest.size === kept.size) {
    if (latest.root.equals(kept.root)) return accept('unchanged');
    return refuse('fork', `the log signed two trees of size ${kept.size} with different roots (kept ${show(kept)}; latest ${show(latest)}): a fork`, latest);
  }
  // Every tree extends the empty one, whose root is fixed: no proof to ask for.
  if (kept.size === 0) {
    if (kept.root.equals(EMPTY_ROOT)) return accept('advanced');
    return refuse('fork', `the kept checkpoint of size 0 has root ${kept.root.toString('base64')}, not the empty tree's: a fork`, latest);
  }

  if (input.proof === undefined) return { ok: null, from: kept.size, to: latest.size };
  const proof = parseConsistencyAnswer(input.proof, kept.size, latest.size);
  if (typeof proof === 'string')
    return refuse('malformed-proof', `the log's consistency proof from size ${kept.size} to ${latest.size} is malformed: ${proof}`, latest);
  try {
    verifyConsistency(kept.size, latest.size, proof, kept.root, latest.root);
  } catch (err) {
    if (!isSeqchainError(err)) throw err;
    return refuse('fork', `the latest checkpoint does not extend the kept one (kept ${show(kept)}; latest ${show(latest)}): ${err.message}`, latest, err);
  }
  return accept('advanced');
}
