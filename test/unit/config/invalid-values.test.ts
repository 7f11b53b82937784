import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ENV_KEYS, loadConfig } from '../../../src/config/load.js';
import { configSchema } from '../../../src/config/schema.js';
import { configError } from './config-error.js';

/**
 * Every config key, every way to get it wrong: the error names the dotted key (and the
 * environment variable when the value came from one). The key list is read from the schema, so a
 * key added later is covered without touching this file.
 */

type AnySchema = z.ZodType;
const typeOf = (s: AnySchema): string => (s as unknown as { _zod: { def: { type: string } } })._zod.def.type;

function leaves(schema: AnySchema, prefix = ''): [key: string, leaf: AnySchema][] {
  let s = schema;
  while (typeOf(s) === 'optional') s = (s as unknown as z.ZodOptional<AnySchema>).unwrap();
  if (typeOf(s) !== 'object') return [[prefix, s]];
  return Object.entries((s as unknown as z.ZodObject).shape).flatMap(([k, v]) => leaves(v as AnySchema, prefix ? `${prefix}.${k}` : k));
}

const KEYS = leaves(configSchema);
/** Values tried, in order; the first one a key's schema refuses is its "wrong type" case. */
const WRONG_TYPES: unknown[] = [123, 'not-a-value', true, ['x'], { x: 1 }, null];
/** Values that have the right type but are out of range or badly formatted. */
const BAD_NUMBERS = [-1, 0, 1.5, 2 ** 53, 1e12];
const BAD_STRINGS = ['', ' ', 'has space', 'a/b', 'x'.repeat(300), 'host', 'host:port', 'short'];

/** Optional objects a leaf lives in need their other required fields, so that the leaf's own issue is the one reported. */
const SASL = { mechanism: 'plain', username: 'u', password: 'p' };

function load(overrides: Record<string, unknown>) {
  // A fresh copy each time: a later override of kafka.sasl.* writes into this object.
  return loadConfig({ env: {}, overrides: { 'kafka.sasl': { ...SASL }, ...overrides } });
}

const cases: { key: string; value: unknown; why: string }[] = [];
for (const [key, leaf] of KEYS) {
  const wrong = WRONG_TYPES.find((v) => !leaf.safeParse(v).success && v !== null);
  if (wrong !== undefined) cases.push({ key, value: wrong, why: 'wrong type' });
  const sample = WRONG_TYPES.concat(BAD_NUMBERS, BAD_STRINGS);
  const rightType = sample.filter(
    (v) => typeof v === typeof (leaf.safeParse(1).success ? 1 : leaf.safeParse('x').success ? 'x' : leaf.safeParse(true).success ? true : undefined),
  );
  for (const v of [...BAD_NUMBERS, ...BAD_STRINGS]) {
    if (!leaf.safeParse(v).success && rightType.includes(v) && !cases.some((c) => c.key === key && c.why === 'out of range or bad format'))
      cases.push({ key, value: v, why: 'out of range or bad format' });
  }
}

describe('config: every invalid value is rejected with its key named', () => {
  it('covers every key of the schema', () => {
    expect(KEYS.length).toBeGreaterThan(30);
    for (const [key] of KEYS)
      expect(
        cases.some((c) => c.key === key),
        `no invalid value found for ${key}`,
      ).toBe(true);
  });

  it.each(cases)('$key: $why ($value)', ({ key, value }) => {
    const err = configError(() => load({ [key]: value }));
    expect(err.message).toContain(key);
    expect(err.details.key).toBe(key);
  });

  it.each(KEYS.map(([key]) => key))('unknown key next to %s is named', (key) => {
    const parent = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : '';
    const unknown = parent ? `${parent}.notAKey` : 'notAKey';
    const err = configError(() => load({ [unknown]: 1 }));
    expect(err.message).toContain(`unknown key(s) ${unknown}`);
  });
});

describe('config: a bad environment value names the variable and the key', () => {
  /** Valid values of the variables that only make sense together (SASL needs all three). */
  const BASE_ENV = { SEQCHAIN_KAFKA_SASL_MECHANISM: 'plain', SEQCHAIN_KAFKA_SASL_USERNAME: 'u', SEQCHAIN_KAFKA_SASL_PASSWORD: 'p' };
  const envCases = Object.entries(ENV_KEYS).flatMap(([variable, key]) => {
    const leaf = KEYS.find(([k]) => k === key)?.[1];
    if (!leaf) return [];
    // Strings that the key's schema refuses (a number key refuses every non-numeric string).
    const bad = ['abc', '-5', '1.5', ' ', 'has space', 'a/b', 'yes', 'x'.repeat(300), '99999999999999999999'].find((raw) => {
      try {
        loadConfig({ env: { ...BASE_ENV, [variable]: raw } });
        return false;
      } catch {
        return true;
      }
    });
    return bad === undefined ? [] : [{ variable, key, raw: bad }];
  });

  it('covers every variable whose key has any constraint', () => {
    const free = Object.entries(ENV_KEYS)
      .filter(([v]) => !envCases.some((c) => c.variable === v))
      .map(([v, k]) => `${v} (${k})`);
    // Keys that take any non-empty string (a password, a user name, a host name, a token or signing key file read at start).
    for (const f of free) expect(f).toMatch(/PASSWORD|USERNAME|API_HOST|TLS_SERVERNAME|TOKEN_FILE|SIGNING_KEY_FILE/);
  });

  it.each(envCases)('$variable=$raw', ({ variable, key, raw }) => {
    const err = configError(() => loadConfig({ env: { ...BASE_ENV, [variable]: raw } }));
    expect(err.message).toContain(key);
    expect(err.message).toContain(variable);
  });
});
