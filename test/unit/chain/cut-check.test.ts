import { describe, expect, it } from 'vitest';
import { extendChain } from '../../../src/chain/link.js';
import { type Break, checkCut, type CutView } from '../../../src/chain/verify.js';
import { GENESIS, GOOD_CUTS, ledger } from './fixtures.js';

function flipByte(b: Buffer, at = 0): Buffer {
  const out = Buffer.from(b);
  out[at] = out[at]! ^ 0x01;
  return out;
}

/** The break `checkCut` reports, or a failed expectation when the cut passes. */
function brk(head: Parameters<typeof checkCut>[0], cut: CutView, rules?: Parameters<typeof checkCut>[2]): Break {
  const r = checkCut(head, cut, rules);
  if (r.ok) throw new Error('expected a break');
  return r.brk;
}

describe('checkCut (the ledger invariants the verifier and the index follower share)', () => {
  const cuts = ledger(GOOD_CUTS);
  const c0 = cuts[0]!;
  const c1 = cuts[1]!;
  const afterC0 = { seq: c0.lastSeq, hash: c0.headHash, cutId: c0.cutId };

  it('passes a cut that follows the head, returning the recomputed head and every hash', () => {
    const hashes: Buffer[] = [];
    const r = checkCut({ seq: 0n, hash: GENESIS }, c0, undefined, hashes);
    expect(r).toEqual({ ok: true, head: c0.headHash });
    expect(hashes).toEqual(
      extendChain(
        GENESIS,
        1n,
        c0.entries.map((e) => e.digest),
      ),
    );
    expect(checkCut(afterC0, c1).ok).toBe(true);
  });

  it('passes an empty cut that keeps the head', () => {
    const empty: CutView = { ...c1, lastSeq: c1.firstSeq - 1n, prevHash: c0.headHash, headHash: c0.headHash, entries: [] };
    expect(checkCut(afterC0, empty)).toEqual({ ok: true, head: c0.headHash });
  });

  it('names a seq gap, naming the missing cuts only when the head says which cut it is', () => {
    const late = cuts[2]!;
    expect(brk(afterC0, late)).toMatchObject({ kind: 'seq-gap', seq: 5n, ledgerOffset: 3n, expected: '5', actual: '8' });
    expect(brk(afterC0, late).message).toContain('seqs 5..7 are missing: cut 2 is not here');
    expect(brk({ seq: c0.lastSeq, hash: c0.headHash }, late).message).toContain('seqs 5..7 are missing)');
    expect(brk(afterC0, c0).message).toContain('overlaps');
  });

  it('names a count that disagrees with the seq range, before the prev hash', () => {
    const bad = { ...c1, lastSeq: c1.lastSeq + 1n, prevHash: flipByte(c1.prevHash) };
    expect(brk(afterC0, bad)).toMatchObject({ kind: 'count', seq: 5n, expected: '4', actual: '3' });
  });

  it('names a prev hash that is not the head hash, with the first entry of the cut', () => {
    const bad = { ...c1, prevHash: flipByte(c1.prevHash) };
    const b = brk(afterC0, bad);
    expect(b).toMatchObject({
      kind: 'prev-hash',
      seq: 5n,
      partition: c1.entries[0]!.partition,
      offset: c1.entries[0]!.offset,
      ledgerOffset: 2n,
      expected: c0.headHash.toString('hex'),
    });
    expect(b.message).toContain('prevHash does not equal h_4');
    expect(brk({ seq: 0n, hash: GENESIS }, { ...c0, prevHash: flipByte(c0.prevHash) }).message).toContain('the genesis hash');
  });

  it('names a digest of the wrong size, and a head hash its entries do not link to', () => {
    const short = c1.entries.map((e, i) => (i === 1 ? { ...e, digest: e.digest.subarray(0, 31) } : e));
    expect(brk(afterC0, { ...c1, entries: short })).toMatchObject({ kind: 'digest-mismatch', seq: 6n, expected: '32 bytes', actual: '31 bytes' });
    const b = brk(afterC0, { ...c1, headHash: flipByte(c1.headHash) });
    expect(b).toMatchObject({ kind: 'head-hash', seq: 7n, ledgerOffset: 2n, expected: c1.headHash.toString('hex') });
    expect(b.message).toContain('headHash differs from h_7');
  });

  it("checks a reader's rules at their places: `cut` before the prev hash, `entries` before the links", () => {
    const ruleBreak = (kind: Break['kind']): Break => ({ kind, message: kind });
    const seen: string[] = [];
    const rules = {
      cut: () => {
        seen.push('cut');
        return null;
      },
      entries: () => {
        seen.push('entries');
        return null;
      },
    };
    expect(checkCut(afterC0, c1, rules).ok).toBe(true);
    expect(seen).toEqual(['cut', 'entries']);
    // `cut` is not asked about a cut that does not start at the head
    seen.length = 0;
    brk(afterC0, cuts[2]!, rules);
    expect(seen).toEqual([]);
    const badPrev = { ...c1, prevHash: flipByte(c1.prevHash), headHash: flipByte(c1.headHash) };
    expect(brk(afterC0, badPrev, { cut: () => ruleBreak('cut-id') }).kind).toBe('cut-id');
    expect(brk(afterC0, badPrev, { entries: () => ruleBreak('partition-order') }).kind).toBe('prev-hash');
    expect(brk(afterC0, { ...c1, headHash: flipByte(c1.headHash) }, { entries: () => ruleBreak('partition-order') }).kind).toBe('partition-order');
  });
});
