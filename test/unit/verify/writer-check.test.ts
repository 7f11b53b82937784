import { describe, expect, it } from 'vitest';
import { WriterCheck } from '../../../src/verify/writer-check.js';

const cut = (ledgerOffset: number, epoch: number, cutId = ledgerOffset) => ({
  ledgerOffset: BigInt(ledgerOffset),
  epoch: BigInt(epoch),
  cutId: BigInt(cutId),
  firstSeq: BigInt(ledgerOffset * 10),
});
const seqchain = (producerEpoch: number) => ({ transactional: true, producerId: '7', producerEpoch });

describe('WriterCheck', () => {
  it('accepts one producer session per epoch, a new session (or producer id) with a new epoch', () => {
    const w = new WriterCheck(3n);
    expect(w.check(cut(1, 1), seqchain(0))).toBeNull();
    expect(w.check(cut(2, 1), seqchain(0))).toBeNull();
    expect(w.check(cut(3, 2), seqchain(1))).toBeNull();
    // transactional.id expired while idle: the next leader gets a new producer id
    expect(w.check(cut(4, 3), { transactional: true, producerId: '9', producerEpoch: 0 })).toBeNull();
  });

  it('names a cut written outside a transaction', () => {
    const w = new WriterCheck(null);
    expect(w.check(cut(1, 1), { transactional: false, producerId: '-1', producerEpoch: -1 })).toMatchObject({
      kind: 'foreign-writer',
      ledgerOffset: 1n,
      seq: 10n,
      expected: 'a transactional write',
    });
  });

  it('names another producer writing under an epoch already in use', () => {
    const w = new WriterCheck(2n);
    expect(w.check(cut(1, 2), seqchain(4))).toBeNull();
    expect(w.check(cut(2, 2), { transactional: true, producerId: '8', producerEpoch: 0 })).toMatchObject({
      kind: 'foreign-writer',
      ledgerOffset: 2n,
      expected: 'producer id 7 epoch 4',
      actual: 'producer id 8 epoch 0',
    });
    // same producer id, another session (it called initTransactions again): also another writer
    const w2 = new WriterCheck(2n);
    expect(w2.check(cut(1, 2), seqchain(4))).toBeNull();
    expect(w2.check(cut(2, 2), seqchain(5))).toMatchObject({ kind: 'foreign-writer', actual: 'producer id 7 epoch 5' });
  });

  it('names an epoch ZooKeeper never issued (above the epoch znode, or 0)', () => {
    expect(new WriterCheck(3n).check(cut(1, 4), seqchain(0))).toMatchObject({ kind: 'foreign-writer', expected: 'an epoch in [1, 3]', actual: '4' });
    expect(new WriterCheck(3n).check(cut(1, 0), seqchain(0))).toMatchObject({ kind: 'foreign-writer', actual: '0' });
  });

  it('checks only the epoch when the batch is unknown', () => {
    expect(new WriterCheck(3n).check(cut(1, 2), undefined)).toBeNull();
  });
});
