import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { encodeLivenessEvent, LIVENESS_KEEPALIVE } from '../../wire/liveness-event.js';
import { sendError } from '../http-errors.js';
import type { ApiDeps } from '../ports.js';

/** Open liveness streams per replica: each peer holds one, so a handful; more is a misuse. */
const MAX_STREAMS = 64;
/** Comment lines keep idle proxies and NATs from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/**
 * `GET /v1/liveness`: a server-sent event stream that stays open for as long as this process
 * lives (src/wire/liveness-event.ts). Peers hold it to see this process die the moment its
 * kernel closes the socket (src/coordination/predecessor-watch.ts). Open like every read route;
 * it says nothing a member znode does not.
 */
export function livenessRoutes(app: FastifyInstance, { replica }: ApiDeps): void {
  const streams = new Set<ServerResponse>();
  let closing = false;
  // Streams never end by themselves: without this the server's close would wait for them.
  app.addHook('preClose', async () => {
    closing = true;
    for (const stream of streams) stream.end();
  });

  app.get(
    '/v1/liveness',
    {
      schema: {
        summary: 'Server-sent events: one "alive" event naming this process (replica id, ZooKeeper session, pid), then keepalive comments until it exits',
        tags: ['health'],
      },
    },
    async (request, reply) => {
      if (closing) return sendError(reply, 503, { code: 'SEQCHAIN_ERR_UNREACHABLE', message: 'replica is shutting down' });
      if (streams.size >= MAX_STREAMS) {
        return sendError(reply, 503, { code: 'SEQCHAIN_ERR_UNREACHABLE', message: `too many liveness streams open (${MAX_STREAMS}); try again later` });
      }
      const identity = replica.liveness();
      if (identity === null) return sendError(reply, 503, { code: 'SEQCHAIN_ERR_UNREACHABLE', message: 'no ZooKeeper session yet' });
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      raw.write(encodeLivenessEvent(identity));
      streams.add(raw);
      const keepalive = setInterval(() => raw.write(LIVENESS_KEEPALIVE), KEEPALIVE_MS);
      keepalive.unref();
      request.raw.socket.once('close', () => {
        clearInterval(keepalive);
        streams.delete(raw);
      });
    },
  );
}
