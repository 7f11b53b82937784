import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBearer, loadOpsToken } from '../../../src/api/auth.js';
import { pageOf } from '../../../src/api/params.js';
import { SeqchainError } from '../../../src/errors.js';

const api = {
  host: '127.0.0.1',
  port: 0,
  advertisedUrl: '',
  bodyLimitBytes: 1024,
  rateLimitMax: 0,
  rateLimitWindowMs: 60_000,
  opsRateLimitMax: 0,
  maxPageSize: 10,
  maxVerifyRange: 10,
  maxStreamRange: 10,
};
const TOKEN = 'a-long-enough-ops-token';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SeqchainError);
    return (err as SeqchainError).code;
  }
  return 'no error';
}

describe('ops token', () => {
  it('accepts exactly the configured bearer token', () => {
    expect(codeOf(() => checkBearer(`Bearer ${TOKEN}`, TOKEN))).toBe('no error');
    expect(codeOf(() => checkBearer(`bearer ${TOKEN}`, TOKEN))).toBe('no error');
    expect(codeOf(() => checkBearer(`Bearer ${TOKEN}x`, TOKEN))).toBe('SEQCHAIN_ERR_UNAUTHORIZED');
    expect(codeOf(() => checkBearer(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN))).toBe('SEQCHAIN_ERR_UNAUTHORIZED');
    expect(codeOf(() => checkBearer(undefined, TOKEN))).toBe('SEQCHAIN_ERR_UNAUTHORIZED');
    expect(codeOf(() => checkBearer(`Basic ${TOKEN}`, TOKEN))).toBe('SEQCHAIN_ERR_UNAUTHORIZED');
  });

  it('closes the ops routes when no token is configured', () => {
    expect(codeOf(() => checkBearer(`Bearer ${TOKEN}`, null))).toBe('SEQCHAIN_ERR_UNAUTHORIZED');
  });

  it('reads the token from the config, else from the first line of a file, and names a bad file', () => {
    expect(loadOpsToken({ ...api, token: TOKEN })).toBe(TOKEN);
    expect(loadOpsToken(api)).toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'seqchain-token-'));
    writeFileSync(join(dir, 'token'), `${TOKEN}\nignored\n`);
    expect(loadOpsToken({ ...api, tokenFile: join(dir, 'token') })).toBe(TOKEN);
    writeFileSync(join(dir, 'short'), 'short\n');
    expect(() => loadOpsToken({ ...api, tokenFile: join(dir, 'short') })).toThrow(/api\.tokenFile.*shorter than 16/);
    expect(() => loadOpsToken({ ...api, tokenFile: join(dir, 'missing') })).toThrow(/api\.tokenFile: cannot read/);
  });
});

describe('pageOf', () => {
  it('pages a range by the limit and never past the head', () => {
    expect(pageOf(1n, undefined, 25n, 10)).toEqual({ from: 1n, to: 10n, next: 11n });
    expect(pageOf(21n, undefined, 25n, 10)).toEqual({ from: 21n, to: 25n, next: null });
    expect(pageOf(5n, 8n, 25n, 10)).toEqual({ from: 5n, to: 8n, next: null });
    expect(pageOf(5n, 30n, 25n, 10)).toEqual({ from: 5n, to: 14n, next: 15n });
    expect(pageOf(20n, 30n, 25n, 10)).toEqual({ from: 20n, to: 25n, next: null });
  });
  it('is empty past the head and rejects to < from, naming the parameter', () => {
    expect(pageOf(30n, undefined, 25n, 10)).toEqual({ from: 30n, to: 25n, next: null });
    expect(() => pageOf(5n, 4n, 25n, 10)).toThrow(/query parameter 'to' must not be below 'from'/);
  });
});
