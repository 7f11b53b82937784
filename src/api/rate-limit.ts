import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { SeqchainError } from '../errors.js';

export interface RateLimitOptions {
  /** Requests per client address per window on every limited route; 0 switches the limit off. */
  max: number;
  /** Requests per client address per window on /v1/ops/*, failed tokens included; 0 = off. */
  opsMax: number;
  windowMs: number;
}

/** Route config that exempts a route (probes and scrapers must never be throttled into "down"). */
export const unlimited = { rateLimit: false } as const;

/**
 * Per-client-address request limits (@fastify/rate-limit, in memory per replica). The check runs
 * in onRequest, before the bearer check of the ops routes, so failed token guesses count too.
 * Over the limit: 429 SEQCHAIN_ERR_RATE_LIMITED with Retry-After.
 */
export async function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  await app.register(rateLimit, {
    global: options.max > 0,
    max: options.max,
    timeWindow: options.windowMs,
    errorResponseBuilder: (request, context) =>
      new SeqchainError(
        'SEQCHAIN_ERR_RATE_LIMITED',
        `rate limit of ${context.max} requests per ${context.after} exceeded by ${request.ip}; retry after ${Math.ceil(context.ttl / 1000)} s`,
        {
          retriable: true,
          details: { limit: context.max, windowMs: options.windowMs, retryAfterMs: context.ttl },
        },
      ),
  });
}

/** Route config of the ops routes: their own, lower limit. */
export function opsRouteLimit(options: RateLimitOptions): { rateLimit: false | { max: number; timeWindow: number } } {
  return { rateLimit: options.opsMax > 0 ? { max: options.opsMax, timeWindow: options.windowMs } : false };
}
