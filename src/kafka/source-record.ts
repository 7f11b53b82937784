import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { RecordHeader, SourceRecord } from '../chain/record-digest.js';

/**
 * kafkajs' view of a record → the chain's. kafkajs gives header names as strings and, since 2.0,
 * an array for a name that appears more than once (in wire order). The chain sorts headers by
 * name anyway, so the object's key order does not matter; only the order inside a name does.
 */
export function toSourceRecord(topic: string, partition: number, message: KafkaMessage): SourceRecord {
  return {
    topic,
    partition,
    offset: BigInt(message.offset),
    timestampMs: BigInt(message.timestamp),
    key: message.key ?? null,
    value: message.value ?? null,
    headers: message.headers ? flattenHeaders(message.headers) : [],
  };
}

function flattenHeaders(headers: IHeaders): RecordHeader[] {
  const out: RecordHeader[] = [];
  for (const [name, raw] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) out.push({ name: nameBytes, value: v === undefined || v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8') });
  }
  return out;
}
