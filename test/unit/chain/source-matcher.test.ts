import { describe, expect, it } from 'vitest';
import { SeqchainError } from '../../../src/errors.js';
import { type MatchEntry, SourceMatcher } from '../../../src/chain/verify.js';
import { digestOf, START } from './fixtures.js';

function entries(partition: number, offsets: readonly number[], firstSeq: number): MatchEntry[] {
  return offsets.map((o, i) => ({ seq: BigInt(firstSeq + i), offset: BigInt(o), digest: digestOf(partition, BigInt(o)) }));
}

/** Feeds the source of `partition` (the given offsets, in order) and finishes at `end`. */
function source(m: SourceMatcher, partition: number, offsets: readonly number[], end: number) {
  for (const o of offsets) {
    const b = m.observe(partition, BigInt(o), digestOf(partition, BigInt(o)));
    if (b !== null) return b;
  }
  return m.finish(partition, BigInt(end));
}

describe('SourceMatcher', () => {
  it('matches a ledger against its source, streaming in several steps, with source holes', () => {
    const m = new SourceMatcher(START);
    // partition 1 starts at 10; offsets 12 is a transaction marker: no record in source or ledger
    expect(m.expect(1, entries(1, [10, 11], 1), 12n)).toBeNull();
    expect(source(m, 1, [10, 11], 12)).toBeNull();
    expect(m.expect(1, entries(1, [13, 14], 3), 15n)).toBeNull();
    expect(m.observe(1, 13n, digestOf(1, 13n))).toBeNull();
    expect(m.observe(1, 14n, digestOf(1, 14n))).toBeNull();
    expect(m.finish(1, 15n)).toBeNull();
    expect(m.matched).toBe(4n);
    expect(m.pending(1)).toBe(0);
    expect(m.firstBreak).toBeNull();
  });

  it('names a digest that differs (seq, partition, offset, source vs ledger digest)', () => {
    const m = new SourceMatcher(START);
    const es = entries(0, [0, 1, 2], 1);
    const tampered = Buffer.from(es[1]!.digest);
    tampered[0] = tampered[0]! ^ 0x80;
    es[1] = { ...es[1]!, digest: tampered };
    m.expect(0, es, 3n);
    const brk = source(m, 0, [0, 1, 2], 3);
    expect(brk).toMatchObject({
      kind: 'digest-mismatch',
      seq: 2n,
      partition: 0,
      offset: 1n,
      expected: digestOf(0, 1n).toString('hex'),
      actual: tampered.toString('hex'),
    });
    expect(m.matched).toBe(1n);
  });

  it('names a source record missing in the ledger', () => {
    const m = new SourceMatcher(START);
    m.expect(2, entries(2, [0, 2], 1), 3n);
    const brk = source(m, 2, [0, 1, 2], 3);
    expect(brk).toMatchObject({ kind: 'missing-in-ledger', partition: 2, offset: 1n, expected: digestOf(2, 1n).toString('hex') });
  });

  it('names a source record missing at the end of the coverage (ledger queue empty)', () => {
    const m = new SourceMatcher(START);
    m.expect(0, entries(0, [0], 1), 2n);
    expect(source(m, 0, [0, 1], 2)).toMatchObject({ kind: 'missing-in-ledger', offset: 1n });
  });

  it('names a ledger entry with no source record, in the middle and at the end', () => {
    const mid = new SourceMatcher(START);
    mid.expect(0, entries(0, [0, 1, 2], 1), 3n);
    expect(source(mid, 0, [0, 2], 3)).toMatchObject({ kind: 'not-in-source', seq: 2n, partition: 0, offset: 1n });

    const end = new SourceMatcher(START);
    end.expect(0, entries(0, [0, 1, 2], 1), 3n);
    expect(source(end, 0, [0, 1], 3)).toMatchObject({ kind: 'not-in-source', seq: 3n, offset: 2n });
  });

  it('names ledger entries out of order, twice, or below start', () => {
    const m1 = new SourceMatcher(START);
    expect(m1.expect(0, entries(0, [0, 2, 1], 1), 3n)).toMatchObject({ kind: 'partition-order', seq: 3n, offset: 1n });
    const m2 = new SourceMatcher(START);
    expect(m2.expect(0, entries(0, [0, 1], 1), 2n)).toBeNull();
    expect(m2.expect(0, entries(0, [1], 3), 2n)).toMatchObject({ kind: 'duplicate-position', seq: 3n, offset: 1n });
    const m3 = new SourceMatcher(START);
    expect(m3.expect(1, entries(1, [9], 1), 10n)).toMatchObject({ kind: 'below-start', partition: 1, offset: 9n });
  });

  it('names a coverage that goes backwards or excludes a sequenced offset', () => {
    const m1 = new SourceMatcher(START);
    m1.expect(0, [], 5n);
    expect(m1.expect(0, [], 4n)?.kind).toBe('partition-order');
    const m2 = new SourceMatcher(START);
    expect(m2.expect(0, entries(0, [3], 1), 3n)?.kind).toBe('partition-order');
  });

  it('skips what retention deleted and still checks the records after it', () => {
    const m = new SourceMatcher(START);
    expect(m.expect(0, entries(0, [0, 1, 2, 3, 4], 1), 5n)).toBeNull();
    expect(m.skipDeleted(0, 3n)).toBe(3);
    expect(m.observe(0, 3n, digestOf(0, 3n))).toBeNull();
    const altered = Buffer.from(digestOf(0, 4n)).fill(1, 0, 1);
    expect(m.observe(0, 4n, altered)).toMatchObject({ kind: 'digest-mismatch', seq: 5n, partition: 0, offset: 4n, expected: altered.toString('hex') });
    expect(m.matched).toBe(1n);
  });

  it('skips to the coverage end when retention deleted beyond it, and refuses to skip backwards', () => {
    const m = new SourceMatcher(START);
    expect(m.expect(0, entries(0, [0, 1], 1), 2n)).toBeNull();
    expect(m.skipDeleted(0, 9n)).toBe(2);
    expect(m.finish(0, 2n)).toBeNull();
    expect(() => m.skipDeleted(0, 1n)).toThrow(SeqchainError);
  });

  it('keeps the first break', () => {
    const m = new SourceMatcher(START);
    m.expect(0, entries(0, [0, 1], 1), 2n);
    const first = m.observe(0, 1n, digestOf(0, 1n));
    expect(first?.kind).toBe('not-in-source');
    expect(m.finish(0, 2n)).toBe(first);
    expect(m.expect(2, entries(2, [0], 9), 1n)).toBe(first);
    expect(m.firstBreak).toBe(first);
  });

  it('refuses a caller that breaks the feeding contract', () => {
    const m = new SourceMatcher(START);
    m.expect(1, entries(1, [10, 11], 1), 12n);
    expect(() => m.observe(1, 9n, digestOf(1, 9n))).toThrow(SeqchainError); // below start
    expect(() => m.observe(1, 12n, digestOf(1, 12n))).toThrow(/beyond the ledger coverage/);
    expect(m.observe(1, 10n, digestOf(1, 10n))).toBeNull();
    expect(() => m.observe(1, 10n, digestOf(1, 10n))).toThrow(/in order/);
    expect(() => m.finish(1, 13n)).toThrow(/beyond the ledger coverage/);
    expect(() => m.observe(7, 0n, digestOf(7, 0n))).toThrow(/not one of the chain's 3 partitions/);
  });

  it('streams: memory holds only unmatched ledger entries', () => {
    const m = new SourceMatcher([0n]);
    const n = 5000;
    for (let o = 0; o < n; o += 100) {
      const batch = Array.from({ length: 100 }, (_, i) => ({ seq: BigInt(o + i + 1), offset: BigInt(o + i), digest: digestOf(0, BigInt(o + i)) }));
      expect(m.expect(0, batch, BigInt(o + 100))).toBeNull();
      for (const e of batch) expect(m.observe(0, e.offset, e.digest)).toBeNull();
      expect(m.pending(0)).toBe(0);
    }
    expect(m.finish(0, BigInt(n))).toBeNull();
    expect(m.matched).toBe(BigInt(n));
  });

  it('holds a whole ledger of entries before the source, and finds a changed digest deep in it (queue growth and reuse)', () => {
    const m = new SourceMatcher(START);
    const n = 5_000;
    const offsets = Array.from({ length: n }, (_, i) => i);
    const es = entries(0, offsets, 1);
    const bad = 4_321;
    const tampered = Buffer.from(es[bad]!.digest);
    tampered[31] = tampered[31]! ^ 1;
    es[bad] = { ...es[bad]!, digest: tampered };
    // Expected in many small steps (one cut at a time), then matched, partly interleaved.
    for (let i = 0; i < n; i += 100) expect(m.expect(0, es.slice(i, i + 100), BigInt(Math.min(n, i + 100)))).toBeNull();
    expect(m.pending(0)).toBe(n);
    for (let o = 0; o < bad; o++) expect(m.observe(0, BigInt(o), digestOf(0, BigInt(o)))).toBeNull();
    expect(m.pending(0)).toBe(n - bad);
    const b = m.observe(0, BigInt(bad), digestOf(0, BigInt(bad)));
    expect(b).toMatchObject({ kind: 'digest-mismatch', seq: BigInt(bad + 1), partition: 0, offset: BigInt(bad), actual: tampered.toString('hex') });
    expect(m.matched).toBe(BigInt(bad));
  });

  it('reuses its storage when entries come and go (expected and matched in turn, many times its capacity)', () => {
    const m = new SourceMatcher(START);
    let next = 0;
    const observe = (k: number) => {
      for (let j = 0; j < k; j++, next++) expect(m.observe(0, BigInt(next), digestOf(0, BigInt(next)))).toBeNull();
    };
    // Three expected per step, two matched: the queue's live part grows by one per step while its
    // head moves on, so it is compacted and grown in turn.
    for (let o = 0; o < 3_000; o += 3) {
      expect(m.expect(0, entries(0, [o, o + 1, o + 2], o + 1), BigInt(o + 3))).toBeNull();
      observe(2);
    }
    expect(m.pending(0)).toBe(1_000);
    observe(999);
    expect(m.matched).toBe(2_999n);
    // The last ledger entry (offset 2,999, seq 3,000) never comes from the source.
    expect(m.finish(0, 3_000n)).toMatchObject({ kind: 'not-in-source', seq: 3_000n, offset: 2_999n });
  });
});
