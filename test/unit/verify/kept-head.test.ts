import { describe, expect, it } from 'vitest';
import { extendChain } from '../../../src/chain/link.js';
import { ConfigError } from '../../../src/errors.js';
import { checkKeptHead, formatHead, hashInCut, parseHead } from '../../../src/verify/kept-head.js';
import { GENESIS, ledger } from '../chain/fixtures.js';

const H = 'ab'.repeat(32);

describe('kept head', () => {
  it('parses and formats <seq>:<hash>', () => {
    const head = parseHead(` 42:${H.toUpperCase()}\n`);
    expect(head.seq).toBe(42n);
    expect(formatHead(head)).toBe(`42:${H}`);
  });

  it.each(['42', `42:${H.slice(2)}`, `-1:${H}`, `x:${H}`, `42:${H}zz`, ''])('refuses %j as a typed config error', (text) => {
    expect(() => parseHead(text, '--expect-head')).toThrow(ConfigError);
  });

  it('recomputes the hash at any seq inside a verified cut, and at its prev', () => {
    const [c] = ledger([
      [
        [0, 0],
        [1, 10],
        [0, 1],
      ],
    ]);
    const hs = extendChain(
      GENESIS,
      1n,
      c!.entries.map((e) => e.digest),
    );
    expect(hashInCut(c!, 0n).equals(GENESIS)).toBe(true);
    expect(hashInCut(c!, 2n).equals(hs[1]!)).toBe(true);
    expect(hashInCut(c!, 3n).equals(c!.headHash)).toBe(true);
    expect(() => hashInCut(c!, 4n)).toThrow(/not in \[0, 3\]/);
  });

  it('passes a chain that still holds the kept head, at its end or beyond', () => {
    const h = Buffer.from(H, 'hex');
    expect(checkKeptHead({ seq: 7n, hash: h }, 7n, h)).toBeNull();
    expect(checkKeptHead({ seq: 7n, hash: h }, 900n, h)).toBeNull();
  });

  it('names a chain that ends before the kept seq as truncated', () => {
    expect(checkKeptHead({ seq: 7n, hash: Buffer.from(H, 'hex') }, 5n, null)).toMatchObject({ kind: 'truncated', seq: 7n, actual: 'ends at seq 5' });
  });

  it('names another hash at the kept seq as a fork (expected = kept, actual = the chain)', () => {
    const other = Buffer.alloc(32, 1);
    expect(checkKeptHead({ seq: 7n, hash: Buffer.from(H, 'hex') }, 9n, other)).toMatchObject({
      kind: 'fork',
      seq: 7n,
      expected: H,
      actual: other.toString('hex'),
    });
  });
});
