/**
 * Big-endian integer encoders for the chain's hash formats (SCR1, SCG1, SCL1).
 *
 * Every encoder is range-checked: a value that does not fit its field is a
 * `MalformedMessageError` (format "encoding") naming the field, never a silently wrapped number.
 * The `write*` variants fill a caller's buffer and return the position after the field, so
 * the hot path can encode without allocating.
 */
import { MalformedMessageError } from '../errors.js';

export const U32_MAX = 0xffff_ffff;
export const I32_MIN = -0x8000_0000;
export const I32_MAX = 0x7fff_ffff;
export const U64_MAX = (1n << 64n) - 1n;
export const I64_MIN = -(1n << 63n);
export const I64_MAX = (1n << 63n) - 1n;

/** The length written for a null byte string in an i32 length field. */
export const NULL_LENGTH = -1;

function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return `a value of type ${value === null ? 'null' : typeof value}`;
}

function outOfRange(field: string, type: string, value: unknown, range: string): never {
  throw new MalformedMessageError('encoding', `${field} = ${show(value)} does not fit in ${type} ${range}`, {
    field,
    type,
    value: show(value),
  });
}

export function checkU32(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > U32_MAX) {
    outOfRange(field, 'u32', value, '[0, 4294967295]');
  }
  return value;
}

export function checkI32(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < I32_MIN || value > I32_MAX) {
    outOfRange(field, 'i32', value, '[-2147483648, 2147483647]');
  }
  return value;
}

export function checkU64(value: bigint, field: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    outOfRange(field, 'u64', value, '[0, 18446744073709551615]');
  }
  return value;
}

export function checkI64(value: bigint, field: string): bigint {
  if (typeof value !== 'bigint' || value < I64_MIN || value > I64_MAX) {
    outOfRange(field, 'i64', value, '[-9223372036854775808, 9223372036854775807]');
  }
  return value;
}

/** Writes a big-endian u32 at `pos`; returns `pos + 4`. */
export function writeU32(target: Buffer, pos: number, value: number, field: string): number {
  target.writeUInt32BE(checkU32(value, field), pos);
  return pos + 4;
}

/** Writes a big-endian two's-complement i32 at `pos`; returns `pos + 4`. */
export function writeI32(target: Buffer, pos: number, value: number, field: string): number {
  target.writeInt32BE(checkI32(value, field), pos);
  return pos + 4;
}

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const TWO_32 = 0x1_0000_0000;

/**
 * Writes 0 ≤ n ≤ 2^53 − 1 (a safe integer) as 8 big-endian bytes. Offsets, timestamps and
 * sequence numbers are always in this range: one BigInt → Number conversion instead of the
 * several BigInt operations of Buffer#writeBigUInt64BE (the per-record path writes three).
 */
function writeSafeU64(target: Buffer, pos: number, n: number): void {
  const hi = Math.floor(n / TWO_32);
  const lo = n >>> 0;
  target[pos] = hi >>> 24;
  target[pos + 1] = hi >>> 16;
  target[pos + 2] = hi >>> 8;
  target[pos + 3] = hi;
  target[pos + 4] = lo >>> 24;
  target[pos + 5] = lo >>> 16;
  target[pos + 6] = lo >>> 8;
  target[pos + 7] = lo;
}

/** Writes a big-endian u64 at `pos`; returns `pos + 8`. */
export function writeU64(target: Buffer, pos: number, value: bigint, field: string): number {
  checkU64(value, field);
  if (value <= SAFE_MAX) writeSafeU64(target, pos, Number(value));
  else target.writeBigUInt64BE(value, pos);
  return pos + 8;
}

/** Writes a big-endian two's-complement i64 at `pos`; returns `pos + 8`. */
export function writeI64(target: Buffer, pos: number, value: bigint, field: string): number {
  checkI64(value, field);
  if (value >= 0n && value <= SAFE_MAX) writeSafeU64(target, pos, Number(value));
  else target.writeBigInt64BE(value, pos);
  return pos + 8;
}

export function u32(value: number, field: string): Buffer {
  const out = Buffer.allocUnsafe(4);
  writeU32(out, 0, value, field);
  return out;
}

export function i32(value: number, field: string): Buffer {
  const out = Buffer.allocUnsafe(4);
  writeI32(out, 0, value, field);
  return out;
}

export function u64(value: bigint, field: string): Buffer {
  const out = Buffer.allocUnsafe(8);
  writeU64(out, 0, value, field);
  return out;
}

export function i64(value: bigint, field: string): Buffer {
  const out = Buffer.allocUnsafe(8);
  writeI64(out, 0, value, field);
  return out;
}

/** `u32(len) ‖ bytes`. */
export function lengthPrefixed(bytes: Buffer, field: string): Buffer {
  const out = Buffer.allocUnsafe(4 + bytes.length);
  writeU32(out, 0, bytes.length, `${field} length`);
  bytes.copy(out, 4);
  return out;
}

/** `i32(len | -1 if null) ‖ bytes`. */
export function nullableLengthPrefixed(bytes: Buffer | null, field: string): Buffer {
  if (bytes === null) return i32(NULL_LENGTH, `${field} length`);
  const out = Buffer.allocUnsafe(4 + bytes.length);
  writeI32(out, 0, bytes.length, `${field} length`);
  bytes.copy(out, 4);
  return out;
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * UTF-8 bytes of a string. A string with a lone surrogate has no UTF-8 form (Node would turn it
 * into U+FFFD, so two different strings would hash alike): it is rejected.
 */
export function utf8(text: string, field: string): Buffer {
  if (typeof text !== 'string') {
    throw new MalformedMessageError('encoding', `${field} must be a string, got ${show(text)}`, { field });
  }
  if (LONE_SURROGATE.test(text)) {
    throw new MalformedMessageError('encoding', `${field} is not well-formed Unicode (lone surrogate)`, { field });
  }
  return Buffer.from(text, 'utf8');
}
