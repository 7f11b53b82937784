import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { RecordHeader, SourceRecord } from '../chain/record-digest.js';

/**
 * kafkajs' view of a record → the chain's. kafkajs gives header names as strings and, since 2.0,
 * an array for a name that appears more than once (in wire order). The chain sorts headers by
 * name anyway, so the object's key order does not matter; only the order inside a name does.
 */
export function toSourceRecord(topic: string, partition: number, message: KafkaMessage, offset?: bigint): SourceRecord {
  return {
    topic,
    partition,
    // `offset`: the caller already holds the message's offset as a bigint (the reader: the ledger's, which the feed matched).
    offset: offset ?? BigInt(message.offset),
    timestampMs: BigInt(message.timestamp),
    key: message.key ?? null,
    value: message.value ?? null,
    headers: message.headers ? flattenHeaders(message.headers) : [],
  };
}

/**
 * Header names as bytes, encoded once: a topic's records carry the same few names, and a Buffer
 * per header per record was a good part of a reader's garbage. Bounded: past it, names are
 * encoded each time (the bytes are the same either way; callers never write into them).
 */
const nameBytesCache = new Map<string, Buffer>();
/** The way back, for the names cached above: a reader hands names out as strings again. */
const nameStrings = new WeakMap<Buffer, string>();
const NAME_CACHE_MAX = 1024;

function nameBytes(name: string): Buffer {
  let b = nameBytesCache.get(name);
  if (b === undefined) {
    b = Buffer.from(name, 'utf8');
    if (nameBytesCache.size < NAME_CACHE_MAX) {
      nameBytesCache.set(name, b);
      nameStrings.set(b, name);
    }
  }
  return b;
}

/** A header name as a string: the one it was encoded from when the bytes are a cached name, else decoded. */
export function headerNameString(name: Buffer): string {
  return nameStrings.get(name) ?? name.toString('utf8');
}

function flattenHeaders(headers: IHeaders): RecordHeader[] {
  const out: RecordHeader[] = [];
  for (const name of Object.keys(headers)) {
    const raw = headers[name];
    const nameB = nameBytes(name);
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) out.push({ name: nameB, value: v === undefined || v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8') });
  }
  return out;
}
