import { SeqchainError } from '../errors.js';

/** JSON schemas of the path and query parameters; Fastify checks them before a handler runs. */
export const seqParam = { type: 'string', pattern: '^[1-9][0-9]{0,18}$', description: 'global sequence number (1, 2, …)' } as const;
export const partitionParam = { type: 'string', pattern: '^(0|[1-9][0-9]{0,8})$', description: 'source partition' } as const;
export const offsetParam = { type: 'string', pattern: '^(0|[1-9][0-9]{0,18})$', description: 'source offset' } as const;
export const digestParam = { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: 'SCR1 record digest, 64 hex digits' } as const;

export function usage(parameter: string, message: string): SeqchainError {
  return new SeqchainError('SEQCHAIN_ERR_USAGE', `query parameter '${parameter}' ${message}`, { details: { parameter } });
}

export function notFound(message: string, details: Record<string, unknown>): SeqchainError {
  return new SeqchainError('SEQCHAIN_ERR_NOT_FOUND', message, { details });
}

/**
 * One page of [from, to]: at most `limit` records, never past the head. `next` is where the
 * following page starts, null when this page reaches the end of what was asked (or the head).
 */
export function pageOf(from: bigint, to: bigint | undefined, headSeq: bigint, limit: number): { from: bigint; to: bigint; next: bigint | null } {
  if (to !== undefined && to < from) throw usage('to', `must not be below 'from' (${from}), got ${to}`);
  const end = to === undefined || to > headSeq ? headSeq : to;
  const pageEnd = from + BigInt(limit) - 1n < end ? from + BigInt(limit) - 1n : end;
  return { from, to: pageEnd, next: pageEnd < end ? pageEnd + 1n : null };
}
