import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from '../log.js';
import { sendError, toHttpError } from './http-errors.js';
import type { ApiDeps } from './ports.js';
import { registerRateLimit, type RateLimitOptions } from './rate-limit.js';
import { consoleRoutes } from './routes/console.js';
import { healthRoutes } from './routes/health.js';
import { livenessRoutes } from './routes/liveness.js';
import { logRoutes } from './routes/log.js';
import { operationRoutes } from './routes/operations.js';
import { queryRoutes } from './routes/query.js';
import { recordStreamRoutes } from './routes/records.js';

export interface ApiOptions {
  logger: Logger;
  /** Bearer token of the ops routes; null closes them (every call gets 401). */
  token: string | null;
  bodyLimitBytes: number;
  rateLimit: RateLimitOptions;
  maxPageSize: number;
  maxVerifyRange: number;
  /** Largest seq range of one GET /v1/records stream. */
  maxStreamRange: number;
  version: string;
}

/**
 * The HTTP API of one replica (Fastify): queries from the Redis index, health and metrics, and
 * the token-protected ops routes. The OpenAPI document is generated from the route schemas and
 * served at /openapi.json, so it cannot drift from what the routes check.
 */
export async function buildApi(deps: ApiDeps, options: ApiOptions): Promise<FastifyInstance> {
  const logger = options.logger;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    return503OnClosing: true,
    // Unknown query parameters are errors (a typo such as ?fro=1 must not be silently ignored).
    ajv: { customOptions: { removeAdditional: false } },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'seqchain',
        version: options.version,
        description: 'Global sequence and hash chain over a Kafka topic: queries and operations of one replica',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });

  await registerRateLimit(app, options.rateLimit);

  app.setErrorHandler((err, request, reply) => {
    const { status, body } = toHttpError(err, request, logger);
    return sendError(reply, status, body);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, { code: 'SEQCHAIN_ERR_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpRequests.inc({ route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) });
  });

  queryRoutes(app, deps, options);
  recordStreamRoutes(app, deps, options);
  logRoutes(app, deps);
  healthRoutes(app, deps);
  livenessRoutes(app, deps);
  consoleRoutes(app);
  operationRoutes(app, deps, options.token, options.rateLimit);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}
