import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { linkHash } from '../../../src/chain/link.js';
import { recordDigest } from '../../../src/chain/record-digest.js';
import type { SeqchainError } from '../../../src/errors.js';
import type { IndexedRecord } from '../../../src/index-store/index-store.js';
import { toSourceRecord } from '../../../src/kafka/source-record.js';
import { checkSourcePage } from '../../../src/replica/source-check.js';

const TOPIC = 'src';
const GENESIS = Buffer.alloc(32, 7);

const message = (offset: bigint, value: Buffer | null): KafkaMessage =>
  ({
    offset: offset.toString(),
    timestamp: '1700000000000',
    key: null,
    value,
    headers: { h: [Buffer.from('2nd-name-first'), Buffer.alloc(0)], a: Buffer.from([0, 255]) },
    attributes: 0,
  }) as unknown as KafkaMessage;

/** Five records over two partitions, indexed as the indexer would (hashes linked from GENESIS). */
function chain(): { entries: IndexedRecord[]; messages: Map<string, KafkaMessage> } {
  const messages = new Map<string, KafkaMessage>();
  const entries: IndexedRecord[] = [];
  let prev: Buffer = GENESIS;
  for (let i = 0; i < 5; i++) {
    const partition = i % 2;
    const offset = BigInt(10 + i);
    const m = message(offset, i === 3 ? null : Buffer.from([i, 0x80]));
    messages.set(`${partition}/${offset}`, m);
    const digest = recordDigest(toSourceRecord(TOPIC, partition, m));
    const seq = BigInt(i + 1);
    const hash = linkHash(prev, seq, digest);
    entries.push({ seq, partition, offset, timestampMs: 1_700_000_000_000n, digest, hash, prevHash: prev, epoch: 1n, cutId: 1n });
    prev = hash;
  }
  return { entries, messages };
}

const check = (entries: IndexedRecord[], messages: Map<string, KafkaMessage>, low = 0n) =>
  checkSourcePage(
    TOPIC,
    GENESIS,
    entries,
    (p, o) => messages.get(`${p}/${o}`),
    () => low,
  );

describe('checkSourcePage', () => {
  it('serves every record whose link and digest hold, with its bytes and headers in wire order', () => {
    const { entries, messages } = chain();
    const page = check(entries, messages);
    expect(page.failure).toBeNull();
    expect(page.records.map((r) => r.seq)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(page.records.map((r) => r.hash)).toEqual(entries.map((e) => e.hash));
    expect(page.records[3]!.value).toBeNull();
    expect(page.records[0]!.value).toEqual(Buffer.from([0, 0x80]));
    expect(page.records[0]!.headers).toEqual([
      { name: 'h', value: Buffer.from('2nd-name-first') },
      { name: 'h', value: Buffer.alloc(0) },
      { name: 'a', value: Buffer.from([0, 255]) },
    ]);
  });

  it('a source record that differs from the index digest: digest-mismatch at its seq, the records before it served', () => {
    const { entries, messages } = chain();
    messages.set('0/12', message(12n, Buffer.from('changed')));
    const page = check(entries, messages);
    expect(page.records.map((r) => r.seq)).toEqual([1n, 2n]);
    expect(page.failure).toMatchObject({
      code: 'SEQCHAIN_ERR_CHAIN_BROKEN',
      retriable: false,
      details: { kind: 'digest-mismatch', seq: '3', partition: 0, offset: '12' },
    });
  });

  it('an index hash that does not follow from the one before: record-hash, before the source is consulted', () => {
    const { entries, messages } = chain();
    entries[1] = { ...entries[1]!, hash: Buffer.alloc(32, 1) };
    const page = check(entries, messages);
    expect(page.records).toHaveLength(1);
    expect((page.failure as SeqchainError).details).toMatchObject({ kind: 'record-hash', seq: '2', actual: '01'.repeat(32) });
    // The wrong predecessor: every link of the page rests on prevHash.
    const shifted = checkSourcePage(
      TOPIC,
      Buffer.alloc(32),
      entries,
      (p, o) => messages.get(`${p}/${o}`),
      () => 0n,
    );
    expect(shifted.records).toEqual([]);
    expect((shifted.failure as SeqchainError).details).toMatchObject({ kind: 'record-hash', seq: '1' });
  });

  it('a record below the partition start is deleted by retention (named), one above it is not in the source (a break)', () => {
    const { entries, messages } = chain();
    messages.delete('1/11');
    const deleted = check(entries, messages, 12n);
    expect(deleted.records).toHaveLength(1);
    expect(deleted.failure).toMatchObject({
      code: 'SEQCHAIN_ERR_SOURCE_DELETED',
      details: { partition: 1, from: '11', to: '12', seq: '2' },
    });
    expect(deleted.failure!.message).toBe(
      'seq 2 (partition 1, offset 11): the source topic src no longer holds partition 1 below offset 12 (deleted by retention)',
    );
    const missing = check(entries, messages, 0n);
    expect(missing.failure).toMatchObject({ code: 'SEQCHAIN_ERR_CHAIN_BROKEN', details: { kind: 'not-in-source', seq: '2', partition: 1, offset: '11' } });
  });
});
