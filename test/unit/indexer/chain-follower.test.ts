import { describe, expect, it } from 'vitest';
import { extendChain } from '../../../src/chain/link.js';
import { ChainBrokenError, MalformedMessageError } from '../../../src/errors.js';
import { ChainFollower } from '../../../src/indexer/chain-follower.js';
import type { CutMessage } from '../../../src/wire/ledger-v1.js';
import { cut, G, genesisMsg, sha } from '../../helpers/ledger-cuts.js';

describe('ChainFollower from the ledger start', () => {
  it('follows genesis then cuts, recomputing every link', () => {
    const f = new ChainFollower('c', G, { seq: 0n, hash: G, ledgerOffset: -1n });
    expect(f.next(0n, genesisMsg)).toEqual({ kind: 'genesis', ledgerOffset: 0n });
    const c1 = cut(0n, G, 3, 1n);
    const s1 = f.next(2n, c1);
    expect(s1.kind).toBe('cut');
    if (s1.kind !== 'cut') return;
    expect(s1.hashes).toEqual(
      extendChain(
        G,
        1n,
        c1.entries.map((e) => e.digest),
      ),
    );
    expect(f.point).toEqual({ seq: 3n, hash: c1.headHash, ledgerOffset: 2n });
    // a redelivered message is skipped
    expect(f.next(2n, c1)).toEqual({ kind: 'skip' });
    const c2 = cut(3n, c1.headHash, 2, 2n);
    expect(f.next(4n, c2).kind).toBe('cut');
    expect(f.point.seq).toBe(5n);
  });

  it('accepts a cut with no records (firstSeq = lastSeq + 1, headHash = prevHash)', () => {
    const f = new ChainFollower('c', G, { seq: 0n, hash: G, ledgerOffset: -1n });
    f.next(0n, genesisMsg);
    const c1 = cut(0n, G, 2, 1n);
    f.next(2n, c1);
    const empty: CutMessage = { ...cut(2n, c1.headHash, 0, 2n), firstSeq: 3n, lastSeq: 2n, headHash: c1.headHash };
    const step = f.next(4n, empty);
    expect(step).toMatchObject({ kind: 'cut', hashes: [] });
    expect(f.point).toEqual({ seq: 2n, hash: c1.headHash, ledgerOffset: 4n });
    expect(f.next(6n, cut(2n, c1.headHash, 1, 3n)).kind).toBe('cut');
  });

  it('refuses a cut whose prevHash does not follow, naming seq and ledger offset', () => {
    const f = new ChainFollower('c', G, { seq: 0n, hash: G, ledgerOffset: -1n });
    f.next(0n, genesisMsg);
    const c1 = cut(0n, G, 2, 1n);
    f.next(2n, c1);
    const bad = cut(2n, sha('not h2'), 2, 2n);
    let err: unknown;
    try {
      f.next(4n, bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChainBrokenError);
    expect((err as ChainBrokenError).code).toBe('SEQCHAIN_ERR_CHAIN_BROKEN');
    expect((err as ChainBrokenError).retriable).toBe(false);
    expect((err as ChainBrokenError).details).toMatchObject({ chain: 'c', ledgerOffset: '4', seq: '3', expected: c1.headHash.toString('hex') });
    expect(f.point.seq).toBe(2n);
  });

  it('refuses a cut whose entries do not link to its headHash (a tampered digest)', () => {
    const f = new ChainFollower('c', G, { seq: 0n, hash: G, ledgerOffset: -1n });
    f.next(0n, genesisMsg);
    const c1 = cut(0n, G, 3, 1n);
    c1.entries[1] = { ...c1.entries[1]!, digest: sha('tampered') };
    expect(() => f.next(2n, c1)).toThrow(/headHash/);
  });

  it('reports the break as the ledger verifier names it (kind, expected, actual) in the error details', () => {
    const f = new ChainFollower('c', G, { seq: 0n, hash: G, ledgerOffset: -1n });
    f.next(0n, genesisMsg);
    const c1 = cut(0n, G, 3, 1n);
    const err = (() => {
      try {
        f.next(2n, { ...c1, lastSeq: 4n });
      } catch (e) {
        return e as ChainBrokenError;
      }
    })();
    expect(err).toBeInstanceOf(ChainBrokenError);
    expect(err!.message).toMatch(/^chain c: cut 1 at ledger offset 2: seqs 1\.\.4 need 4 entries, the cut has 3$/);
    expect(err!.details).toMatchObject({ chain: 'c', kind: 'count', ledgerOffset: '2', seq: '1', cutId: '1', epoch: '1', expected: '4', actual: '3' });
  });

  it('refuses a seq gap, a cut before the genesis, a second or foreign genesis, a malformed message', () => {
    const gap = new ChainFollower('c', G, { seq: 0n, hash: G, ledgerOffset: -1n });
    gap.next(0n, genesisMsg);
    expect(() => gap.next(2n, { ...cut(0n, G, 2, 1n), firstSeq: 2n, lastSeq: 3n })).toThrow(ChainBrokenError);

    expect(() => new ChainFollower('c', G, { seq: 0n, hash: G, ledgerOffset: -1n }).next(0n, cut(0n, G, 1, 1n))).toThrow(/does not start with the genesis/);
    expect(() => new ChainFollower('c', G, { seq: 0n, hash: G, ledgerOffset: -1n }).next(0n, { ...genesisMsg, hash: sha('other') })).toThrow(
      /not the chain's genesis/,
    );
    const twice = new ChainFollower('c', G, { seq: 0n, hash: G, ledgerOffset: -1n });
    twice.next(0n, genesisMsg);
    expect(() => twice.next(2n, genesisMsg)).toThrow(/second genesis/);
    const malformed = new ChainFollower('c', G, { seq: 0n, hash: G, ledgerOffset: -1n });
    expect(() => malformed.next(0n, new MalformedMessageError('ledger message v1', 'magic'))).toThrow(MalformedMessageError);
  });
});

describe('ChainFollower from an index head', () => {
  const c1 = cut(0n, G, 3, 1n);
  const c2 = cut(3n, c1.headHash, 2, 2n);

  it('first confirms the head message, then follows', () => {
    const f = new ChainFollower('c', G, { seq: 3n, hash: c1.headHash, ledgerOffset: 2n });
    expect(f.next(0n, genesisMsg)).toEqual({ kind: 'skip' });
    expect(f.next(2n, c1)).toEqual({ kind: 'confirmed' });
    expect(f.next(4n, c2).kind).toBe('cut');
  });

  it('reports a mismatch when the ledger holds something else at the head offset', () => {
    expect(new ChainFollower('c', G, { seq: 3n, hash: sha('x'), ledgerOffset: 2n }).next(2n, c1).kind).toBe('mismatch');
    expect(new ChainFollower('c', G, { seq: 4n, hash: c1.headHash, ledgerOffset: 2n }).next(2n, c1).kind).toBe('mismatch');
    // the head's offset holds no message (the next one comes first)
    expect(new ChainFollower('c', G, { seq: 3n, hash: c1.headHash, ledgerOffset: 2n }).next(4n, c2).kind).toBe('mismatch');
  });

  it('confirms a head that is the bare genesis', () => {
    const f = new ChainFollower('c', G, { seq: 0n, hash: G, ledgerOffset: 0n });
    expect(f.next(0n, genesisMsg)).toEqual({ kind: 'confirmed' });
    expect(f.next(2n, c1).kind).toBe('cut');
  });
});
