/**
 * A chunk of source records packed for the trip from the reader's source thread
 * (`source-thread.ts`) to the thread that hands them out: one buffer, transferred, not copied,
 * and read in place (keys, values and header values handed out are views into it). Each record
 * is packed as its SCR1 preimage, hashed where it was written, so a record's bytes are copied
 * once on their way from kafkajs' fetch to the caller. Pure: no I/O.
 *
 * Items, in the order the positions were asked for; integers big-endian:
 *
 *   record:  u8 0 ‖ digest[32] ‖ u32 preimage length ‖ SCR1 preimage (record-digest.ts: "SCR1",
 *            topic, partition, offset, timestampMs, key, value, headers sorted by name) ‖
 *            u32 header count ‖ per header, in wire order: u32 name index ‖ i32 len | -1 ‖ value
 *   absent:  u8 1 ‖ i64 the partition's earliest offset when it was found absent (-1: unknown)
 *
 * Header names travel once per chunk, as a table of strings (`names`); the headers are packed
 * again after the preimage because a caller gets them in wire order and the digest hashes them
 * sorted. A chunk can end before the last position asked for (`count`): after an absent record
 * the reader stops anyway, unless it skips ranges retention deleted.
 *
 * Both ends are one build of seqchain (threads of one process), so the layout carries no
 * version: it is not a wire format and is never stored.
 */
import { NULL_LENGTH } from '../chain/bytes.js';
import { HASH_BYTES } from '../chain/link.js';
import { type SourceRecord, writeRecordPreimage } from '../chain/record-digest.js';
import { sha256Into } from '../chain/sha256.js';
import { headerNameString } from '../kafka/source-record.js';
import { PreimageBuffer } from './preimage-buffer.js';
import type { RecordFields, SequencedHeader } from './window.js';

export interface PackedChunk {
  bytes: Uint8Array;
  /** Header names, by index. */
  names: string[];
  /** Items packed: positions answered, from the first asked for. */
  count: number;
}

const RECORD = 0;
const ABSENT = 1;
/** SCR1 preimage: "SCR1", then u32 topic length, the topic, u32 partition, u64 offset, then i64 timestampMs. */
const PREIMAGE_TOPIC_AT = 8;

/** Writes a chunk: records (their digests computed as they are packed) and absences. */
export class ChunkPacker extends PreimageBuffer {
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  private n = 0;

  /** `records`: how many the chunk will hold at most, for a first guess of its size. */
  constructor(records: number) {
    super(records * 512);
  }

  /** Packs `r` (it names the chain's topic, which the digest covers). */
  addRecord(r: SourceRecord): void {
    this.u8(RECORD);
    const digestAt = this.skip(HASH_BYTES);
    const lengthAt = this.skip(4);
    const start = this.pos;
    writeRecordPreimage(this, r);
    this.data.writeUInt32BE(this.pos - start, lengthAt);
    sha256Into(this.data.subarray(start, this.pos), this.data, digestAt);
    this.u32(r.headers.length, 'header count');
    for (const h of r.headers) {
      this.u32(this.nameOf(h.name), 'header name index');
      this.nullableBytes(h.value, 'header value length');
    }
    this.n++;
  }

  /** A position the topic does not hold; `low`: the partition's earliest offset, if known. */
  addAbsent(low: bigint | null): void {
    this.u8(ABSENT);
    this.i64(low ?? -1n, 'earliest offset');
    this.n++;
  }

  /** The chunk, its buffer handed over: the packer must not be used after. */
  finish(): PackedChunk {
    return { bytes: this.take(), names: this.names, count: this.n };
  }

  private nameOf(bytes: Buffer): number {
    // The string, not the bytes, is the key: names come as the strings kafkajs gave (cached bytes of them).
    const name = headerNameString(bytes);
    let at = this.nameIndex.get(name);
    if (at === undefined) {
      at = this.names.length;
      this.names.push(name);
      this.nameIndex.set(name, at);
    }
    return at;
  }
}

/** Reads a chunk's items in order. Each call to `next` moves to the next item. */
export class PackedChunkReader {
  private readonly bytes: Buffer;
  private pos = 0;
  private read = 0;
  /** Where the current record's digest starts in `buffer` (after `next` returned a record). */
  digestAt = 0;

  constructor(private readonly chunk: PackedChunk) {
    const b = chunk.bytes;
    this.bytes = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }

  get buffer(): Buffer {
    return this.bytes;
  }

  get remaining(): number {
    return this.chunk.count - this.read;
  }

  /** The next item: a record (its digest at `digestAt`), or `{ absentLow }`. */
  next(): RecordFields | { absentLow: bigint | null } {
    if (this.read >= this.chunk.count) throw new RangeError(`packed chunk: only ${this.chunk.count} items`);
    this.read++;
    const b = this.bytes;
    const kind = b[this.pos];
    if (kind === ABSENT) {
      const low = b.readBigInt64BE(this.pos + 1);
      this.pos += 9;
      return { absentLow: low < 0n ? null : low };
    }
    if (kind !== RECORD) throw new RangeError(`packed chunk: item kind ${kind} at byte ${this.pos}`);
    this.digestAt = this.pos + 1;
    const preimage = this.pos + 1 + HASH_BYTES + 4;
    const preimageEnd = preimage + b.readUInt32BE(this.pos + 1 + HASH_BYTES);
    // Past the topic, the partition (4) and the offset (8): the caller has them from the ledger.
    this.pos = preimage + PREIMAGE_TOPIC_AT + b.readUInt32BE(preimage + 4) + 12;
    const timestampMs = b.readBigInt64BE(this.pos);
    this.pos += 8;
    const key = this.nullable();
    const value = this.nullable();
    this.pos = preimageEnd;
    const n = b.readUInt32BE(this.pos);
    this.pos += 4;
    const headers = new Array<SequencedHeader>(n);
    for (let i = 0; i < n; i++) {
      const name = this.chunk.names[b.readUInt32BE(this.pos)];
      if (name === undefined) throw new RangeError(`packed chunk: header name index out of range at byte ${this.pos}`);
      this.pos += 4;
      headers[i] = { name, value: this.nullable() };
    }
    return { timestampMs, key, value, headers };
  }

  private nullable(): Buffer | null {
    const len = this.bytes.readInt32BE(this.pos);
    this.pos += 4;
    if (len === NULL_LENGTH) return null;
    const v = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return v;
  }
}
