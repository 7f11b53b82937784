/**
 * Partitions added to the source topic after the genesis: the first cut whose coverage vector
 * includes a partition says where it starts (the sequencer writes an expansion cut with no
 * records); the verifiers then treat it like a genesis partition.
 */
import { describe, expect, it } from 'vitest';
import { ChainVerifier, type CutView, type MatchEntry, SourceMatcher } from '../../../src/chain/verify.js';
import { digestOf, GENESIS, ledger as consistentLedger, START, type Pos } from './fixtures.js';

/** Consistent cuts that also carry a coverage vector (fixtures.ledger). */
function ledger(cuts: readonly { positions: readonly Pos[]; coverage: readonly number[] }[]): CutView[] {
  return consistentLedger(
    cuts.map((c) => c.positions),
    [],
    cuts.map((c) => c.coverage),
  );
}

function run(cuts: readonly CutView[]) {
  const verifier = new ChainVerifier(GENESIS, START);
  for (const c of cuts) {
    const brk = verifier.addCut(c);
    if (brk) return { verifier, brk };
  }
  return { verifier, brk: null };
}

// START is [0, 10, 0]: three genesis partitions.
const BEFORE = {
  positions: [
    [0, 0],
    [1, 10],
    [2, 0],
  ] as Pos[],
  coverage: [1, 11, 1],
};
const EXPANSION = { positions: [] as Pos[], coverage: [1, 11, 1, 0, 4] };
const AFTER = {
  positions: [
    [3, 0],
    [0, 1],
    [4, 4],
    [3, 1],
  ] as Pos[],
  coverage: [2, 11, 1, 2, 5],
};

describe('ChainVerifier with partitions added after the genesis', () => {
  it('takes each new partition start from the first cut that covers it (an empty expansion cut)', () => {
    const { verifier, brk } = run(ledger([BEFORE, EXPANSION, AFTER]));
    expect(brk).toBeNull();
    expect(verifier.starts).toEqual([0n, 10n, 0n, 0n, 4n]);
    expect(verifier.head.seq).toBe(7n);
  });

  it('an expansion cut keeps the head (seq and hash)', () => {
    const cuts = ledger([BEFORE, EXPANSION]);
    expect(cuts[1]!.firstSeq).toBe(4n);
    expect(cuts[1]!.lastSeq).toBe(3n);
    expect(cuts[1]!.headHash.equals(cuts[0]!.headHash)).toBe(true);
    const { verifier, brk } = run(cuts);
    expect(brk).toBeNull();
    expect(verifier.head.hash.equals(cuts[0]!.headHash)).toBe(true);
  });

  it('names a record of a partition no cut has covered yet', () => {
    expect(run(ledger([BEFORE, { positions: [[3, 0]], coverage: [1, 11, 1] }])).brk).toMatchObject({ kind: 'below-start', partition: 3 });
  });

  it('names a record below the start an expansion cut recorded', () => {
    expect(run(ledger([BEFORE, EXPANSION, { positions: [[4, 3]], coverage: [1, 11, 1, 0, 5] }])).brk).toMatchObject({
      kind: 'below-start',
      partition: 4,
      offset: 3n,
      expected: '>= 4',
    });
  });

  it('a start is fixed once: a later cut cannot move it', () => {
    const { verifier, brk } = run(ledger([BEFORE, EXPANSION, { positions: [], coverage: [1, 11, 1, 9, 9, 2] }]));
    expect(brk).toBeNull();
    expect(verifier.starts).toEqual([0n, 10n, 0n, 0n, 4n, 2n]);
  });
});

function entries(partition: number, offsets: readonly number[], firstSeq: number): MatchEntry[] {
  return offsets.map((o, i) => ({ seq: BigInt(firstSeq + i), offset: BigInt(o), digest: digestOf(partition, BigInt(o)) }));
}

describe('SourceMatcher with partitions added after the genesis', () => {
  it('matches an added partition like a genesis one', () => {
    const m = new SourceMatcher(START);
    m.addPartition(0n);
    expect(m.partitionCount).toBe(4);
    expect(m.expect(3, entries(3, [0, 1, 3], 1), 4n)).toBeNull();
    for (const o of [0n, 1n, 3n]) expect(m.observe(3, o, digestOf(3, o))).toBeNull();
    expect(m.finish(3, 4n)).toBeNull();
    expect(m.matched).toBe(3n);
  });

  it('names a source record below the recorded start of an added partition: it was never sequenced', () => {
    const m = new SourceMatcher(START);
    m.addPartition(2n);
    expect(m.expect(3, entries(3, [2, 3], 1), 4n)).toBeNull();
    expect(m.observe(3, 1n, digestOf(3, 1n))).toMatchObject({ kind: 'missing-in-ledger', partition: 3, offset: 1n, expected: digestOf(3, 1n).toString('hex') });
  });

  it('names a record of an added partition missing inside the covered range', () => {
    const m = new SourceMatcher(START);
    m.addPartition(0n);
    m.expect(3, entries(3, [0, 2], 1), 3n);
    expect(m.observe(3, 0n, digestOf(3, 0n))).toBeNull();
    expect(m.observe(3, 1n, digestOf(3, 1n))).toMatchObject({ kind: 'missing-in-ledger', partition: 3, offset: 1n });
  });

  it('names a ledger entry below the start of an added partition', () => {
    const m = new SourceMatcher(START);
    m.addPartition(5n);
    expect(m.expect(3, entries(3, [4], 1), 6n)).toMatchObject({ kind: 'below-start', partition: 3, offset: 4n });
  });
});
