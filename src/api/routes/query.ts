import type { FastifyInstance } from 'fastify';
import { payloadJson } from '../../reader/record-json.js';
import type { ApiDeps } from '../ports.js';
import { checkedRecord } from '../record-stream.js';
import { digestParam, notFound, offsetParam, pageOf, partitionParam, seqParam, usage } from '../params.js';
import { headJson, recordJson, schemas } from '../views.js';

const errors = { 400: schemas.error, 404: schemas.error, 503: schemas.error };
const fromTo = {
  type: 'object',
  additionalProperties: false,
  properties: { from: seqParam, to: seqParam },
} as const;

/** Read-only routes every replica answers from the Redis index. */
export function queryRoutes(app: FastifyInstance, { query, replica, metrics }: ApiDeps, limits: { maxPageSize: number; maxVerifyRange: number }): void {
  const headOrEmpty = async () => {
    const head = await query.head();
    if (!head) throw notFound('the index holds nothing yet (it is catching up with the ledger)', {});
    return head;
  };

  app.get(
    '/v1/head',
    { schema: { summary: 'The chain head: last sequenced record as indexed', tags: ['query'], response: { 200: schemas.head, ...errors } } },
    async () => {
      const [head, leader] = await Promise.all([headOrEmpty(), replica.leader()]);
      return headJson(head, leader);
    },
  );

  app.get<{ Params: { seq: string }; Querystring: { payload?: boolean } }>(
    '/v1/records/:seq',
    {
      schema: {
        summary: 'The record at a global sequence number; with payload=true also its key, value and headers, read from the source topic and checked',
        tags: ['query'],
        params: { type: 'object', required: ['seq'], properties: { seq: seqParam } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            payload: {
              type: 'boolean',
              description:
                'true: add key, value (base64, null stays null) and headers (wire order), read from the source topic; its digest and link are recomputed first',
            },
          },
        },
        response: { 200: schemas.recordWithPayload, ...errors, 410: schemas.error, 500: schemas.error },
      },
    },
    async (req) => {
      const seq = BigInt(req.params.seq);
      const record = await query.record(seq);
      if (!record) throw notFound(`seq ${seq} is not in the index (beyond the head, or not indexed yet)`, { seq: seq.toString() });
      if (req.query.payload !== true) return recordJson(record);
      return { ...recordJson(record), ...payloadJson(await checkedRecord({ query, replica, metrics }, record)) };
    },
  );

  app.get<{ Params: { partition: string; offset: string } }>(
    '/v1/positions/:partition/:offset',
    {
      schema: {
        summary: 'The global seq of a source record, by its partition and offset',
        tags: ['query'],
        params: { type: 'object', required: ['partition', 'offset'], properties: { partition: partitionParam, offset: offsetParam } },
        response: { 200: schemas.record, ...errors },
      },
    },
    async (req) => {
      const partition = Number(req.params.partition);
      const offset = BigInt(req.params.offset);
      const record = await query.byPosition(partition, offset);
      if (!record)
        throw notFound(`partition ${partition} offset ${offset} is not sequenced (not yet, below the chain's start, or no record there)`, {
          partition,
          offset: offset.toString(),
        });
      return recordJson(record);
    },
  );

  app.get<{ Params: { hex: string } }>(
    '/v1/digests/:hex',
    {
      schema: {
        summary: 'The global seq of a record, by its SCR1 digest',
        tags: ['query'],
        params: { type: 'object', required: ['hex'], properties: { hex: digestParam } },
        response: { 200: schemas.record, ...errors },
      },
    },
    async (req) => {
      const digest = Buffer.from(req.params.hex, 'hex');
      const record = await query.byDigest(digest);
      if (!record) throw notFound(`no record with digest ${req.params.hex.toLowerCase()} in the index`, { digest: req.params.hex.toLowerCase() });
      return recordJson(record);
    },
  );

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/v1/chain',
    {
      schema: {
        summary: `Entries of a seq range, one page (at most ${limits.maxPageSize}) at a time; follow "next"`,
        tags: ['query'],
        querystring: fromTo,
        response: {
          200: {
            type: 'object',
            required: ['from', 'to', 'entries', 'next'],
            properties: { from: schemas.u64, to: schemas.u64, next: { type: ['string', 'null'] }, entries: { type: 'array', items: schemas.record } },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const from = req.query.from === undefined ? 1n : BigInt(req.query.from);
      const to = req.query.to === undefined ? undefined : BigInt(req.query.to);
      const head = await headOrEmpty();
      const page = pageOf(from, to, head.seq, limits.maxPageSize);
      const entries = page.to >= page.from ? await query.range(page.from, page.to) : [];
      return {
        from: page.from.toString(),
        to: (page.to >= page.from ? page.to : page.from - 1n).toString(),
        next: page.next?.toString() ?? null,
        entries: entries.map(recordJson),
      };
    },
  );

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/v1/verify',
    {
      schema: {
        summary: 'Recompute a seq range from the source topic and the chain; name the first broken link',
        tags: ['query'],
        querystring: fromTo,
        response: { 200: { type: 'object', additionalProperties: true }, ...errors },
      },
    },
    async (req) => {
      const head = await headOrEmpty();
      const from = req.query.from === undefined ? 1n : BigInt(req.query.from);
      const to = req.query.to === undefined ? head.seq : BigInt(req.query.to);
      if (to < from) throw usage('to', `must not be below 'from' (${from}), got ${to}`);
      if (to > head.seq) throw notFound(`'to' (${to}) is beyond the indexed head (seq ${head.seq})`, { to: to.toString(), head: head.seq.toString() });
      if (to - from + 1n > BigInt(limits.maxVerifyRange))
        throw usage(
          'to',
          `spans ${to - from + 1n} records; at most ${limits.maxVerifyRange} per request (api.maxVerifyRange); use seqchain verify for the whole chain`,
        );
      const report = await replica.verifyRange(from, to);
      if (!report.ok) metrics.verificationFailures.inc();
      return report;
    },
  );
}
