import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaults } from '../../../src/config/defaults.js';
import { ENV_KEYS } from '../../../src/config/load.js';
import { configSchema } from '../../../src/config/schema.js';

// README.md's "Configuration reference" table, read from the repository root.
const README = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

interface Row {
  key: string;
  /** The default column as written: `value`, "unset", or a placeholder like `<hostname>-<pid>`. */
  documented: string;
  /** The environment variable, or null for "(file only)". */
  env: string | null;
}

/** One row per key; a row naming two keys (`a` / `b`) gives two, paired with its two variables. */
function tableRows(): Row[] {
  const section = README.split(/^## Configuration reference[ \t]*$/m)[1]!.split(/^## /m)[0]!;
  const rows: Row[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const keys = [...cells[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const envs = [...cells[2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const documented = cells[1]!.match(/^`([^`]*)`/)?.[1] ?? cells[1]!;
    keys.forEach((key, i) => {
      rows.push({ key, documented, env: envs[i] ?? null });
    });
  }
  return rows;
}

/** Every leaf key of the schema, dotted (an optional object's fields count: kafka.sasl.username). */
function schemaKeys(schema: z.ZodType, prefix = ''): string[] {
  if (schema instanceof z.ZodOptional) return schemaKeys(schema.unwrap() as z.ZodType, prefix);
  if (schema instanceof z.ZodObject)
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([k, v]) => schemaKeys(v, prefix ? `${prefix}.${k}` : k));
  return [prefix];
}

function defaultAt(key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), defaults);
}

const rows = tableRows();

describe("README's configuration table and the schema", () => {
  it('documents every key of the schema, and no other, once', () => {
    const documented = rows.map((r) => r.key);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(schemaKeys(configSchema).sort());
  });

  it.each(rows.map((r) => [r.key, r] as const))('%s: the documented default is the one in src/config/defaults.ts', (key, row) => {
    // A computed default (`<hostname>-<pid>`, `http://<host>:<port>`) is described, not stated.
    if (row.documented.includes('<')) return;
    const actual = defaultAt(key);
    if (row.documented === 'unset') return void expect(actual).toBeUndefined();
    let stated: unknown = row.documented;
    try {
      stated = JSON.parse(row.documented);
    } catch {
      // a plain string such as `seqchain` or `info`
    }
    expect(actual).toEqual(stated);
  });

  it.each(rows.map((r) => [r.key, r] as const))('%s: the documented environment variable is the one ENV_KEYS maps to it', (key, row) => {
    const variables = Object.entries(ENV_KEYS)
      .filter(([, k]) => k === key)
      .map(([v]) => v);
    expect(variables).toEqual(row.env === null ? [] : [row.env]);
  });
});
