import { expect } from 'vitest';

/** The error `fn` throws, which must be an instance of `type`; fails the test when nothing is thrown. */
export function thrown<T extends Error>(type: new (...args: never[]) => T, fn: () => unknown): T {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as T;
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}
