import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkHash } from '../../../src/chain/link.js';
import { recordDigest } from '../../../src/chain/record-digest.js';
import { decodeEpoch, encodeEpoch } from '../../../src/coordination/epoch.js';
import { kafkaNames } from '../../../src/kafka/names.js';
import { toSourceRecord } from '../../../src/kafka/source-record.js';
import type { CutEntry } from '../../../src/wire/ledger.js';
import { decodeLedgerMessage, encodeCutMessage, type CutMessage } from '../../../src/wire/ledger.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';
import { appendLedger, ledgerValues, rewriteLedger, rewriteZnode, topicRecords, verifyCli } from '../../helpers/tamper.js';

/**
 * A second writer appends to the ledger, outside seqchain: a well-formed next cut (links computed
 * from the head, no secret is involved). What verify can tell it by: the Kafka transaction and
 * producer of the message, the epoch against ZooKeeper's epoch znode, the cut id, and the source.
 * What it cannot (by design): a writer with seqchain's transactional.id and ZooKeeper write
 * access that sequences real source records correctly. Each test starts from the original
 * ledger (rewritten with seqchain's own transactional.id).
 */
describe('verify names a ledger message written by a second writer', () => {
  let f: ChainFixture;
  let original: Buffer[];
  let lastCut: CutMessage;
  /** A source record produced after the replicas stopped: real, with its real digest, never sequenced. */
  let unsequenced: CutEntry;

  beforeAll(async () => {
    f = new ChainFixture();
    await f.startSequenced(2, 1_000);
    await f.set.stopAll();
    original = await ledgerValues(f);
    lastCut = decodeLedgerMessage(original.at(-1)!) as CutMessage;
    await f.produce(1);
    const records = await topicRecords(f, f.topic);
    const p = records.findIndex((rs, p) => rs.length > 0 && BigInt(rs.at(-1)!.offset) >= lastCut.coverage[p]!.sourceNext);
    const m = records[p]!.at(-1)!;
    unsequenced = { partition: p, offset: BigInt(m.offset), timestampMs: BigInt(m.timestamp), digest: recordDigest(toSourceRecord(f.topic, p, m)) };
  }, 180_000);

  afterAll(async () => {
    await f?.close();
  });

  /** The next cut after the ledger's last, as seqchain would write it; `over` changes fields. */
  function nextCut(entry: CutEntry, over: Partial<CutMessage> = {}): Buffer {
    const seq = lastCut.lastSeq + 1n;
    return encodeCutMessage({
      ...lastCut,
      cutId: lastCut.cutId + 1n,
      firstSeq: seq,
      lastSeq: seq,
      prevHash: lastCut.headHash,
      headHash: linkHash(lastCut.headHash, seq, entry.digest),
      coverage: lastCut.coverage.map((c, p) => (p === entry.partition ? { ...c, sourceNext: entry.offset + 1n } : c)),
      entries: [entry],
      ...over,
    });
  }

  const restore = () => rewriteLedger(f, original, kafkaNames.transactionalId(f.chain));
  const epochZnode = async () => decodeEpoch(await rewriteZnode(f, 'epoch', (d) => d));

  it("passes before tampering (also once rewritten with seqchain's own transactional.id)", async () => {
    expect((await verifyCli(f)).code).toBe(0);
    await restore();
    const { code, report } = await verifyCli(f);
    expect(report.firstBreak).toBeNull();
    expect(code).toBe(0);
  }, 60_000);

  it('names a cut appended outside a Kafka transaction: foreign-writer', async () => {
    const [at] = await appendLedger(f, [nextCut(unsequenced)]);
    const { code, report } = await verifyCli(f);
    expect(code).toBe(1);
    expect(report.firstBreak).toMatchObject({
      kind: 'foreign-writer',
      seq: (lastCut.lastSeq + 1n).toString(),
      ledgerOffset: String(at),
      expected: 'a transactional write',
    });
    expect(report.firstBreak!.message).toContain('outside a Kafka transaction');
  }, 60_000);

  it('names a cut appended by another transactional producer under the current epoch: foreign-writer', async () => {
    await restore();
    const [at] = await appendLedger(f, [nextCut(unsequenced)], { transactionalId: `second.${f.chain}` });
    const { code, report } = await verifyCli(f);
    expect(code).toBe(1);
    expect(report.firstBreak).toMatchObject({ kind: 'foreign-writer', seq: (lastCut.lastSeq + 1n).toString(), ledgerOffset: String(at) });
    expect(report.firstBreak!.message).toContain(`but epoch ${lastCut.epoch}'s earlier cuts`);
  }, 60_000);

  it('names a cut with an epoch ZooKeeper never issued: foreign-writer', async () => {
    await restore();
    const epoch = (await epochZnode()) + 1n;
    const [at] = await appendLedger(f, [nextCut(unsequenced, { epoch })], { transactionalId: `second.${f.chain}` });
    const { code, report } = await verifyCli(f);
    expect(code).toBe(1);
    expect(report.firstBreak).toMatchObject({
      kind: 'foreign-writer',
      ledgerOffset: String(at),
      actual: String(epoch),
      expected: `an epoch in [1, ${epoch - 1n}]`,
    });
  }, 60_000);

  describe('a writer that also bumps the epoch znode (ZooKeeper write access)', () => {
    let epoch: bigint;
    beforeAll(async () => {
      epoch = decodeEpoch(await rewriteZnode(f, 'epoch', (d) => encodeEpoch(decodeEpoch(d) + 1n))) + 1n;
    });

    it('names a cut id out of sequence: cut-id', async () => {
      await restore();
      const [at] = await appendLedger(f, [nextCut(unsequenced, { epoch, cutId: lastCut.cutId + 5n })], { transactionalId: `second.${f.chain}` });
      const { code, report } = await verifyCli(f);
      expect(code).toBe(1);
      expect(report.firstBreak).toMatchObject({
        kind: 'cut-id',
        ledgerOffset: String(at),
        expected: String(lastCut.cutId + 1n),
        actual: String(lastCut.cutId + 5n),
      });
    }, 60_000);

    it('names the seq of a record the source never had: not-in-source', async () => {
      await restore();
      // The other partition, at its end (fully sequenced): no such record exists in the source.
      const partition = 1 - unsequenced.partition;
      const forged = { partition, offset: lastCut.coverage[partition]!.sourceNext, timestampMs: BigInt(Date.now()), digest: Buffer.alloc(32, 0xab) };
      await appendLedger(f, [nextCut(forged, { epoch })], { transactionalId: `second.${f.chain}` });
      const { code, report } = await verifyCli(f);
      expect(code).toBe(1);
      expect(report.firstBreak).toMatchObject({
        kind: 'not-in-source',
        seq: (lastCut.lastSeq + 1n).toString(),
        partition: forged.partition,
        offset: forged.offset.toString(),
      });
    }, 60_000);

    it('cannot tell a cut that sequences a real source record correctly (undetectable by design)', async () => {
      await restore();
      await appendLedger(f, [nextCut(unsequenced, { epoch })], { transactionalId: `second.${f.chain}` });
      const { code, report } = await verifyCli(f);
      // Exactly what a new leader would have written: a valid chain. Signed checkpoints would be needed.
      expect(report.firstBreak).toBeNull();
      expect(code).toBe(0);
      expect(report.lastSeq).toBe(Number(lastCut.lastSeq + 1n));
    }, 60_000);
  });
});
