import type { KafkaMessage } from 'kafkajs';
import { SeqchainError } from '../errors.js';

/**
 * Size of a source record as the worker.maxRecordBytes policy counts it: key + value + every
 * header name and value, in bytes (what the record digest reads; Kafka's framing is not counted).
 */
export function recordBytes(message: KafkaMessage): number {
  let n = (message.key?.length ?? 0) + (message.value?.length ?? 0);
  const headers = message.headers;
  if (headers) {
    for (const [name, raw] of Object.entries(headers)) {
      for (const v of Array.isArray(raw) ? raw : [raw]) {
        n += Buffer.byteLength(name) + (v == null ? 0 : Buffer.isBuffer(v) ? v.length : Buffer.byteLength(v));
      }
    }
  }
  return n;
}

/**
 * A source record above worker.maxRecordBytes. Never retriable in place: the record stays where it
 * is and is never skipped (exactly-once), so its partition waits until the limit is raised.
 */
export class RecordTooLargeError extends SeqchainError {
  constructor(topic: string, partition: number, offset: string, size: number, limit: number) {
    super(
      'SEQCHAIN_ERR_RECORD_TOO_LARGE',
      `source topic ${topic} partition ${partition} offset ${offset}: record is ${size} bytes, above worker.maxRecordBytes (${limit}); the worker stops on this partition (nothing is skipped) until the limit is raised`,
      { details: { topic, partition, offset, size, limit } },
    );
    this.name = 'RecordTooLargeError';
  }
}
