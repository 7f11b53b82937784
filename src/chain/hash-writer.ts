/**
 * A buffered SHA-256 writer for the per-record hot path: small fields are packed into one
 * reusable scratch buffer, large byte strings go to the hash directly. A record that fits in
 * the scratch buffer (the common case) is hashed in one call (`sha256`, no Hash object); only a
 * larger one opens a streaming Hash. Either way the only per-record allocation is the result.
 *
 * Not reentrant: `begin()` starts a new hash and discards any unfinished one.
 */
import { createHash, type Hash } from 'node:crypto';
import { SeqchainError } from '../errors.js';
import { NULL_LENGTH, writeI32, writeI64, writeU32, writeU64 } from './bytes.js';
import { sha256, sha256Into } from './sha256.js';

/** Byte strings at least this long are passed to the hash without copying. */
const DIRECT_UPDATE_BYTES = 16 * 1024;

export class Sha256Writer {
  /** Between begin() and digest(). */
  private open = false;
  /** Opened only once the input outgrows the scratch buffer. */
  private hash: Hash | null = null;
  private readonly scratch: Buffer;
  private pos = 0;

  constructor(capacityBytes = 64 * 1024) {
    this.scratch = Buffer.allocUnsafe(Math.max(capacityBytes, DIRECT_UPDATE_BYTES));
  }

  begin(): this {
    this.open = true;
    this.hash = null;
    this.pos = 0;
    return this;
  }

  u32(value: number, field: string): void {
    this.room(4);
    this.pos = writeU32(this.scratch, this.pos, value, field);
  }

  i32(value: number, field: string): void {
    this.room(4);
    this.pos = writeI32(this.scratch, this.pos, value, field);
  }

  u64(value: bigint, field: string): void {
    this.room(8);
    this.pos = writeU64(this.scratch, this.pos, value, field);
  }

  i64(value: bigint, field: string): void {
    this.room(8);
    this.pos = writeI64(this.scratch, this.pos, value, field);
  }

  bytes(data: Buffer): void {
    if (data.length >= DIRECT_UPDATE_BYTES) {
      this.flush();
      this.active().update(data);
      return;
    }
    this.room(data.length);
    // TypedArray#set: faster than Buffer#copy for the short strings of a record.
    this.scratch.set(data, this.pos);
    this.pos += data.length;
  }

  /** `i32(len | -1 if null) ‖ bytes`. */
  nullableBytes(data: Buffer | null, lengthField: string): void {
    if (data === null) {
      this.i32(NULL_LENGTH, lengthField);
      return;
    }
    this.i32(data.length, lengthField);
    this.bytes(data);
  }

  digest(): Buffer {
    let out: Buffer;
    if (this.hash === null) {
      this.check();
      out = sha256(this.scratch.subarray(0, this.pos));
    } else {
      this.flush();
      out = this.hash.digest();
    }
    this.open = false;
    this.hash = null;
    this.pos = 0;
    return out;
  }

  /**
   * The digest written into `out` at `offset` (32 bytes) instead of a new Buffer: a caller that
   * only compares it (the reader, against the ledger's) allocates nothing per record.
   */
  digestInto(out: Buffer, offset: number): void {
    if (this.hash === null) {
      this.check();
      sha256Into(this.scratch.subarray(0, this.pos), out, offset);
    } else {
      this.flush();
      this.hash.digest().copy(out, offset);
    }
    this.open = false;
    this.hash = null;
    this.pos = 0;
  }

  private check(): void {
    if (!this.open) throw new SeqchainError('SEQCHAIN_ERR_USAGE', 'Sha256Writer: begin() was not called');
  }

  private active(): Hash {
    this.check();
    this.hash ??= createHash('sha256');
    return this.hash;
  }

  private room(bytes: number): void {
    if (this.pos + bytes > this.scratch.length) this.flush();
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.active().update(this.scratch.subarray(0, this.pos));
    this.pos = 0;
  }
}
