import type { FastifyInstance } from 'fastify';
import { checkBearer } from '../auth.js';
import type { ApiDeps } from '../ports.js';
import { opsRouteLimit, type RateLimitOptions } from '../rate-limit.js';
import { schemas } from '../views.js';

const errors = { 401: schemas.error, 409: schemas.error, 503: schemas.error };
const ok = { type: 'object', additionalProperties: true } as const;

/** Routes that change what the replica set does: bearer token required (constant-time check). */
export function operationRoutes(app: FastifyInstance, { replica }: ApiDeps, token: string | null, limits: RateLimitOptions): void {
  const config = opsRouteLimit(limits);
  app.register(async (ops) => {
    // preParsing, not onRequest: the rate limit (onRequest) must count failed tokens too, and an
    // unauthenticated body is still never parsed.
    ops.addHook('preParsing', async (req) => checkBearer(req.headers.authorization, token));

    ops.post(
      '/v1/ops/resign',
      {
        config,
        schema: { summary: 'The leader ends its term and hands leadership on', tags: ['ops'], security: [{ bearer: [] }], response: { 200: ok, ...errors } },
      },
      async (req) => {
        const result = await replica.resign();
        req.log.info({ op: 'resign', ...result }, 'leader resigned on request');
        return result;
      },
    );

    ops.post<{ Body: { reason?: string } | undefined }>(
      '/v1/ops/pause',
      {
        config,
        schema: {
          summary: 'Stop sequencing (the chain, not one replica) until resume; workers keep digesting',
          tags: ['ops'],
          security: [{ bearer: [] }],
          body: { type: ['object', 'null'], additionalProperties: false, properties: { reason: { type: 'string', maxLength: 200 } } },
          response: { 200: ok, ...errors },
        },
      },
      async (req) => {
        const pause = await replica.pause(req.body?.reason ?? '');
        req.log.info({ op: 'pause', by: pause.by }, 'sequencing paused on request');
        return { paused: true, ...pause };
      },
    );

    ops.post(
      '/v1/ops/resume',
      { config, schema: { summary: 'Resume sequencing after a pause', tags: ['ops'], security: [{ bearer: [] }], response: { 200: ok, ...errors } } },
      async (req) => {
        const wasPaused = await replica.resume();
        req.log.info({ op: 'resume', wasPaused }, 'sequencing resumed on request');
        return { paused: false, wasPaused };
      },
    );

    ops.post(
      '/v1/ops/reindex',
      {
        config,
        schema: {
          summary: 'Flush the Redis index and rebuild it from the ledger',
          tags: ['ops'],
          security: [{ bearer: [] }],
          response: { 202: ok, ...errors },
        },
      },
      async (req, reply) => {
        await replica.reindex();
        req.log.info({ op: 'reindex' }, 'reindex started on request');
        return reply.code(202).send({ reindexing: true });
      },
    );
  });
}
