/**
 * A growing buffer that SCR1 preimages are written into (a `PreimageSink`): the packed batches of
 * the verifier's hashing threads (`digest-batch.ts`) and the chunks of the reader's source thread
 * (`record-pack.ts`). Its memory is an ArrayBuffer of its own (never Node's shared pool), so a
 * finished buffer can be transferred to another thread. No I/O.
 */
import { NULL_LENGTH, writeI32, writeI64, writeU32, writeU64 } from '../chain/bytes.js';
import type { PreimageSink } from '../chain/record-digest.js';

export class PreimageBuffer implements PreimageSink {
  protected data: Buffer;
  protected pos = 0;

  constructor(bytes: number) {
    this.data = Buffer.allocUnsafeSlow(Math.max(256, bytes));
  }

  bytes(b: Buffer): void {
    this.room(b.length);
    this.data.set(b, this.pos);
    this.pos += b.length;
  }

  u8(value: number): void {
    this.room(1);
    this.data[this.pos++] = value;
  }

  u32(value: number, field: string): void {
    this.room(4);
    this.pos = writeU32(this.data, this.pos, value, field);
  }

  u64(value: bigint, field: string): void {
    this.room(8);
    this.pos = writeU64(this.data, this.pos, value, field);
  }

  i64(value: bigint, field: string): void {
    this.room(8);
    this.pos = writeI64(this.data, this.pos, value, field);
  }

  nullableBytes(b: Buffer | null, lengthField: string): void {
    this.room(4);
    if (b === null) {
      this.pos = writeI32(this.data, this.pos, NULL_LENGTH, lengthField);
      return;
    }
    this.pos = writeI32(this.data, this.pos, b.length, lengthField);
    this.bytes(b);
  }

  /** Moves past `n` bytes to be written later (in place, by position). */
  protected skip(n: number): number {
    this.room(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** What was written; the buffer is handed over and the writer must not be used after. */
  protected take(): Buffer {
    const written = this.data.subarray(0, this.pos);
    this.data = Buffer.alloc(0);
    return written;
  }

  protected room(n: number): void {
    if (this.pos + n <= this.data.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.data.length * 2, this.pos + n));
    grown.set(this.data.subarray(0, this.pos));
    this.data = grown;
  }
}
