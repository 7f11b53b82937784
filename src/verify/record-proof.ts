/**
 * The offline check of one record against a `c2sp.org/tlog-proof@v1` file (`seqchain check-proof`,
 * docs/LOG.md "Offline proofs"): the record's fields (a line of `seqchain tail --json`) → its SCR1
 * digest → the SCT1 entry of its seq → the leaf hash → the inclusion proof → the root of a
 * checkpoint signed by a pinned key whose name is the checkpoint's origin. No I/O: the caller reads
 * the files.
 *
 * Every failure is a ProofCheckError naming the part that failed, checked in this order so that the
 * first named part is the one that was changed: the proof file's syntax (`proof-file`), the record
 * (`record`: not a record line, or its fields do not give its own digest), the proof's index against
 * the record's seq (`index`), the checkpoint (`checkpoint`: malformed, signature, key, origin), and
 * last the inclusion proof against the signed root (`proof`). A checkpoint that opens but a proof
 * that does not lead to its root means a proof hash, or a record whose digest was changed with it.
 */
import { recordDigest, type RecordHeader } from '../chain/record-digest.js';
import { MalformedMessageError, type ProofPart, ProofCheckError, ProofInvalidError, RecordMismatchError, SeqchainError, isSeqchainError } from '../errors.js';
import { openCheckpoint } from '../tlog/checkpoint.js';
import { recordLeafHash } from '../tlog/hash.js';
import { decodeBase64, hex8, type NoteVerifier } from '../tlog/note-key.js';
import { verifyInclusion } from '../tlog/proof.js';
import { decodeNoteBytes } from '../tlog/signed-note.js';
import { parseTlogProof, type TlogProof } from '../tlog/tlog-proof.js';

export interface RecordProofInput {
  /** The proof file's bytes. */
  proof: Uint8Array;
  /** The record file's text: one JSON object as `seqchain tail --json` prints it. */
  record: string;
  /**
   * The chain's source topic, which the SCR1 digest covers, for a record object without a `topic`
   * field (a `tail --json` line has one). When both are given, the two must agree.
   */
  topic?: string;
  /** Pinned verifier keys (several during a key rotation): any one of them must have signed the checkpoint. */
  keys: readonly NoteVerifier[];
}

export interface RecordProofResult {
  seq: bigint;
  leafIndex: number;
  treeSize: number;
  origin: string;
  root: Buffer;
  digest: Buffer;
  /** The pinned keys that signed the checkpoint, `name+keyid`. */
  signedBy: string[];
  topic: string;
}

/** A record as the tail line gives it, decoded: the fields SCR1 covers, except the topic. */
export interface RecordLine {
  seq: bigint;
  partition: number;
  offset: bigint;
  timestampMs: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  digest: Buffer;
  topic?: string;
}

function within<T>(part: ProofPart, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isSeqchainError(err)) throw new ProofCheckError(part, err);
    throw err;
  }
}

const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
const SIGNED_DECIMAL = /^(0|-?[1-9][0-9]{0,18})$/;

/** Parses a record line (`seqchain tail --json`); a MalformedMessageError names the field. */
export function parseRecordLine(text: string): RecordLine {
  const bad = (field: string, why: string): never => {
    throw new MalformedMessageError('record line', `${field}: ${why}`, { field });
  };
  const lines = text.split('\n').filter((l) => l.trim() !== '').length;
  // `tail --json` of a range prints one record per line: the file must hold the one the proof is for.
  if (lines > 1) bad('text', `${lines} lines: give one record, one line of \`seqchain tail --json\``);
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (err) {
    return bad('text', `not JSON (${(err as Error).message}); give one line of \`seqchain tail --json\``);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return bad('text', 'not a JSON object; give one line of `seqchain tail --json`');
  const r = o as Record<string, unknown>;
  if (r.sealed !== undefined) {
    // The line of a record tail opened with --key-file carries the plaintext; the chain hashed the envelope.
    throw new RecordMismatchError(
      'the record was opened with a key (it has "sealed"): its value is the plaintext, while the chain hashed the sealed envelope; print it with `seqchain tail --json` without --key-file',
      { field: 'sealed' },
    );
  }
  const u64 = (field: string, min = 0n): bigint => {
    const v = r[field];
    if (typeof v !== 'string' || !DECIMAL.test(v) || BigInt(v) < min || BigInt(v) >= 2n ** 64n)
      return bad(field, `must be a decimal string from ${min} to 2^64 − 1, got ${JSON.stringify(v)}`);
    return BigInt(v as string);
  };
  const bytes = (field: string, v: unknown): Buffer | null => {
    if (v === null) return null;
    const b = typeof v === 'string' ? decodeBase64(v) : null;
    return b ?? bad(field, `must be standard base64 or null, got ${JSON.stringify(v).slice(0, 80)}`);
  };
  const seq = u64('seq', 1n);
  const offset = u64('offset');
  const partition = r.partition;
  if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0 || partition > 2 ** 31 - 1)
    bad('partition', `must be an integer from 0 to 2^31 − 1, got ${JSON.stringify(partition)}`);
  const ts = r.timestampMs;
  if (typeof ts !== 'string' || !SIGNED_DECIMAL.test(ts) || BigInt(ts) < -(2n ** 63n) || BigInt(ts) >= 2n ** 63n)
    bad('timestampMs', `must be a decimal string (a 64-bit integer), got ${JSON.stringify(ts)}`);
  if (!('key' in r)) bad('key', 'missing');
  if (!('value' in r)) bad('value', 'missing');
  if (!Array.isArray(r.headers)) bad('headers', 'must be an array of {name, value}');
  const headers = (r.headers as unknown[]).map((h, i): RecordHeader => {
    const field = `headers[${i}]`;
    if (h === null || typeof h !== 'object' || typeof (h as { name?: unknown }).name !== 'string') return bad(field, 'must be {name: string, value}');
    const { name, value } = h as { name: string; value: unknown };
    return { name: Buffer.from(name, 'utf8'), value: bytes(`${field}.value`, value) };
  });
  const digest =
    typeof r.digest === 'string' && /^[0-9a-f]{64}$/.test(r.digest) ? Buffer.from(r.digest, 'hex') : bad('digest', 'must be 64 lowercase hex digits');
  if (r.topic !== undefined && (typeof r.topic !== 'string' || r.topic === '')) bad('topic', 'must be a non-empty string');
  return {
    seq,
    partition: partition as number,
    offset,
    timestampMs: BigInt(ts as string),
    key: bytes('key', r.key),
    value: bytes('value', r.value),
    headers,
    digest,
    ...(typeof r.topic === 'string' ? { topic: r.topic } : {}),
  };
}

/** The topic the digest is computed over: the record's own `topic` field or the one given, which must agree. */
function topicOf(line: RecordLine, given: string | undefined): string {
  if (given !== undefined && line.topic !== undefined && given !== line.topic)
    throw new ProofCheckError(
      'record',
      new RecordMismatchError(`the record names topic ${JSON.stringify(line.topic)}, not the ${JSON.stringify(given)} given`, { field: 'topic' }),
    );
  const topic = given ?? line.topic;
  if (topic === undefined) {
    // A usage error, not a failed check: nothing was checked yet.
    throw new SeqchainError('SEQCHAIN_ERR_USAGE', "the record line does not name its topic: give the chain's source topic (--topic <name>)", {
      details: { option: '--topic' },
    });
  }
  return topic;
}

/** Checks the record against the proof (see the module comment); returns what was proven. */
export function checkRecordProof(input: RecordProofInput): RecordProofResult {
  const proof: TlogProof = within('proof-file', () => parseTlogProof(decodeNoteBytes(input.proof)));
  const line = within('record', () => parseRecordLine(input.record));
  const topic = topicOf(line, input.topic);

  const digest = recordDigest({ ...line, topic });
  if (!digest.equals(line.digest)) {
    throw new ProofCheckError(
      'record',
      new RecordMismatchError(
        `seq ${line.seq} (partition ${line.partition}, offset ${line.offset}): its fields do not give its digest (recomputed ${digest.toString('hex')}, the record says ${line.digest.toString('hex')}): a field was changed, or ${JSON.stringify(topic)} is not the chain's source topic`,
        { seq: line.seq.toString(), expected: line.digest.toString('hex'), actual: digest.toString('hex') },
      ),
    );
  }

  if (BigInt(proof.index) !== line.seq - 1n) {
    throw new ProofCheckError(
      'index',
      new ProofInvalidError(`the proof is for leaf index ${proof.index} (seq ${proof.index + 1}), not for seq ${line.seq} (index ${line.seq - 1n})`, {
        kind: 'inclusion',
        index: proof.index,
        seq: line.seq.toString(),
      }),
    );
  }

  const opened = within('checkpoint', () => openCheckpoint(proof.checkpoint, input.keys));
  const { origin, size, root } = opened.checkpoint;
  // The log's key name is its origin: a pinned key of another log signing this text proves nothing about this log.
  const signedBy = opened.verified.filter((s) => s.name === origin).map((s) => `${s.name}+${hex8(s.keyId)}`);
  if (signedBy.length === 0) {
    const signers = opened.verified.map((s) => s.name).join(', ');
    throw new ProofCheckError(
      'checkpoint',
      new MalformedMessageError('tlog-checkpoint', `origin ${JSON.stringify(origin)} is not the name of the pinned key that signed it (${signers})`, {
        field: 'origin',
      }),
    );
  }

  within('proof', () => verifyInclusion(recordLeafHash(line.seq, digest), proof.index, size, proof.proof, root));
  return { seq: line.seq, leafIndex: proof.index, treeSize: size, origin, root, digest, signedBy, topic };
}
