import { readFileSync } from 'node:fs';
import type { SourceRecord } from '../../../src/chain/record-digest.js';

/** The chain's byte-exact vectors (test/vectors/chain-v1.json, made by an independent Python script). */

type BytesSpec = string | null | { repeatHex: string; bytes: number };

export interface RecordCase {
  name: string;
  topic: string;
  partition: number;
  offset: string;
  timestampMs: string;
  key: BytesSpec;
  value: BytesSpec;
  headers: { name: string; value: BytesSpec }[];
  digest: string;
}

export interface GenesisCase {
  name: string;
  chainId: string;
  topic: string;
  start: string[];
  createdAtMs: string;
  nonce: string;
  hash: string;
}

export interface Vectors {
  version: number;
  records: RecordCase[];
  genesis: GenesisCase[];
  chain: { genesis: string; genesisHash: string; links: { seq: string; record: string; digest: string; hash: string }[] };
}

export const vectors = JSON.parse(readFileSync(new URL('../../vectors/chain-v1.json', import.meta.url), 'utf8')) as Vectors;

function bytes(spec: BytesSpec): Buffer | null {
  if (spec === null) return null;
  if (typeof spec === 'string') return Buffer.from(spec, 'hex');
  const pattern = Buffer.from(spec.repeatHex, 'hex');
  const out = Buffer.alloc(spec.bytes);
  for (let i = 0; i < out.length; i += pattern.length) pattern.copy(out, i);
  return out;
}

export function toRecord(c: RecordCase): SourceRecord {
  return {
    topic: c.topic,
    partition: c.partition,
    offset: BigInt(c.offset),
    timestampMs: BigInt(c.timestampMs),
    key: bytes(c.key),
    value: bytes(c.value),
    headers: c.headers.map((h) => ({ name: Buffer.from(h.name, 'hex'), value: bytes(h.value) })),
  };
}
