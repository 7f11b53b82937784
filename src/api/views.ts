import type { HeadView, RecordView } from './ports.js';

/**
 * JSON shapes of the API. 64-bit values (seq, offsets, timestamps, epochs, cut ids) are decimal
 * strings, so no client loses precision past 2^53; hashes and digests are lowercase hex.
 */
export function recordJson(r: RecordView) {
  return {
    seq: r.seq.toString(),
    position: { partition: r.partition, offset: r.offset.toString() },
    timestampMs: r.timestampMs.toString(),
    digest: r.digest.toString('hex'),
    hash: r.hash.toString('hex'),
    prevHash: r.prevHash.toString('hex'),
    epoch: r.epoch.toString(),
    cutId: r.cutId.toString(),
  };
}

export function headJson(h: HeadView, leader: { replicaId: string; epoch: bigint } | null) {
  return {
    seq: h.seq.toString(),
    hash: h.hash.toString('hex'),
    epoch: h.epoch.toString(),
    cutId: h.cutId.toString(),
    leader: leader ? { replicaId: leader.replicaId, epoch: leader.epoch.toString() } : null,
    updatedAt: new Date(h.updatedAtMs).toISOString(),
  };
}

const u64 = { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$', description: 'unsigned 64-bit integer, decimal string' } as const;
const hash = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

const bytes = { type: ['string', 'null'], format: 'byte' } as const;
const headers = {
  type: 'array',
  items: { type: 'object', required: ['name', 'value'], properties: { name: { type: 'string' }, value: { type: ['string', 'null'], format: 'byte' } } },
} as const;
const record = {
  type: 'object',
  required: ['seq', 'position', 'timestampMs', 'digest', 'hash', 'prevHash', 'epoch', 'cutId'],
  properties: {
    seq: u64,
    position: { type: 'object', required: ['partition', 'offset'], properties: { partition: { type: 'integer' }, offset: u64 } },
    timestampMs: { type: 'string', description: 'record timestamp, ms since the Unix epoch' },
    digest: { ...hash, description: 'SCR1 record digest' },
    hash: { ...hash, description: 'chain hash h_seq' },
    prevHash: { ...hash, description: 'h_(seq-1); the genesis hash for seq 1' },
    epoch: u64,
    cutId: u64,
  },
} as const;

/** JSON schemas for the OpenAPI document and response serialisation. */
export const schemas = {
  u64,
  hash,
  record,
  recordWithPayload: {
    type: 'object',
    required: record.required,
    properties: {
      ...record.properties,
      key: { ...bytes, description: 'record key, base64 (null: no key); only with payload=true' },
      value: { ...bytes, description: 'record value, base64 (null: no value); only with payload=true' },
      headers: { ...headers, description: 'record headers in wire order; only with payload=true' },
    },
  },
  /** One line of a GET /v1/records stream: the same fields as `seqchain tail --json`. */
  sequencedRecord: {
    type: 'object',
    required: ['seq', 'topic', 'partition', 'offset', 'timestampMs', 'key', 'value', 'headers', 'digest', 'hash'],
    properties: {
      seq: u64,
      topic: { type: 'string', description: "the chain's source topic, which the digest covers" },
      partition: { type: 'integer' },
      offset: u64,
      timestampMs: { type: 'string', description: 'record timestamp, ms since the Unix epoch' },
      key: { ...bytes, description: 'record key, base64 (null: no key)' },
      value: { ...bytes, description: 'record value, base64 (null: no value)' },
      headers: { ...headers, description: 'record headers in wire order' },
      digest: { ...hash, description: 'SCR1 digest, recomputed from the source bytes' },
      hash: { ...hash, description: 'chain hash h_seq, recomputed from the one before' },
    },
  },
  head: {
    type: 'object',
    required: ['seq', 'hash', 'epoch', 'cutId', 'leader', 'updatedAt'],
    properties: {
      seq: u64,
      hash,
      epoch: u64,
      cutId: u64,
      leader: { type: ['object', 'null'], properties: { replicaId: { type: 'string' }, epoch: u64 } },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  error: {
    type: 'object',
    required: ['code', 'message'],
    properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object', additionalProperties: true } },
  },
} as const;
