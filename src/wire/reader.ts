import { MalformedMessageError } from '../errors.js';

/** Larger u64 values are rejected as implausible (2^53 × 1024: no offset, seq or time gets there). */
const U64_PLAUSIBLE_MAX = BigInt(Number.MAX_SAFE_INTEGER) * 1024n;
/**
 * Strict UTF-8: a lenient decode would turn invalid bytes into U+FFFD, a string that re-encodes
 * (and hashes, e.g. the genesis chainId) to different bytes than the ledger holds.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bounds-checked big-endian reader for seqchain's binary formats. Every failure is a
 * MalformedMessageError naming the format, the field and the byte position, never a RangeError.
 */
export class WireReader {
  private pos = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly format: string,
  ) {}

  get position(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** `reason` is a stable label (metrics, logs): see RejectReason. */
  fail(field: string, problem: string, reason: RejectReason = 'invalid_field'): never {
    throw new MalformedMessageError(this.format, `${field} ${problem} at byte ${this.pos} of ${this.buf.length}`, { field, position: this.pos, reason });
  }

  private need(n: number, field: string): void {
    if (this.pos + n > this.buf.length) this.fail(field, `truncated (needs ${n} bytes, ${this.remaining} left)`, 'truncated');
  }

  magic(expected: string): void {
    this.need(expected.length, 'magic');
    const got = this.buf.toString('latin1', this.pos, this.pos + expected.length);
    if (got !== expected) this.fail('magic', `is ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`, 'bad_magic');
    this.pos += expected.length;
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf.readUInt8(this.pos++);
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    if (v > U64_PLAUSIBLE_MAX) this.fail(field, `is implausibly large (${v})`, 'out_of_bounds');
    return v;
  }

  /**
   * The per-element readers of an array (`<array>[i].<name>`): the same checks and messages as
   * u32/u64/i64/bytes, but the field name is built only when a read fails, not for every element.
   */
  u32Of(array: string, i: number, name: string): number {
    if (this.pos + 4 > this.buf.length) this.need(4, elementField(array, i, name));
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u64Of(array: string, i: number, name: string): bigint {
    if (this.pos + 8 > this.buf.length) this.need(8, elementField(array, i, name));
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    if (v > U64_PLAUSIBLE_MAX) this.fail(elementField(array, i, name), `is implausibly large (${v})`, 'out_of_bounds');
    return v;
  }

  i64Of(array: string, i: number, name: string): bigint {
    if (this.pos + 8 > this.buf.length) this.need(8, elementField(array, i, name));
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  bytesOf(n: number, array: string, i: number, name: string): Buffer {
    if (this.pos + n > this.buf.length) this.need(n, elementField(array, i, name));
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  i64(field: string): bigint {
    this.need(8, field);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  bytes(n: number, field: string): Buffer {
    this.need(n, field);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  string(field: string, maxLength = 1024): string {
    const len = this.u32(`${field} length`);
    if (len > maxLength) this.fail(field, `length ${len} exceeds ${maxLength}`, 'out_of_bounds');
    const raw = this.bytes(len, field);
    try {
      return UTF8.decode(raw);
    } catch {
      this.pos -= len;
      return this.fail(field, 'is not valid UTF-8');
    }
  }

  /** A count that must fit in what is left, given the size of one element. */
  count(field: string, elementSize: number): number {
    const n = this.u32(field);
    // Checked before anything is allocated for the elements: a header claiming 2^32 entries costs nothing.
    if (n * elementSize > this.remaining) this.fail(field, `of ${n} needs ${n * elementSize} bytes, ${this.remaining} left`, 'out_of_bounds');
    return n;
  }

  end(): void {
    if (this.remaining !== 0) this.fail('end', `has ${this.remaining} trailing bytes`, 'trailing_bytes');
  }
}

/**
 * Why an internal message was rejected, as a metric label (seqchain_rejected_messages_total):
 * a small fixed set, never the free-text message.
 */
export type RejectReason = 'empty' | 'bad_magic' | 'truncated' | 'trailing_bytes' | 'out_of_bounds' | 'invalid_field' | 'wrong_partition';

/** The reason label of a decoding error (invalid_field when it carries none). */
export function rejectReason(err: unknown): RejectReason {
  const reason = (err as { details?: { reason?: unknown } } | null)?.details?.reason;
  return typeof reason === 'string' ? (reason as RejectReason) : 'invalid_field';
}

export function elementField(array: string, i: number, name: string): string {
  return `${array}[${i}].${name}`;
}
