/**
 * Was a ledger cut written by seqchain's sequencer? What a verifier can tell without a secret:
 *
 *  - every cut is written in a Kafka transaction (one transaction per cut);
 *  - one leader term = one seqchain epoch = one transactional producer session, so all cuts of
 *    an epoch carry the same Kafka (producerId, producerEpoch); another producer appending with
 *    the current epoch number shows up as a different one;
 *  - epochs are issued by ZooKeeper (the epoch znode, bumped by every new leader before it
 *    writes): a cut whose epoch is 0 or above the epoch znode was written by no leader.
 *
 * Not detectable by design: a writer holding seqchain's transactional.id and ZooKeeper write
 * access (it bumps the epoch, fences the leader, and writes a well-linked next cut) looks
 * exactly like a new leader. The source check still names any record such a cut claims that the
 * source does not hold; a cut that sequences real source records correctly is, by definition,
 * a valid chain. Signed checkpoints (docs/DESIGN.md "Planned, not built") would close that gap. Pure.
 */
import type { Break } from '../chain/breaks.js';
import type { LedgerWriter } from '../kafka/ledger-reader.js';

export interface WrittenCut {
  ledgerOffset: bigint;
  epoch: bigint;
  cutId: bigint;
  firstSeq: bigint;
}

export class WriterCheck {
  private epoch: bigint | null = null;
  private producer: { id: string; epoch: number; ledgerOffset: bigint } | null = null;

  /** `issuedEpoch`: the epoch znode, read after the ledger end was taken (so it covers every cut read). */
  constructor(private readonly issuedEpoch: bigint | null) {}

  check(cut: WrittenCut, writer: LedgerWriter | undefined): Break | null {
    const at = `cut ${cut.cutId} at ledger offset ${cut.ledgerOffset}`;
    const pos = { seq: cut.firstSeq, ledgerOffset: cut.ledgerOffset };
    if (this.issuedEpoch !== null && (cut.epoch < 1n || cut.epoch > this.issuedEpoch)) {
      return {
        kind: 'foreign-writer',
        ...pos,
        expected: `an epoch in [1, ${this.issuedEpoch}]`,
        actual: String(cut.epoch),
        message: `${at}: epoch ${cut.epoch} was never issued by ZooKeeper (the epoch znode is at ${this.issuedEpoch}): no seqchain leader wrote it`,
      };
    }
    // No batch information (a client that does not expose it): only the epoch can be checked.
    if (writer === undefined) return null;
    if (!writer.transactional) {
      return {
        kind: 'foreign-writer',
        ...pos,
        expected: 'a transactional write',
        actual: `non-transactional, producer id ${writer.producerId}`,
        message: `${at}: written outside a Kafka transaction (producer id ${writer.producerId}); seqchain writes every cut in one`,
      };
    }
    if (this.epoch === cut.epoch && this.producer !== null && (this.producer.id !== writer.producerId || this.producer.epoch !== writer.producerEpoch)) {
      return {
        kind: 'foreign-writer',
        ...pos,
        expected: `producer id ${this.producer.id} epoch ${this.producer.epoch}`,
        actual: `producer id ${writer.producerId} epoch ${writer.producerEpoch}`,
        message:
          `${at}: written by Kafka producer ${writer.producerId} (producer epoch ${writer.producerEpoch}), but epoch ${cut.epoch}'s earlier cuts ` +
          `(from ledger offset ${this.producer.ledgerOffset}) by producer ${this.producer.id} (producer epoch ${this.producer.epoch}): one leader term has one producer`,
      };
    }
    if (this.epoch !== cut.epoch) {
      this.epoch = cut.epoch;
      this.producer = { id: writer.producerId, epoch: writer.producerEpoch, ledgerOffset: cut.ledgerOffset };
    }
    return null;
  }
}
