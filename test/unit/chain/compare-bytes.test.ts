import { describe, expect, it } from 'vitest';
import { compareBytes } from '../../../src/chain/record-digest.js';

describe('compareBytes', () => {
  it('orders like Buffer.compare: unsigned bytes, a prefix first', () => {
    const names = ['', 'a', 'a\u0000', 'ab', 'b', 'h0', 'h0', 'h1', 'h10', 'Z', '\u00ff', '\u0080x'].map((s) => Buffer.from(s, 'latin1'));
    names.push(Buffer.from([0xff, 0x00]), Buffer.from([0x7f]), Buffer.from([0x80]));
    for (const a of names) for (const b of names) expect(compareBytes(a, b), `${a.toString('hex')} vs ${b.toString('hex')}`).toBe(Buffer.compare(a, b));
  });
});
