import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { sendError } from '../http-errors.js';

/**
 * The web console (src/console/web, built by `npm run build` into dist/console): `GET /ui/` and
 * its hashed assets, read once at start. Everything it shows comes from this same API.
 *
 * Strict CSP: scripts and styles from this origin only, nothing inline, no other origin reached,
 * no framing. Assets are named by their content hash, so they are cached for a year.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };

/** dist/console, seen from dist/src/api/routes. */
const BUILT = fileURLToPath(new URL('../../../console/', import.meta.url));

function loadConsole(dir: string): { index: string; assets: Map<string, Buffer> } | null {
  if (!existsSync(join(dir, 'index.html'))) return null;
  const assets = new Map<string, Buffer>();
  for (const name of readdirSync(join(dir, 'assets'))) assets.set(name, readFileSync(join(dir, 'assets', name)));
  return { index: readFileSync(join(dir, 'index.html'), 'utf8'), assets };
}

export function consoleRoutes(app: FastifyInstance, dir = BUILT): void {
  const built = loadConsole(dir);
  const security = { 'content-security-policy': CONSOLE_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

  app.get('/ui', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/ui/', 301));
  app.get('/ui/', { schema: { hide: true } }, async (_req, reply) => {
    if (!built) return sendError(reply, 404, { code: 'SEQCHAIN_ERR_NOT_FOUND', message: 'the console is not built: run npm run build' });
    return reply
      .headers({ ...security, 'cache-control': 'no-cache' })
      .type('text/html; charset=utf-8')
      .send(built.index);
  });
  app.get<{ Params: { file: string } }>('/ui/assets/:file', { schema: { hide: true } }, async (req, reply) => {
    const body = built?.assets.get(req.params.file);
    const type = TYPES[req.params.file.split('.').pop() ?? ''];
    if (!body || !type) return sendError(reply, 404, { code: 'SEQCHAIN_ERR_NOT_FOUND', message: `no console asset ${req.params.file}` });
    return reply
      .headers({ ...security, 'cache-control': 'public, max-age=31536000, immutable' })
      .type(type)
      .send(body);
  });
}
