import type { FastifyInstance, FastifyReply } from 'fastify';
import { SeqchainError, isSeqchainError } from '../../errors.js';
import { parseTilePath, TILE_WIDTH, type TileRef } from '../../tlog/index.js';
import type { ApiDeps, LogPort } from '../ports.js';
import { notFound, seqParam, usage } from '../params.js';
import { schemas } from '../views.js';

const errors = { 400: schemas.error, 404: schemas.error, 503: schemas.error };
/** A tree size as the proof routes take it: decimal, from 1, at most 2^53 − 1 (checked below). */
const sizeParam = { type: 'string', pattern: '^[1-9][0-9]{0,15}$', description: 'tree size (decimal)' } as const;
const b64hash = { type: 'string', description: 'SHA-256 hash, standard base64 (as in checkpoints)' } as const;
/** Full tiles never change; a partial one is replaced by a wider one as the tree grows. */
const CACHE_FULL = 'public, max-age=31536000, immutable';
const CACHE_PARTIAL = 'public, max-age=10';

function viewOff(): SeqchainError {
  return new SeqchainError(
    'SEQCHAIN_ERR_LOG_VIEW_OFF',
    'the log view is off on this replica (logView.enabled is false): it serves no checkpoints, tiles or proofs',
  );
}

function safeSize(parameter: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw usage(parameter, `must be at most 2^53 − 1, got ${value}`);
  return n;
}

/**
 * The log view (docs/LOG.md): the C2SP tlog-tiles read paths (`/checkpoint`, `/tile/…`) and the
 * JSON proof routes, answered by every replica from the Redis index, no token. Hashes in JSON are
 * standard base64 as in checkpoints; sizes and seqs are decimal strings like the rest of the API.
 */
export function logRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const log = (): LogPort => {
    if (!deps.log) throw viewOff();
    return deps.log;
  };
  const noCheckpoint = () => notFound('no signed checkpoint yet (no cut with the log view is indexed)', {});
  const latest = async (port: LogPort) => {
    const cp = await port.latest();
    if (!cp) throw noCheckpoint();
    return cp;
  };
  /** A size asked for must be at most the latest checkpoint's; read only when no bigger one is known already. */
  const served = async (port: LogPort, parameter: string, size: number) => {
    if (size <= port.knownSize()) return;
    const cp = await latest(port);
    if (size > cp.size) throw usage(parameter, `is beyond the latest checkpoint (size ${cp.size}), got ${size}`);
  };

  app.get(
    '/checkpoint',
    { schema: { summary: 'The latest signed checkpoint (C2SP tlog-checkpoint in a signed note), text/plain', tags: ['log'], response: errors } },
    async (_req, reply) => {
      const cp = await latest(log());
      return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(cp.note);
    },
  );

  app.get<{ Params: { '*': string } }>(
    '/tile/*',
    {
      schema: {
        summary:
          'C2SP tlog-tiles: hash tile tile/<L>/<N>[.p/<W>] (32-byte hashes) or entry bundle tile/entries/<N>[.p/<W>] (uint16-length-prefixed SCT1 entries), application/octet-stream',
        tags: ['log'],
        response: errors,
      },
    },
    async (req, reply: FastifyReply) => {
      const port = log();
      const path = `tile/${req.params['*']}`;
      let ref: TileRef;
      try {
        ref = parseTilePath(path);
      } catch (err) {
        if (!isSeqchainError(err)) throw err;
        throw new SeqchainError('SEQCHAIN_ERR_USAGE', `path '${path}' is not a tlog-tiles path: ${err.message}`, { details: { parameter: 'path', path } });
      }
      const bytes = ref.level === 'entries' ? await port.entries(ref.index, ref.width) : await port.tile(ref.level, ref.index, ref.width);
      if (!bytes) throw notFound(`${path} is beyond the tree the index holds`, { path });
      return reply
        .type('application/octet-stream')
        .header('cache-control', ref.width === TILE_WIDTH ? CACHE_FULL : CACHE_PARTIAL)
        .send(bytes);
    },
  );

  app.get(
    '/v1/log/key',
    {
      schema: {
        summary: 'The log origin and the verifier key its checkpoints are signed with',
        tags: ['log'],
        response: {
          200: {
            type: 'object',
            required: ['origin', 'verifierKey', 'verifierKeys'],
            properties: {
              origin: { type: 'string' },
              verifierKey: { type: 'string', description: 'the first of verifierKeys' },
              verifierKeys: { type: 'array', items: { type: 'string' }, description: 'every key checkpoints are signed with: several during a key rotation' },
            },
          },
          ...errors,
        },
      },
    },
    async () => {
      const port = log();
      return { origin: port.origin, verifierKey: port.verifierKeys[0], verifierKeys: port.verifierKeys };
    },
  );

  app.get<{ Querystring: { seq: string; size?: string } }>(
    '/v1/proofs/inclusion',
    {
      schema: {
        summary: 'RFC 9162 inclusion proof of record seq (leaf seq − 1) in the tree of a size (default: the latest checkpoint)',
        tags: ['log'],
        querystring: { type: 'object', additionalProperties: false, required: ['seq'], properties: { seq: seqParam, size: sizeParam } },
        response: {
          200: {
            type: 'object',
            required: ['seq', 'leafIndex', 'treeSize', 'proof', 'checkpoint'],
            properties: {
              seq: schemas.u64,
              leafIndex: schemas.u64,
              treeSize: schemas.u64,
              proof: { type: 'array', items: b64hash },
              checkpoint: { type: ['string', 'null'], description: 'the signed checkpoint of treeSize, or null when no cut ended there' },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const port = log();
      const seq = safeSize('seq', req.query.seq);
      const asked = req.query.size === undefined ? null : safeSize('size', req.query.size);
      if (asked !== null) {
        await served(port, 'size', asked);
        if (seq > asked) throw usage('seq', `is beyond the tree size ${asked}, got ${seq}`);
      }
      const got = await port.inclusionAt(seq - 1, asked);
      if (!got) throw noCheckpoint();
      const { size, proof, checkpoint } = got;
      if (!proof) throw usage('seq', `is beyond the tree size ${size}, got ${seq}`);
      return { seq: String(seq), leafIndex: String(seq - 1), treeSize: String(size), proof: proof.map((h) => h.toString('base64')), checkpoint };
    },
  );

  app.get<{ Querystring: { from: string; to?: string } }>(
    '/v1/proofs/consistency',
    {
      schema: {
        summary: 'RFC 9162 consistency proof from the tree of size from to the tree of size to (default: the latest checkpoint)',
        tags: ['log'],
        querystring: { type: 'object', additionalProperties: false, required: ['from'], properties: { from: sizeParam, to: sizeParam } },
        response: {
          200: {
            type: 'object',
            required: ['from', 'to', 'proof'],
            properties: { from: schemas.u64, to: schemas.u64, proof: { type: 'array', items: b64hash } },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const port = log();
      const from = safeSize('from', req.query.from);
      const asked = req.query.to === undefined ? null : safeSize('to', req.query.to);
      if (asked !== null) {
        await served(port, 'to', asked);
        if (from > asked) throw usage('from', `must not be above 'to' (${asked}), got ${from}`);
      }
      const got = await port.consistencyAt(from, asked);
      if (!got) throw noCheckpoint();
      const { size: to, proof } = got;
      if (!proof) throw usage('from', `must not be above 'to' (${to}), got ${from}`);
      return { from: String(from), to: String(to), proof: proof.map((h) => h.toString('base64')) };
    },
  );
}
