import { MalformedMessageError } from '../errors.js';

/**
 * Strict JSON field readers for seqchain's znode formats. Every failure is a
 * MalformedMessageError naming the format and the field; bigints travel as decimal strings,
 * byte strings as lowercase hex.
 */
export class ZnodeJsonReader {
  private constructor(
    private readonly obj: Record<string, unknown>,
    readonly format: string,
    /** Path of this object inside the document ('' at the top, 'lastCut.' inside lastCut). */
    private readonly prefix = '',
  ) {}

  static parse(format: string, data: Buffer | null, path?: string): ZnodeJsonReader {
    const where = path === undefined ? {} : { path };
    if (data === null || data.length === 0) {
      throw new MalformedMessageError(format, `znode${path ? ` ${path}` : ''} is empty`, { field: '(document)', ...where });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch (err) {
      throw new MalformedMessageError(format, `znode${path ? ` ${path}` : ''} is not JSON: ${(err as Error).message}`, {
        field: '(document)',
        ...where,
      });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new MalformedMessageError(format, `znode${path ? ` ${path}` : ''} is not a JSON object`, { field: '(document)', ...where });
    }
    return new ZnodeJsonReader(parsed as Record<string, unknown>, format);
  }

  fail(field: string, problem: string): never {
    throw new MalformedMessageError(this.format, `field ${this.prefix}${field} ${problem}`, { field: `${this.prefix}${field}` });
  }

  private raw(field: string): unknown {
    if (!Object.hasOwn(this.obj, field)) this.fail(field, 'is missing');
    return this.obj[field];
  }

  /** True when the document has the (optional) field. */
  has(field: string): boolean {
    return Object.hasOwn(this.obj, field);
  }

  version(expected: number, field = 'v'): void {
    const v = this.raw(field);
    if (v !== expected) this.fail(field, `is ${JSON.stringify(v)}, expected ${expected}`);
  }

  string(field: string, opts: { nonEmpty?: boolean } = {}): string {
    const v = this.raw(field);
    if (typeof v !== 'string') this.fail(field, `must be a string, got ${describe(v)}`);
    if (opts.nonEmpty && v.length === 0) this.fail(field, 'must not be empty');
    return v;
  }

  /** A safe integer in [min, max]. */
  int(field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.raw(field);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(field, `must be an integer, got ${describe(v)}`);
    if (v < min || v > max) this.fail(field, `is ${v}, outside [${min}, ${max}]`);
    return v;
  }

  decimal(field: string, min = 0n): bigint {
    return parseDecimal(this.format, `${this.prefix}${field}`, this.raw(field), min);
  }

  decimalArray(field: string, min = 0n): bigint[] {
    const v = this.raw(field);
    if (!Array.isArray(v)) this.fail(field, `must be an array, got ${describe(v)}`);
    return v.map((item, i) => parseDecimal(this.format, `${field}[${i}]`, item, min));
  }

  intArray(field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number[] {
    const v = this.raw(field);
    if (!Array.isArray(v)) this.fail(field, `must be an array, got ${describe(v)}`);
    return v.map((item, i) => {
      if (typeof item !== 'number' || !Number.isSafeInteger(item) || item < min || item > max) {
        this.fail(`${field}[${i}]`, `must be an integer in [${min}, ${max}], got ${describe(item)}`);
      }
      return item;
    });
  }

  hex(field: string, bytes: number): Buffer {
    const v = this.raw(field);
    if (typeof v !== 'string' || !/^[0-9a-f]*$/.test(v) || v.length !== bytes * 2) {
      this.fail(field, `must be ${bytes} bytes of lowercase hex, got ${describe(v)}`);
    }
    return Buffer.from(v, 'hex');
  }

  /** A nested object, read with the same checks; errors name the field as parent.child. */
  object(field: string): ZnodeJsonReader {
    const v = this.raw(field);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(field, `must be an object, got ${describe(v)}`);
    return new ZnodeJsonReader(v as Record<string, unknown>, this.format, `${this.prefix}${field}.`);
  }

  /** An array of nested objects; errors name the field as parent[i].child. */
  objects(field: string): ZnodeJsonReader[] {
    const v = this.raw(field);
    if (!Array.isArray(v)) this.fail(field, `must be an array, got ${describe(v)}`);
    return v.map((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) this.fail(`${field}[${i}]`, `must be an object, got ${describe(item)}`);
      return new ZnodeJsonReader(item as Record<string, unknown>, this.format, `${this.prefix}${field}[${i}].`);
    });
  }

  oneOf<T extends string>(field: string, values: readonly T[]): T {
    const v = this.raw(field);
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.fail(field, `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}, got ${describe(v)}`);
    }
    return v as T;
  }
}

export function parseDecimal(format: string, field: string, v: unknown, min = 0n): bigint {
  // One spelling per number ("-0" and "007" are refused): a decoded value re-encodes to the same bytes.
  if (typeof v !== 'string' || !/^-?(0|[1-9][0-9]*)$/.test(v) || v === '-0') {
    throw new MalformedMessageError(format, `field ${field} must be a decimal string, got ${describe(v)}`, { field });
  }
  const n = BigInt(v);
  if (n < min) throw new MalformedMessageError(format, `field ${field} is ${v}, below ${min}`, { field });
  return n;
}

export function encodeJson(obj: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify(obj), 'utf8');
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
