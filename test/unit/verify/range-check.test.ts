import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { linkHash } from '../../../src/chain/link.js';
import { checkRange, type IndexedLink } from '../../../src/verify/range-check.js';

const digestOf = (i: number) => createHash('sha256').update(`record ${i}`).digest();
const genesis = Buffer.alloc(32, 7);

/** A well-formed chain of n records over 3 partitions, and the source digests it was built from. */
function chain(n: number): { links: IndexedLink[]; source: Map<string, Buffer> } {
  const links: IndexedLink[] = [];
  const source = new Map<string, Buffer>();
  let prev: Buffer = genesis;
  for (let i = 1; i <= n; i++) {
    const partition = i % 3;
    const offset = BigInt(Math.floor(i / 3));
    const digest = digestOf(i);
    const hash = linkHash(prev, BigInt(i), digest);
    links.push({ seq: BigInt(i), partition, offset, digest, hash });
    source.set(`${partition}:${offset}`, digest);
    prev = hash;
  }
  return { links, source };
}

const lookup = (source: Map<string, Buffer>) => (p: number, o: bigint) => source.get(`${p}:${o}`) ?? null;

describe('checkRange', () => {
  it('accepts an intact range from any starting point given the previous hash', () => {
    const { links, source } = chain(20);
    expect(checkRange(genesis, links, lookup(source))).toEqual({ checked: 20, unverifiable: 0, firstBreak: null });
    expect(checkRange(links[9]!.hash, links.slice(10), lookup(source))).toEqual({ checked: 10, unverifiable: 0, firstBreak: null });
  });

  it('names a source record that no longer matches its digest', () => {
    const { links, source } = chain(10);
    const l = links[6]!;
    source.set(`${l.partition}:${l.offset}`, digestOf(999));
    const r = checkRange(genesis, links, lookup(source));
    expect(r.firstBreak).toMatchObject({ kind: 'digest-mismatch', seq: 7n, partition: l.partition, offset: l.offset, expected: digestOf(999).toString('hex') });
    expect(r.checked).toBe(6);
  });

  it('names a stored hash that does not follow from its predecessor', () => {
    const { links, source } = chain(10);
    links[4] = { ...links[4]!, hash: Buffer.alloc(32, 1) };
    expect(checkRange(genesis, links, lookup(source)).firstBreak).toMatchObject({ kind: 'record-hash', seq: 5n });
  });

  it('names a wrong anchor (previous hash) at the first record', () => {
    const { links, source } = chain(5);
    expect(checkRange(Buffer.alloc(32), links, lookup(source)).firstBreak).toMatchObject({ kind: 'record-hash', seq: 1n });
  });

  it('names a position the source does not hold, and a gap in seq', () => {
    const { links, source } = chain(6);
    source.delete(`${links[2]!.partition}:${links[2]!.offset}`);
    expect(checkRange(genesis, links, lookup(source)).firstBreak).toMatchObject({ kind: 'not-in-source', seq: 3n });
    const { links: l2, source: s2 } = chain(6);
    expect(checkRange(l2[0]!.hash, [l2[1]!, l2[3]!], lookup(s2)).firstBreak).toMatchObject({ kind: 'seq-gap', seq: 4n });
  });

  it('counts records deleted by retention as unverifiable, still checking their links', () => {
    const { links, source } = chain(6);
    const r = checkRange(genesis, links, (p, o) => (o === 0n ? 'deleted' : lookup(source)(p, o)));
    expect(r.firstBreak).toBeNull();
    expect(r.unverifiable).toBe(2);
    expect(r.checked).toBe(4);
  });
});
