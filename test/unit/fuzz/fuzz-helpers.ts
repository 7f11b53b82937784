import fc from 'fast-check';
import { expect } from 'vitest';
import { SeqchainError } from '../../../src/errors.js';

/**
 * Shared settings of the decoder fuzz tests. The seed is fixed so that a failure reproduces on
 * any machine (FUZZ_SEED overrides it to explore further); it is printed once per file, and
 * fast-check prints the shrunk counterexample and the path to replay it.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 0x5ec_c4a1);
/** FUZZ_RUNS multiplies every property's run count (e.g. 20 for a long soak). */
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);

export function fuzzParams(numRuns: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)) };
}

export function announceSeed(file: string): void {
  console.log(`[fuzz] ${file}: seed ${FUZZ_SEED} (set FUZZ_SEED to change, FUZZ_RUNS to scale the runs)`);
}

/**
 * The bad-input property: `decode(bytes)` either returns a value that `encode` turns back into
 * exactly `bytes` (canonical formats), or throws a SeqchainError with `code` — never another
 * exception type. `reencode` may normalise (e.g. JSON) when the format is not byte-canonical.
 */
export function decodesCanonicallyOrRejects<T>(
  bytes: Buffer,
  decode: (b: Buffer) => T,
  reencode: (v: T) => Buffer,
  code = 'SEQCHAIN_ERR_MALFORMED_MESSAGE',
): 'decoded' | 'rejected' {
  let value: T;
  try {
    value = decode(bytes);
  } catch (err) {
    if (!(err instanceof SeqchainError) || err.code !== code) {
      throw new Error(
        `decoder threw ${(err as Error)?.name ?? typeof err} (${(err as Error)?.message}) instead of ${code} for ${bytes.toString('hex').slice(0, 400)}`,
        { cause: err },
      );
    }
    return 'rejected';
  }
  expect(reencode(value).toString('hex')).toBe(bytes.toString('hex'));
  return 'decoded';
}

/** Mutations of a valid encoding: truncation, one byte changed, bytes appended, a u32 field overwritten. */
export function mutationOf(valid: Buffer): fc.Arbitrary<Buffer> {
  const n = valid.length;
  return fc.oneof(
    fc.nat({ max: Math.max(0, n - 1) }).map((len) => valid.subarray(0, len)),
    fc.tuple(fc.nat({ max: n - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
      const b = Buffer.from(valid);
      b[at]! ^= x;
      return b;
    }),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((tail) => Buffer.concat([valid, tail])),
    fc.tuple(fc.nat({ max: Math.max(0, n - 4) }), fc.constantFrom(0xffff_ffff, 0x8000_0000, 0x0100_0000, 0xffff, 0)).map(([at, v]) => {
      const b = Buffer.from(valid);
      if (at + 4 <= b.length) b.writeUInt32BE(v, at);
      return b;
    }),
  );
}

export const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a));
export const u64 = fc.bigInt({ min: 0n, max: 2n ** 62n });
export const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
