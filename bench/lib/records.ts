/**
 * The benchmark's records: record i of a run is the same bytes whichever topic it goes to, so
 * the 12-partition source and its one-partition copy hold the same records. Shape as
 * `seqchain produce` makes them: key `key-<i mod keys>`, a value of `size` bytes (a fixed
 * pseudo-random payload with i in its first 4 bytes), and `headers` headers whose names repeat
 * in pairs (h0, h0, h2, h2, …: duplicate names are part of the chain format). Pure.
 */
import type { Message } from 'kafkajs';
import type { RecordHeader, SourceRecord } from '../../src/chain/record-digest.js';

export interface RecordShape {
  /** Value size, bytes. */
  size: number;
  /** Distinct keys; 0 = null keys. */
  keys: number;
  /** Headers per record. */
  headers: number;
}

export interface BenchRecord {
  key: Buffer | null;
  value: Buffer;
  /** In wire order. */
  headers: [name: string, value: Buffer][];
}

/** A fixed, incompressible-looking payload (xorshift32 from a constant seed). */
export function payload(size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Builds records of one shape; reuses the payload template. */
export class RecordFactory {
  private readonly template: Buffer;

  constructor(readonly shape: RecordShape) {
    if (!Number.isInteger(shape.size) || shape.size < 0) throw new RangeError(`size ${shape.size} must be a whole number ≥ 0`);
    this.template = payload(shape.size);
  }

  record(i: number): BenchRecord {
    const { size, keys, headers } = this.shape;
    const value = Buffer.allocUnsafe(size);
    this.template.copy(value);
    if (size >= 4) value.writeUInt32BE(i >>> 0, 0);
    const hs: [string, Buffer][] = [];
    for (let h = 0; h < headers; h++) hs.push([h % 2 === 1 ? `h${h - 1}` : `h${h}`, Buffer.from(`v${i}-${h}`)]);
    return { key: keys > 0 ? Buffer.from(`key-${i % keys}`) : null, value, headers: hs };
  }

  /** Record i as a kafkajs message for `partition`, optionally with an explicit timestamp (ms). */
  message(i: number, partition: number, timestampMs?: number): Message {
    const r = this.record(i);
    const headers: Record<string, Buffer[]> = {};
    for (const [name, v] of r.headers) (headers[name] ??= []).push(v);
    const m: Message = { partition, key: r.key, value: r.value, headers };
    if (timestampMs !== undefined) m.timestamp = String(Math.floor(timestampMs));
    return m;
  }

  /** Record i as the chain sees it, at a given position. */
  sourceRecord(i: number, topic: string, partition: number, offset: bigint, timestampMs: bigint): SourceRecord {
    const r = this.record(i);
    const headers: RecordHeader[] = r.headers.map(([name, value]) => ({ name: Buffer.from(name, 'utf8'), value }));
    return { topic, partition, offset, timestampMs, key: r.key, value: r.value, headers };
  }
}

/** Where record i goes in a topic of `partitions` partitions: round-robin, like `seqchain produce`. */
export function partitionOf(i: number, partitions: number): number {
  return i % partitions;
}
