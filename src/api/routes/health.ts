import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../ports.js';
import { unlimited } from '../rate-limit.js';

/** Liveness, readiness, status and Prometheus metrics: open, like every read route. */
export function healthRoutes(app: FastifyInstance, { replica, metrics }: ApiDeps): void {
  app.get('/healthz', { config: unlimited, schema: { summary: 'The process is alive', tags: ['health'] } }, async () => ({ ok: true }));

  app.get(
    '/readyz',
    { config: unlimited, schema: { summary: 'ZooKeeper, Kafka and Redis reachable and the index caught up (503 otherwise)', tags: ['health'] } },
    async (_req, reply) => {
      const readiness = await replica.readiness();
      return reply.code(readiness.ready ? 200 : 503).send(readiness);
    },
  );

  app.get(
    '/v1/status',
    { schema: { summary: 'Members, leader, epoch, partition ownership, per-partition lag, last cut latency, index lag', tags: ['query'] } },
    async () => replica.status(),
  );

  app.get('/metrics', { config: unlimited, schema: { summary: 'Prometheus metrics', tags: ['health'] } }, async (_req, reply) => {
    await replica.refreshGauges();
    return reply.type(metrics.contentType).send(await metrics.text());
  });
}
