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
  SEQCHAIN_ERR_WITNESS_CONFLICT: 'SEQCHAIN_ERR_WITNESS_CONFLICT',
  SEQCHAIN_ERR_SEAL_UNKNOWN_KEY: 'SEQCHAIN_ERR_SEAL_UNKNOWN_KEY',
  SEQCHAIN_ERR_SEAL_OPEN_FAILED: 'SEQCHAIN_ERR_SEAL_OPEN_FAILED',
  SEQCHAIN_ERR_SEAL_MALFORMED: 'SEQCHAIN_ERR_SEAL_MALFORMED',
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

export function isSeqchainError(err: unknown): err is SeqchainError {
  return err instanceof SeqchainError;
}
