import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isSeqchainError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  SEQCHAIN_ERR_USAGE: 400,
  SEQCHAIN_ERR_UNAUTHORIZED: 401,
  SEQCHAIN_ERR_NOT_FOUND: 404,
  SEQCHAIN_ERR_LOG_VIEW_OFF: 404,
  SEQCHAIN_ERR_NOT_LEADER: 409,
  /** The source topic's retention deleted the record: gone for good. */
  SEQCHAIN_ERR_SOURCE_DELETED: 410,
  SEQCHAIN_ERR_RATE_LIMITED: 429,
  SEQCHAIN_ERR_UNREACHABLE: 503,
  SEQCHAIN_ERR_TIMEOUT: 503,
  /**
   * The source record or the index disagrees with the chain: the fault is on the serving side,
   * not in the request, and the bytes are never served. 500, logged; retrying never helps.
   */
  SEQCHAIN_ERR_CHAIN_BROKEN: 500,
};

/** What a parameter that failed its pattern should look like, in words. */
const PARAMETER_HINTS: Record<string, string> = {
  seq: 'a global sequence number: an integer from 1',
  from: 'a global sequence number: an integer from 1',
  to: 'a global sequence number: an integer from 1',
  size: 'a tree size: an integer from 1',
  partition: 'a partition number: an integer from 0',
  offset: 'an offset: an integer from 0',
  hex: 'a record digest: 64 hex digits',
};

export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** HTTP status and body for any error a route throws; 5xx are logged with the request's context. */
export function toHttpError(err: unknown, request: FastifyRequest, logger: Logger): { status: number; body: ErrorBody } {
  const fe = err as FastifyError;
  if (fe.validation && fe.validation.length > 0) {
    const v = fe.validation[0]!;
    const fromPath = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const extra = (v.params as { additionalProperty?: string }).additionalProperty;
    const parameter = fromPath || String((v.params as { missingProperty?: string }).missingProperty ?? extra ?? '');
    const where =
      fe.validationContext === 'querystring'
        ? 'query parameter'
        : fe.validationContext === 'params'
          ? 'path parameter'
          : `${fe.validationContext ?? 'request'} field`;
    const source = (fe.validationContext === 'querystring' ? request.query : fe.validationContext === 'params' ? request.params : request.body) as
      | Record<string, unknown>
      | undefined;
    const got = source?.[parameter];
    const hint = v.keyword === 'pattern' ? PARAMETER_HINTS[parameter] : undefined;
    const problem = extra !== undefined ? 'is not a parameter of this route' : hint ? `must be ${hint}` : (v.message ?? 'is invalid');
    const message = `${where} '${parameter}' ${problem}${got === undefined ? '' : `, got ${JSON.stringify(got)}`}`;
    return { status: 400, body: { code: 'SEQCHAIN_ERR_USAGE', message, details: { parameter, in: fe.validationContext } } };
  }
  if (isSeqchainError(err)) {
    const status = STATUS[err.code] ?? 500;
    if (status >= 500) logger.error({ err, code: err.code, details: err.details, method: request.method, url: request.url }, 'API request failed');
    return { status, body: { code: err.code, message: err.message, ...(Object.keys(err.details).length ? { details: err.details } : {}) } };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own client errors: body too large (413), bad JSON (400), wrong content type (415).
    return { status: fe.statusCode, body: { code: 'SEQCHAIN_ERR_USAGE', message: fe.message } };
  }
  logger.error({ err, method: request.method, url: request.url }, 'API request failed');
  return { status: 500, body: { code: 'SEQCHAIN_ERR_UNEXPECTED', message: (err as Error).message ?? String(err) } };
}

export function sendError(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.code(status).type('application/json').send(body);
}
