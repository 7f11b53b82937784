import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordDigest } from '../../../src/chain/record-digest.js';
import { toSourceRecord } from '../../../src/kafka/source-record.js';
import type { Message } from 'kafkajs';
import { ChainFixture, type LedgerRow } from '../../helpers/chain-fixture.js';
import { copySourceTopic, deleteRecordsBelow, deleteTopic, topicRecords, verifyCli } from '../../helpers/tamper.js';

/**
 * Source records whose bytes no longer match their digest. Kafka cannot rewrite a record in
 * place, so the source is copied record by record (same partitions, same offsets) with one
 * record's value altered, and verify runs against the copy (`--source-topic`), as it would
 * against a mirror, a backup or a restored topic.
 */
describe('verify --source-topic names a source record that no longer matches its digest', () => {
  let f: ChainFixture;
  let rows: LedgerRow[];
  const copies: string[] = [];

  beforeAll(async () => {
    f = new ChainFixture();
    await f.startSequenced(2, 600);
    await f.set.stopAll();
    rows = await f.ledgerRows();
  }, 180_000);

  afterAll(async () => {
    for (const t of copies) await deleteTopic(f, t);
    await f?.close();
  });

  const copyName = (what: string) => {
    const t = `${f.chain}.copy-${what}`;
    copies.push(t);
    return t;
  };
  const alterValue =
    (partition: number, offset: bigint) =>
    (p: number, o: bigint, m: Message): Message =>
      p === partition && o === offset ? { ...m, value: Buffer.from('altered') } : m;
  const seqOf = (partition: number, offset: bigint) => rows.find((r) => r.partition === partition && r.offset === offset)!.seq.toString();

  async function digestIn(topic: string, partition: number, offset: bigint): Promise<string> {
    const m = (await topicRecords(f, topic))[partition]!.find((r) => BigInt(r.offset) === offset)!;
    return recordDigest(toSourceRecord(f.topic, partition, m)).toString('hex');
  }

  it('passes against an exact copy', async () => {
    const copy = copyName('exact');
    await copySourceTopic(f, copy);
    const { code, report } = await verifyCli(f, ['--source-topic', copy]);
    expect(report.firstBreak).toBeNull();
    expect(code).toBe(0);
    expect(report.sourceTopic).toBe(copy);
    expect(report.sourceRecordsMatched).toBe(600);
  }, 60_000);

  it("names the altered record: partition, offset, seq, the copy's digest vs the ledger's", async () => {
    const copy = copyName('altered');
    const offset = BigInt(Math.floor(rows.filter((r) => r.partition === 1).length / 2));
    await copySourceTopic(f, copy, alterValue(1, offset));
    const { code, report } = await verifyCli(f, ['--source-topic', copy]);
    expect(code).toBe(1);
    expect(report.firstBreak).toMatchObject({
      kind: 'digest-mismatch',
      partition: 1,
      offset: offset.toString(),
      seq: seqOf(1, offset),
      expected: await digestIn(copy, 1, offset),
      actual: await digestIn(f.topic, 1, offset),
    });
  }, 60_000);

  it('after a start deleted by retention, still checks the records that remain', async () => {
    const copy = copyName('retention');
    const deletedUntil = 20n;
    const offset = 50n;
    await copySourceTopic(f, copy, alterValue(0, offset));
    await deleteRecordsBelow(f, copy, 0, deletedUntil);
    const { code, report } = await verifyCli(f, ['--source-topic', copy]);
    expect(report.unverifiable).toEqual([
      { partition: 0, from: '0', to: deletedUntil.toString(), reason: 'deleted by retention', records: Number(deletedUntil) },
    ]);
    expect(code).toBe(1);
    expect(report.firstBreak).toMatchObject({ kind: 'digest-mismatch', partition: 0, offset: offset.toString(), seq: seqOf(0, offset) });
  }, 60_000);
});
