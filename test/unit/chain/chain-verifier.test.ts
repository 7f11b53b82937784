import { describe, expect, it } from 'vitest';
import { linkHash } from '../../../src/chain/link.js';
import { breakToError, ChainVerifier, type Break, type CutView, verifyGenesis } from '../../../src/chain/verify.js';
import { GENESIS, GOOD_CUTS, ledger, START } from './fixtures.js';

function run(cuts: readonly CutView[]): { verifier: ChainVerifier; brk: Break | null } {
  const verifier = new ChainVerifier(GENESIS, START);
  let brk: Break | null = null;
  for (const c of cuts) {
    brk = verifier.addCut(c);
    if (brk !== null) break;
  }
  return { verifier, brk };
}

function flipByte(b: Buffer, at = 0): Buffer {
  const out = Buffer.from(b);
  out[at] = out[at]! ^ 0x01;
  return out;
}

describe('ChainVerifier', () => {
  it('accepts a good ledger and ends on the last link', () => {
    const cuts = ledger(GOOD_CUTS, [1n, 1n, 2n]);
    const { verifier, brk } = run(cuts);
    expect(brk).toBeNull();
    expect(verifier.firstBreak).toBeNull();
    expect(verifier.head.seq).toBe(11n);
    expect(verifier.head.hash.equals(cuts[2]!.headHash)).toBe(true);
  });

  it('starts at seq 0 on the genesis hash', () => {
    const v = new ChainVerifier(GENESIS, START);
    expect(v.head.seq).toBe(0n);
    expect(v.head.hash.equals(GENESIS)).toBe(true);
  });

  it('accepts an empty cut that keeps the head', () => {
    const cuts = ledger([GOOD_CUTS[0]!, [], GOOD_CUTS[1]!]);
    expect(run(cuts).brk).toBeNull();
  });

  it('names a flipped digest byte as a head-hash break of that cut (seqs, expected vs actual)', () => {
    const cuts = ledger(GOOD_CUTS);
    const good = cuts[1]!;
    const entries = good.entries.map((e, i) => (i === 1 ? { ...e, digest: flipByte(e.digest, 31) } : e));
    const { brk, verifier } = run([cuts[0]!, { ...good, entries }, cuts[2]!]);
    expect(brk).toMatchObject({ kind: 'head-hash', seq: 7n, ledgerOffset: 2n, actual: good.headHash.toString('hex') });
    expect(brk?.expected).toMatch(/^[0-9a-f]{64}$/);
    expect(brk?.expected).not.toBe(brk?.actual);
    expect(brk?.message).toContain('seqs 5..7');
    // the head stays on the last good cut
    expect(verifier.head.seq).toBe(4n);
    expect(verifier.head.hash.equals(cuts[0]!.headHash)).toBe(true);
  });

  it('names a flipped head hash', () => {
    const cuts = ledger(GOOD_CUTS);
    const bad = { ...cuts[2]!, headHash: flipByte(cuts[2]!.headHash) };
    expect(run([cuts[0]!, cuts[1]!, bad]).brk).toMatchObject({ kind: 'head-hash', seq: 11n, partition: 0, offset: 3n });
  });

  it('names a dropped cut as a seq gap', () => {
    const cuts = ledger(GOOD_CUTS);
    const { brk } = run([cuts[0]!, cuts[2]!]);
    expect(brk).toMatchObject({ kind: 'seq-gap', seq: 5n, expected: '5', actual: '8', ledgerOffset: 3n });
    expect(brk?.message).toContain('seqs 5..7 are missing');
  });

  it('names reordered cuts as a seq gap', () => {
    const cuts = ledger(GOOD_CUTS);
    expect(run([cuts[1]!, cuts[0]!]).brk).toMatchObject({ kind: 'seq-gap', seq: 1n, actual: '5' });
  });

  it('names a duplicated cut (an exact copy, later in the ledger) as duplicate-cut', () => {
    const cuts = ledger(GOOD_CUTS);
    const copy = { ...cuts[0]!, ledgerOffset: 3n };
    const { brk } = run([cuts[0]!, cuts[1]!, copy]);
    expect(brk).toMatchObject({ kind: 'duplicate-cut', seq: 1n, ledgerOffset: 3n, expected: '8', actual: '1' });
    expect(brk?.message).toContain('a copy of cut 1 at ledger offset 1');
  });

  it('names a replayed cut that is not an exact copy as a seq gap that overlaps', () => {
    const cuts = ledger(GOOD_CUTS);
    const { brk } = run([cuts[0]!, { ...cuts[0]!, headHash: flipByte(cuts[0]!.headHash) }]);
    expect(brk).toMatchObject({ kind: 'seq-gap', seq: 5n, actual: '1' });
    expect(brk?.message).toContain('overlaps');
  });

  it('names a removed cut as a seq gap, naming the missing cut id', () => {
    const cuts = ledger(GOOD_CUTS);
    const v = new ChainVerifier(GENESIS, START);
    v.addCut(cuts[0]!);
    const brk = v.addCut(cuts[2]!);
    expect(brk).toMatchObject({ kind: 'seq-gap', seq: 5n, ledgerOffset: 3n });
    expect(brk?.message).toContain('cut 2 is not here');
  });

  it('renames a gap to cut-order when the missing cut turns up later (swapped cuts)', () => {
    const cuts = ledger([...GOOD_CUTS, [[0, 9]]]);
    const v = new ChainVerifier(GENESIS, START);
    v.addCut(cuts[0]!);
    expect(v.addCut({ ...cuts[2]!, ledgerOffset: 2n })?.kind).toBe('seq-gap');
    const brk = v.addCut({ ...cuts[1]!, ledgerOffset: 3n });
    expect(brk).toMatchObject({ kind: 'cut-order', seq: 5n, ledgerOffset: 2n, expected: '5', actual: '8' });
    expect(brk?.message).toContain('cut 2 (seqs 5..7) is at ledger offset 3, after a later cut at ledger offset 2');
    expect(v.addCut(cuts[3]!)).toBe(brk);
  });

  it('names a cut id that does not follow (a consistently linked cut from another writer)', () => {
    const cuts = ledger(GOOD_CUTS);
    const { brk } = run([cuts[0]!, { ...cuts[1]!, cutId: 7n }]);
    expect(brk).toMatchObject({ kind: 'cut-id', seq: 5n, ledgerOffset: 2n, expected: '2', actual: '7' });
  });

  it('names a wrong prevHash with the first entry of the cut', () => {
    const cuts = ledger(GOOD_CUTS);
    const bad = { ...cuts[1]!, prevHash: flipByte(cuts[1]!.prevHash, 5) };
    const { brk } = run([cuts[0]!, bad]);
    expect(brk).toMatchObject({
      kind: 'prev-hash',
      seq: 5n,
      partition: 2,
      offset: 1n,
      expected: cuts[0]!.headHash.toString('hex'),
      actual: bad.prevHash.toString('hex'),
    });
  });

  it('names a cut whose seq range disagrees with its entry count', () => {
    const cuts = ledger(GOOD_CUTS);
    const bad = { ...cuts[1]!, lastSeq: cuts[1]!.lastSeq + 1n };
    expect(run([cuts[0]!, bad]).brk).toMatchObject({ kind: 'count', expected: '4', actual: '3' });
  });

  it('names an epoch that decreases', () => {
    const cuts = ledger(GOOD_CUTS, [3n, 3n, 2n]);
    const { brk } = run(cuts);
    expect(brk).toMatchObject({ kind: 'epoch-regressed', ledgerOffset: 3n, actual: '2', expected: '>= 3' });
  });

  it('names offsets out of order within a partition (consistently hashed)', () => {
    const cuts = ledger([
      [
        [0, 0],
        [0, 2],
      ],
      [
        [1, 10],
        [0, 1],
      ],
    ]);
    expect(run(cuts).brk).toMatchObject({ kind: 'partition-order', seq: 4n, partition: 0, offset: 1n, expected: '> 2' });
  });

  it('names a position sequenced twice, also across cuts and not just the last offset', () => {
    expect(
      run(
        ledger([
          [
            [0, 0],
            [0, 0],
          ],
        ]),
      ).brk,
    ).toMatchObject({ kind: 'duplicate-position', seq: 2n, partition: 0, offset: 0n });
    const replay = ledger([
      [
        [0, 0],
        [0, 1],
        [0, 2],
      ],
      [
        [1, 10],
        [0, 1],
      ],
    ]);
    expect(run(replay).brk).toMatchObject({ kind: 'duplicate-position', seq: 5n, partition: 0, offset: 1n });
  });

  it('names a position below start[p]', () => {
    const { brk } = run(
      ledger([
        [
          [0, 0],
          [1, 9],
        ],
      ]),
    );
    expect(brk).toMatchObject({ kind: 'below-start', seq: 2n, partition: 1, offset: 9n, expected: '>= 10' });
  });

  it('names a partition the chain does not have', () => {
    expect(run(ledger([[[3, 0]]])).brk).toMatchObject({ kind: 'below-start', partition: 3 });
  });

  it('names a digest of the wrong size', () => {
    const cuts = ledger(GOOD_CUTS);
    const entries = cuts[0]!.entries.map((e, i) => (i === 2 ? { ...e, digest: e.digest.subarray(0, 31) } : e));
    expect(run([{ ...cuts[0]!, entries }]).brk).toMatchObject({ kind: 'digest-mismatch', seq: 3n });
  });

  it('stops at the first break: later cuts return the same break', () => {
    const cuts = ledger(GOOD_CUTS);
    const v = new ChainVerifier(GENESIS, START);
    expect(v.addCut(cuts[0]!)).toBeNull();
    const first = v.addCut(cuts[2]!);
    expect(first?.kind).toBe('seq-gap');
    expect(v.addCut({ ...cuts[1]!, prevHash: flipByte(cuts[1]!.prevHash) })).toBe(first);
    expect(v.addCut(ledger([[[0, 9]]])[0]!)).toBe(first);
    expect(v.firstBreak).toBe(first);
    expect(v.head.seq).toBe(4n);
  });

  it('recomputes links itself (a cut hashed over another prev is caught)', () => {
    const cuts = ledger(GOOD_CUTS);
    const c = cuts[0]!;
    let h: Buffer = Buffer.alloc(32); // wrong starting point, self-consistent otherwise
    c.entries.forEach((e, i) => {
      h = linkHash(h, BigInt(i) + 1n, e.digest);
    });
    expect(run([{ ...c, headHash: h }]).brk?.kind).toBe('head-hash');
  });

  it('rejects a genesis hash of the wrong size', () => {
    expect(() => new ChainVerifier(Buffer.alloc(31), START)).toThrow(/32 bytes/);
    expect(() => new ChainVerifier(GENESIS, [])).toThrow(/P ≥ 1/);
  });
});

describe('verifyGenesis and breakToError', () => {
  const params = { chainId: 'test-chain', topic: 'src', start: START, createdAtMs: 1_700_000_000_000n, nonce: Buffer.alloc(16, 7) };

  it('accepts the stored genesis and names a different one', () => {
    expect(verifyGenesis(params, GENESIS)).toBeNull();
    const brk = verifyGenesis({ ...params, start: [0n, 11n, 0n] }, GENESIS);
    expect(brk).toMatchObject({ kind: 'genesis', seq: 0n, actual: GENESIS.toString('hex') });
  });

  it('turns a break into a non-retriable ChainBrokenError with its fields', () => {
    const err = breakToError({ kind: 'digest-mismatch', seq: 5n, partition: 2, offset: 7n, expected: 'aa', actual: 'bb', message: 'm' });
    expect(err.code).toBe('SEQCHAIN_ERR_CHAIN_BROKEN');
    expect(err.retriable).toBe(false);
    expect(err.message).toBe('m');
    expect(err.details).toEqual({ kind: 'digest-mismatch', seq: '5', partition: 2, offset: '7', expected: 'aa', actual: 'bb' });
  });
});
