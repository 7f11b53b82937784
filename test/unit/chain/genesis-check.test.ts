import { describe, expect, it } from 'vitest';
import { checkGenesisMessage, genesisFieldsDiffering } from '../../../src/chain/genesis-check.js';
import { genesisHash } from '../../../src/chain/genesis.js';

const g = { chainId: 'c', topic: 's', start: [0n, 5n], createdAtMs: 1n, nonce: Buffer.alloc(16, 1) };

describe('genesisFieldsDiffering', () => {
  it('lists the fields that differ, none for equal ones', () => {
    expect(genesisFieldsDiffering(g, { ...g, start: [0n, 5n] })).toEqual([]);
    expect(genesisFieldsDiffering(g, { ...g, start: [0n, 6n], createdAtMs: 2n })).toEqual(['start', 'createdAtMs']);
    expect(genesisFieldsDiffering(g, { ...g, start: [0n], nonce: Buffer.alloc(16, 2), topic: 't' })).toEqual(['topic', 'start', 'nonce']);
  });
});

describe('checkGenesisMessage (the genesis rules the verifier and the index follower share)', () => {
  const hash = genesisHash(g);
  const chain = { hash, params: g };
  const genesisMsg = { kind: 'genesis' as const, ...g, hash };
  const cutMsg = { kind: 'cut' as const, cutId: 1n };
  const before = { sawGenesis: false, seq: 0n };
  const after = { sawGenesis: true, seq: 0n };

  it('passes the chain genesis first, and cuts after it', () => {
    expect(checkGenesisMessage(chain, before, 0n, genesisMsg)).toBeNull();
    expect(checkGenesisMessage({ hash }, before, 0n, genesisMsg)).toBeNull();
    expect(checkGenesisMessage(chain, after, 1n, cutMsg)).toBeNull();
    expect(checkGenesisMessage(chain, { sawGenesis: true, seq: 9n }, 4n, { kind: 'cut', cutId: 3n })).toBeNull();
  });

  it('names a cut before the genesis message', () => {
    const brk = checkGenesisMessage(chain, before, 0n, cutMsg);
    expect(brk).toEqual({
      kind: 'genesis',
      ledgerOffset: 0n,
      message: 'ledger offset 0: cut 1 before the genesis message (the ledger does not start with the genesis)',
    });
  });

  it('names a second genesis, after a genesis or once seqs are there', () => {
    const h = hash.toString('hex');
    expect(checkGenesisMessage(chain, after, 2n, genesisMsg)).toEqual({
      kind: 'genesis',
      ledgerOffset: 2n,
      expected: h,
      actual: h,
      message: 'ledger offset 2: a second genesis message, after seq 0',
    });
    expect(checkGenesisMessage({ hash }, { sawGenesis: false, seq: 7n }, 5n, genesisMsg)).toMatchObject({
      kind: 'genesis',
      ledgerOffset: 5n,
      message: 'ledger offset 5: a second genesis message, after seq 7',
    });
  });

  it("names a genesis that is not the chain's, with the fields that differ when the chain's are known", () => {
    const other = { ...g, start: [0n, 6n] };
    const otherHash = genesisHash(other);
    const msg = { kind: 'genesis' as const, ...other, hash: otherHash };
    const [e, a] = [hash.toString('hex'), otherHash.toString('hex')];
    expect(checkGenesisMessage(chain, before, 0n, msg)).toEqual({
      kind: 'genesis',
      ledgerOffset: 0n,
      expected: e,
      actual: a,
      message: `ledger offset 0: the ledger's genesis ${a} is not the chain's genesis ${e} (in start)`,
    });
    expect(checkGenesisMessage({ hash }, before, 0n, msg)!.message).toBe(`ledger offset 0: the ledger's genesis ${a} is not the chain's genesis ${e}`);
    // Same fields, another hash: nothing to name but the hash.
    expect(checkGenesisMessage(chain, before, 0n, { ...genesisMsg, hash: otherHash })!.message).toBe(
      `ledger offset 0: the ledger's genesis ${a} is not the chain's genesis ${e}`,
    );
  });
});
