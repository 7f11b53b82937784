import { describe, expect, it } from 'vitest';
import { lookupPath, parseLookup } from '../../../src/console/web/lookup.js';

describe("the console explorer's search box", () => {
  it('reads a seq, a partition/offset position (/, : or @) and a digest, and asks the matching route', () => {
    expect(lookupPath(parseLookup(' 42 ')!)).toBe('/v1/records/42');
    for (const text of ['3/1007', '3 : 1007', '3@1007']) expect(lookupPath(parseLookup(text)!)).toBe('/v1/positions/3/1007');
    const digest = 'AB'.repeat(32);
    expect(lookupPath(parseLookup(digest)!)).toBe(`/v1/digests/${'ab'.repeat(32)}`);
  });

  it('refuses what is none of them: seq 0, a leading zero, a short digest, words', () => {
    for (const text of ['0', '007', 'ab'.repeat(31), 'seq 5', '', '3/', '-1']) expect(parseLookup(text), text).toBeNull();
  });
});
