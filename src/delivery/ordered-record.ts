/**
 * The ordered topic's record format (docs/CONSUMING.md, "The ordered topic"), pure: a sequenced
 * record as the Kafka message the ordered writer publishes, and the resume point read back from
 * the last one committed. No I/O.
 *
 * A message carries the source record's key, value, timestamp and headers, then two headers of
 * seqchain's: `seqchain.seq` (the global seq, decimal ASCII) and `seqchain.hash` (h_seq, 64
 * lowercase hex digits). They are the last two headers of the message; a source record that
 * already has headers of these names keeps them, before seqchain's (a reader takes the last value).
 */
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { HASH_BYTES } from '../chain/link.js';
import { MalformedMessageError } from '../errors.js';
import type { SequencedRecord } from '../reader/window.js';

export const ORDERED_SEQ_HEADER = 'seqchain.seq';
export const ORDERED_HASH_HEADER = 'seqchain.hash';
const FORMAT = 'ordered topic record';

/** Where the ordered topic stands: its last committed record's seq and hash (seq 0 and the genesis hash when empty). */
export interface OrderedPosition {
  seq: bigint;
  hash: Buffer;
}

/**
 * The message for one sequenced record. kafkajs writes headers grouped by name in first-seen
 * order (a repeated name as an array, its values in order), which is how it delivered them.
 *
 * A null header value is written as an empty one: kafkajs cannot send a null header value (its
 * record encoder sizes every value with Buffer.byteLength, which throws on null).
 */
export function orderedMessage(r: SequencedRecord): Message {
  const headers: IHeaders = {};
  const add = (name: string, value: Buffer | string): void => {
    const had = headers[name];
    headers[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  };
  for (const h of r.headers) add(h.name, h.value ?? Buffer.alloc(0));
  add(ORDERED_SEQ_HEADER, r.seq.toString(10));
  add(ORDERED_HASH_HEADER, r.hash.toString('hex'));
  return { key: r.key, value: r.value, timestamp: r.timestampMs.toString(10), headers };
}

/** Bytes a message adds to a produce request, near enough to keep a send under the broker's limit. */
export function messageBytes(m: Message): number {
  let n = 64 + (m.key ? Buffer.byteLength(m.key) : 0) + (m.value ? Buffer.byteLength(m.value) : 0);
  for (const [name, v] of Object.entries(m.headers ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) n += 10 + Buffer.byteLength(name) + (one === undefined ? 0 : Buffer.byteLength(one));
  }
  return n;
}

/** The last value of header `name`, as kafkajs delivers headers (a repeated name as an array). */
function lastHeader(headers: KafkaMessage['headers'], name: string): Buffer | null {
  const v = headers?.[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  if (last === undefined || last === null) return null;
  return Buffer.isBuffer(last) ? last : Buffer.from(String(last), 'utf8');
}

/**
 * The position an ordered-topic message stands for, from its seqchain headers. A message without
 * them, or with a value that is not a canonical seq or a 32-byte hex hash, is a
 * `MalformedMessageError` naming the offset: something other than seqchain wrote the topic.
 */
export function orderedPositionOf(headers: KafkaMessage['headers'], offset: bigint): OrderedPosition {
  const seqBytes = lastHeader(headers, ORDERED_SEQ_HEADER);
  const hashBytes = lastHeader(headers, ORDERED_HASH_HEADER);
  const details = { offset: offset.toString() };
  if (seqBytes === null)
    throw new MalformedMessageError(FORMAT, `offset ${offset}: no ${ORDERED_SEQ_HEADER} header`, { ...details, field: ORDERED_SEQ_HEADER });
  if (hashBytes === null)
    throw new MalformedMessageError(FORMAT, `offset ${offset}: no ${ORDERED_HASH_HEADER} header`, { ...details, field: ORDERED_HASH_HEADER });
  const seqText = seqBytes.toString('latin1');
  if (!/^[1-9][0-9]{0,18}$/.test(seqText))
    throw new MalformedMessageError(FORMAT, `offset ${offset}: ${ORDERED_SEQ_HEADER} is not a seq ≥ 1 in decimal: ${JSON.stringify(seqText.slice(0, 40))}`, {
      ...details,
      field: ORDERED_SEQ_HEADER,
    });
  const hashText = hashBytes.toString('latin1');
  if (!new RegExp(`^[0-9a-f]{${HASH_BYTES * 2}}$`).test(hashText))
    throw new MalformedMessageError(FORMAT, `offset ${offset}: ${ORDERED_HASH_HEADER} is not ${HASH_BYTES * 2} lowercase hex digits`, {
      ...details,
      field: ORDERED_HASH_HEADER,
    });
  return { seq: BigInt(seqText), hash: Buffer.from(hashText, 'hex') };
}

/**
 * Splits the messages of one transaction into sends that stay under `maxBytes` each (a record
 * batch above the topic's max.message.bytes is refused); a single larger message goes alone.
 */
export function splitBySize<T>(items: readonly T[], size: (t: T) => number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length > 0 && bytes + n > maxBytes) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}
