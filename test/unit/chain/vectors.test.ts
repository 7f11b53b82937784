import { describe, expect, it } from 'vitest';
import { extendChain, linkEntries, linkHash } from '../../../src/chain/link.js';
import { genesisHash } from '../../../src/chain/genesis.js';
import { recordDigest } from '../../../src/chain/record-digest.js';
import { toRecord, vectors } from './chain-vectors.js';

function byName<T extends { name: string }>(list: T[], name: string): T {
  const found = list.find((x) => x.name === name);
  if (found === undefined) throw new Error(`no vector named ${name}`);
  return found;
}

describe('chain-v1 vectors (independent Python implementation)', () => {
  it('has the promised coverage', () => {
    expect(vectors.version).toBe(1);
    expect(vectors.records.length).toBeGreaterThanOrEqual(14);
    expect(vectors.genesis.length).toBeGreaterThanOrEqual(3);
    expect(vectors.chain.links).toHaveLength(10);
  });

  describe('SCR1 record digest', () => {
    it.each(vectors.records.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      expect(recordDigest(toRecord(c)).toString('hex')).toBe(c.digest);
    });

    it('the 1 MiB generator really yields 1 MiB', () => {
      const c = byName(vectors.records, 'value-1-MiB');
      const value = toRecord(c).value;
      expect(value?.length).toBe(1024 * 1024);
      expect(value?.subarray(0, 4).toString('latin1')).toBe('abab');
    });

    it('the non-ASCII header vector tells bytewise order from JS string order', () => {
      const c = byName(vectors.records, 'non-ascii-header-names-sorted-bytewise');
      const names = c.headers.map((h) => Buffer.from(h.name, 'hex'));
      const bytewise = [...names].sort(Buffer.compare).map((n) => n.toString('utf8'));
      const utf16 = names.map((n) => n.toString('utf8')).sort();
      expect(bytewise).not.toEqual(utf16);
    });

    it('header order matters only across names: reordering duplicates changes the digest', () => {
      const r = toRecord(byName(vectors.records, 'duplicate-header-names-keep-wire-order'));
      const swapped = [...r.headers];
      // wire positions 0 and 2 are both "b": swapping them must change the digest
      [swapped[0], swapped[2]] = [swapped[2]!, swapped[0]!];
      expect(recordDigest({ ...r, headers: swapped }).toString('hex')).not.toBe(recordDigest(r).toString('hex'));
      // while moving a distinct name around does not
      const moved = [r.headers[3]!, ...r.headers.slice(0, 3), ...r.headers.slice(4)];
      expect(recordDigest({ ...r, headers: moved }).toString('hex')).toBe(recordDigest(r).toString('hex'));
    });

    it('does not reorder the caller’s header array', () => {
      const r = toRecord(byName(vectors.records, 'duplicate-header-names-keep-wire-order'));
      const before = r.headers.map((h) => h.name.toString());
      recordDigest(r);
      expect(r.headers.map((h) => h.name.toString())).toEqual(before);
    });

    it('gives the same digest across topic changes (topic cache)', () => {
      const a = byName(vectors.records, 'non-ascii-topic');
      const b = byName(vectors.records, 'basic-partition-0-zero-headers');
      expect(recordDigest(toRecord(a)).toString('hex')).toBe(a.digest);
      expect(recordDigest(toRecord(b)).toString('hex')).toBe(b.digest);
      expect(recordDigest(toRecord(a)).toString('hex')).toBe(a.digest);
    });
  });

  describe('SCG1 genesis', () => {
    it.each(vectors.genesis.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const h = genesisHash({
        chainId: c.chainId,
        topic: c.topic,
        start: c.start.map((s) => BigInt(s)),
        createdAtMs: BigInt(c.createdAtMs),
        nonce: Buffer.from(c.nonce, 'hex'),
      });
      expect(h.toString('hex')).toBe(c.hash);
    });
  });

  describe('SCL1 link chain', () => {
    const chain = vectors.chain;

    it('starts from the named genesis', () => {
      expect(byName(vectors.genesis, chain.genesis).hash).toBe(chain.genesisHash);
    });

    it('link digests are the named records’ digests', () => {
      for (const l of chain.links) expect(l.digest).toBe(byName(vectors.records, l.record).digest);
    });

    it('linkHash reproduces every h_g', () => {
      let prev: Buffer = Buffer.from(chain.genesisHash, 'hex');
      for (const l of chain.links) {
        prev = linkHash(prev, BigInt(l.seq), Buffer.from(l.digest, 'hex'));
        expect(prev.toString('hex'), `h_${l.seq}`).toBe(l.hash);
      }
    });

    it('extendChain reproduces every h_g', () => {
      const hs = extendChain(
        Buffer.from(chain.genesisHash, 'hex'),
        1n,
        chain.links.map((l) => Buffer.from(l.digest, 'hex')),
      );
      expect(hs.map((h) => h.toString('hex'))).toEqual(chain.links.map((l) => l.hash));
    });

    it('linkEntries reproduces every h_g, returns the last, and links a prefix when given a count', () => {
      const g = Buffer.from(chain.genesisHash, 'hex');
      const entries = chain.links.map((l) => ({ digest: Buffer.from(l.digest, 'hex') }));
      const out: Buffer[] = [];
      expect(linkEntries(g, 1n, entries, entries.length, out).toString('hex')).toBe(chain.links.at(-1)!.hash);
      expect(out.map((h) => h.toString('hex'))).toEqual(chain.links.map((l) => l.hash));
      expect(linkEntries(g, 1n, entries).toString('hex')).toBe(chain.links.at(-1)!.hash);
      expect(linkEntries(g, 1n, entries, 3).toString('hex')).toBe(chain.links[2]!.hash);
      expect(linkEntries(g, 1n, entries, 0)).toBe(g);
    });

    it('extendChain from the middle continues the same chain', () => {
      const l4 = chain.links[4]!;
      const hs = extendChain(
        Buffer.from(l4.hash, 'hex'),
        BigInt(l4.seq) + 1n,
        chain.links.slice(5).map((l) => Buffer.from(l.digest, 'hex')),
      );
      expect(hs.map((h) => h.toString('hex'))).toEqual(chain.links.slice(5).map((l) => l.hash));
    });
  });
});
