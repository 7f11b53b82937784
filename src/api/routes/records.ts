import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { isSeqchainError } from '../../errors.js';
import { notFound, seqParam, usage } from '../params.js';
import type { ApiDeps } from '../ports.js';
import { checkedRecords, ndjsonLines } from '../record-stream.js';
import { schemas } from '../views.js';

export const NDJSON = 'application/x-ndjson';

/**
 * GET /v1/records?from=&to=: the source records of a seq range in global order, one NDJSON line
 * each, every digest and link recomputed as the reader does. The collection of which
 * /v1/records/{seq}?payload=true is one item (/v1/chain stays the index's entries, without bytes).
 */
export function recordStreamRoutes(app: FastifyInstance, deps: ApiDeps, limits: { maxPageSize: number; maxStreamRange: number }): void {
  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/v1/records',
    {
      schema: {
        summary: `Stream the records of a seq range as NDJSON (${NDJSON}), checked against the chain; at most ${limits.maxStreamRange} per request (api.maxStreamRange)`,
        description:
          'One line per record: {seq, topic, partition, offset, timestampMs, key, value, headers, digest, hash} (bytes base64, headers in wire order), the same as `seqchain tail --json`. ' +
          'A record that cannot be served before the first line is an ordinary error response; after it, the stream ends with one line {"error": {code, message, seq, partition, offset, details}} (seq: the first seq not sent) and nothing after it.',
        tags: ['query'],
        querystring: { type: 'object', additionalProperties: false, properties: { from: seqParam, to: seqParam } },
        response: {
          200: { description: 'NDJSON, one record per line', content: { [NDJSON]: { schema: schemas.sequencedRecord } } },
          400: schemas.error,
          404: schemas.error,
          410: schemas.error,
          500: schemas.error,
          503: schemas.error,
        },
      },
    },
    async (req, reply) => {
      const from = req.query.from === undefined ? 1n : BigInt(req.query.from);
      const asked = req.query.to === undefined ? undefined : BigInt(req.query.to);
      const checkSpan = (to: bigint) => {
        if (to < from) throw usage('to', `must not be below 'from' (${from}), got ${to}`);
        if (to - from + 1n > BigInt(limits.maxStreamRange))
          throw usage(
            'to',
            `spans ${to - from + 1n} records; at most ${limits.maxStreamRange} per request (api.maxStreamRange); ask for the rest in further requests`,
          );
      };
      // A range that is too long is refused for what it is, before the index is asked anything.
      if (asked !== undefined) checkSpan(asked);
      const head = await deps.query.head();
      if (!head) throw notFound('the index holds nothing yet (it is catching up with the ledger)', {});
      if (from > head.seq)
        throw notFound(`'from' (${from}) is beyond the indexed head (seq ${head.seq})`, { from: from.toString(), head: head.seq.toString() });
      if (asked !== undefined && asked > head.seq)
        throw notFound(`'to' (${asked}) is beyond the indexed head (seq ${head.seq})`, { to: asked.toString(), head: head.seq.toString() });
      const to = asked ?? head.seq;
      checkSpan(to);

      const records = checkedRecords(deps, from, to, limits.maxPageSize);
      // The first record before the status: a range that fails at once answers with its error's status.
      const first = await records.next();
      if (first.done) throw notFound(`seq ${from} is not in the index`, { seq: from.toString() });
      const lines = ndjsonLines(first.value, records, (err, seq) => {
        const level = isSeqchainError(err) && err.code === 'SEQCHAIN_ERR_SOURCE_DELETED' ? 'warn' : 'error';
        req.log[level]({ err, seq: seq.toString(), from: from.toString(), to: to.toString() }, 'record stream ended with an error line');
      });
      return reply.type(NDJSON).send(Readable.from(lines));
    },
  );
}
