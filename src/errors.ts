/**
 * The one catalogue of seqchain errors. Every error has a stable `SEQCHAIN_ERR_*` code and says
 * whether retrying can help: a broken chain or a malformed message never gets better by retrying.
 * Every code is described in docs/ERRORS.md (a test keeps the two in step).
 */
export const ErrorCodes = {
  SEQCHAIN_ERR_CONFIG: 'SEQCHAIN_ERR_CONFIG',
  SEQCHAIN_ERR_USAGE: 'SEQCHAIN_ERR_USAGE',
  SEQCHAIN_ERR_UNREACHABLE: 'SEQCHAIN_ERR_UNREACHABLE',
  SEQCHAIN_ERR_MALFORMED_MESSAGE: 'SEQCHAIN_ERR_MALFORMED_MESSAGE',
  SEQCHAIN_ERR_CHAIN_BROKEN: 'SEQCHAIN_ERR_CHAIN_BROKEN',
  SEQCHAIN_ERR_CHAIN_EXISTS: 'SEQCHAIN_ERR_CHAIN_EXISTS',
  SEQCHAIN_ERR_CHAIN_NOT_FOUND: 'SEQCHAIN_ERR_CHAIN_NOT_FOUND',
  SEQCHAIN_ERR_LEADERSHIP_LOST: 'SEQCHAIN_ERR_LEADERSHIP_LOST',
  SEQCHAIN_ERR_FENCED: 'SEQCHAIN_ERR_FENCED',
  SEQCHAIN_ERR_COUNTER_MISMATCH: 'SEQCHAIN_ERR_COUNTER_MISMATCH',
  SEQCHAIN_ERR_GAP: 'SEQCHAIN_ERR_GAP',
  SEQCHAIN_ERR_ALREADY_STARTED: 'SEQCHAIN_ERR_ALREADY_STARTED',
  SEQCHAIN_ERR_TIMEOUT: 'SEQCHAIN_ERR_TIMEOUT',
  SEQCHAIN_ERR_ZK_CONFLICT: 'SEQCHAIN_ERR_ZK_CONFLICT',
  SEQCHAIN_ERR_NOT_FOUND: 'SEQCHAIN_ERR_NOT_FOUND',
  SEQCHAIN_ERR_LOG_VIEW_OFF: 'SEQCHAIN_ERR_LOG_VIEW_OFF',
  SEQCHAIN_ERR_UNAUTHORIZED: 'SEQCHAIN_ERR_UNAUTHORIZED',
  SEQCHAIN_ERR_NOT_LEADER: 'SEQCHAIN_ERR_NOT_LEADER',
  SEQCHAIN_ERR_RECORD_TOO_LARGE: 'SEQCHAIN_ERR_RECORD_TOO_LARGE',
  SEQCHAIN_ERR_RATE_LIMITED: 'SEQCHAIN_ERR_RATE_LIMITED',
  SEQCHAIN_ERR_SOURCE_DELETED: 'SEQCHAIN_ERR_SOURCE_DELETED',
  SEQCHAIN_ERR_SIGNATURE_INVALID: 'SEQCHAIN_ERR_SIGNATURE_INVALID',
  SEQCHAIN_ERR_NOTE_UNVERIFIED: 'SEQCHAIN_ERR_NOTE_UNVERIFIED',
  SEQCHAIN_ERR_PROOF_INVALID: 'SEQCHAIN_ERR_PROOF_INVALID',
  SEQCHAIN_ERR_OUT_OF_RANGE: 'SEQCHAIN_ERR_OUT_OF_RANGE',
  SEQCHAIN_ERR_AUDIT_FAILED: 'SEQCHAIN_ERR_AUDIT_FAILED',
  SEQCHAIN_ERR_RECORD_MISMATCH: 'SEQCHAIN_ERR_RECORD_MISMATCH',
  SEQCHAIN_ERR_WITNESS_CONFLICT: 'SEQCHAIN_ERR_WITNESS_CONFLICT',
  SEQCHAIN_ERR_SEAL_UNKNOWN_KEY: 'SEQCHAIN_ERR_SEAL_UNKNOWN_KEY',
  SEQCHAIN_ERR_SEAL_OPEN_FAILED: 'SEQCHAIN_ERR_SEAL_OPEN_FAILED',
  SEQCHAIN_ERR_SEAL_MALFORMED: 'SEQCHAIN_ERR_SEAL_MALFORMED',
  SEQCHAIN_ERR_NOT_ENOUGH_BROKERS: 'SEQCHAIN_ERR_NOT_ENOUGH_BROKERS',
  /** Not seqchain's own error (a library or runtime failure), as the CLI reports it. */
  SEQCHAIN_ERR_UNEXPECTED: 'SEQCHAIN_ERR_UNEXPECTED',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface SeqchainErrorOptions {
  /** True when the same call may succeed later (a service restarting, a lost session). */
  retriable?: boolean;
  cause?: unknown;
  /** Machine-readable context: where the problem is (key, seq, partition, offset, …). */
  details?: Record<string, unknown>;
}

export class SeqchainError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: SeqchainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SeqchainError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? {};
  }
}

/** Bad configuration: names the key and what was wrong with it. */
export class ConfigError extends SeqchainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('SEQCHAIN_ERR_CONFIG', message, { details });
    this.name = 'ConfigError';
  }
}

/** An internal message (digest batch, ledger message, znode) that does not decode. */
export class MalformedMessageError extends SeqchainError {
  constructor(format: string, message: string, details: Record<string, unknown> = {}) {
    super('SEQCHAIN_ERR_MALFORMED_MESSAGE', `${format}: ${message}`, { details: { format, ...details } });
    this.name = 'MalformedMessageError';
  }
}

/** The chain does not hold: never retried. */
export class ChainBrokenError extends SeqchainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('SEQCHAIN_ERR_CHAIN_BROKEN', message, { details });
    this.name = 'ChainBrokenError';
  }
}

/**
 * Sequenced records whose source bytes retention already deleted: the reader cannot hand them
 * out. Not retriable (deleted records never come back); `details` names the partition, the
 * offset range [from, to) and the first seq there.
 */
export class SourceDeletedError extends SeqchainError {
  constructor(message: string, details: { partition: number; from: string; to: string; seq: string }) {
    super('SEQCHAIN_ERR_SOURCE_DELETED', message, { details });
    this.name = 'SourceDeletedError';
  }
}

/**
 * A signed note carries a signature by a key the verifier knows (same name and key id) that does
 * not verify: the note text was altered, or someone without the key signed it. Never retried.
 */
export class SignatureInvalidError extends SeqchainError {
  constructor(message: string, details: { keyName: string; keyId: string }) {
    super('SEQCHAIN_ERR_SIGNATURE_INVALID', message, { details });
    this.name = 'SignatureInvalidError';
  }
}

/** A well-formed signed note with no signature by any key the verifier knows (unknown or wrong key). */
export class NoteUnverifiedError extends SeqchainError {
  constructor(message: string, details: { signers: string[]; known: string[] }) {
    super('SEQCHAIN_ERR_NOTE_UNVERIFIED', message, { details });
    this.name = 'NoteUnverifiedError';
  }
}

/** An inclusion or consistency proof (or a tlog-proof's leaf) that does not lead to the expected root. */
export class ProofInvalidError extends SeqchainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('SEQCHAIN_ERR_PROOF_INVALID', message, { details });
    this.name = 'ProofInvalidError';
  }
}

/** A leaf index, tree size or size pair outside what the tree has (index ≥ size, from > to, size 0 where a leaf is needed). */
export class OutOfRangeError extends SeqchainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('SEQCHAIN_ERR_OUT_OF_RANGE', message, { details });
    this.name = 'OutOfRangeError';
  }
}

/**
 * `seqchain audit` refused the log's latest checkpoint, or the checkpoint it kept: `details.verdict`
 * names the rule (rollback, fork, a bad signature of the new or the kept checkpoint, another
 * origin, a malformed state file, checkpoint or proof; src/tlog/audit.ts). Never retried: the
 * same checkpoints give the same verdict.
 */
export class AuditFailedError extends SeqchainError {
  constructor(message: string, details: { verdict: string } & Record<string, unknown>, cause?: unknown) {
    super('SEQCHAIN_ERR_AUDIT_FAILED', message, { details, cause });
    this.name = 'AuditFailedError';
  }
}

/**
 * A record given to check (`seqchain check-proof --record`, a line of `tail --json`) whose fields do
 * not give the SCR1 digest the line carries: a field was changed, the topic given is not the chain's,
 * or the value is a plaintext opened from a sealed payload. Never retried.
 */
export class RecordMismatchError extends SeqchainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('SEQCHAIN_ERR_RECORD_MISMATCH', message, { details });
    this.name = 'RecordMismatchError';
  }
}

/** The links of an offline record proof (`seqchain check-proof`), in the order they are checked. */
export type ProofPart = 'proof-file' | 'record' | 'index' | 'checkpoint' | 'proof';

/**
 * One link of an offline record proof failed: record → digest → SCT1 entry → leaf → inclusion proof
 * → signed checkpoint. Keeps the code of what failed (MALFORMED_MESSAGE, RECORD_MISMATCH,
 * PROOF_INVALID, SIGNATURE_INVALID, NOTE_UNVERIFIED) and names the part first in its message and
 * in `details.part`. Never retried.
 */
export class ProofCheckError extends SeqchainError {
  readonly part: ProofPart;

  constructor(part: ProofPart, cause: SeqchainError) {
    super(cause.code, `${part}: ${cause.message}`, { cause, details: { part, ...cause.details } });
    this.name = 'ProofCheckError';
    this.part = part;
  }
}

export type SealErrorCode = 'SEQCHAIN_ERR_SEAL_UNKNOWN_KEY' | 'SEQCHAIN_ERR_SEAL_OPEN_FAILED' | 'SEQCHAIN_ERR_SEAL_MALFORMED';

/**
 * A sealed payload (docs/CONSUMING.md, "Sealed payloads") that does not open: its key id is not in
 * the keyring, the key or the bytes are wrong, or the envelope does not parse. Never retriable: the
 * same bytes and keys fail the same way. Raised by the reader, `details` name the record (seq,
 * partition, offset) besides the key id and topic.
 */
export class SealError extends SeqchainError {
  declare readonly code: SealErrorCode;

  constructor(code: SealErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
    this.name = 'SealError';
  }
}

/**
 * `kafka.replicationFactor` asks for more replicas than the Kafka cluster has live brokers (the
 * brokers its metadata lists: registered and not fenced), so `init` refuses before it creates
 * anything. Not retriable: the answer changes only when brokers are added or come back.
 */
export class NotEnoughBrokersError extends SeqchainError {
  constructor(message: string, details: { replicationFactor: number; brokers: number }) {
    super('SEQCHAIN_ERR_NOT_ENOUGH_BROKERS', message, { details });
    this.name = 'NotEnoughBrokersError';
  }
}

export function isSeqchainError(err: unknown): err is SeqchainError {
  return err instanceof SeqchainError;
}
