import { expect } from 'vitest';
import { ConfigError, type SeqchainError } from '../../../src/errors.js';

/** The ConfigError that `fn` throws (fails the test when it throws nothing or something else). */
export function configError(fn: () => unknown): SeqchainError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as SeqchainError;
    expect(e.code).toBe('SEQCHAIN_ERR_CONFIG');
    expect(e.retriable).toBe(false);
    return e;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}
