/**
 * The check behind every record the API serves with its bytes: the index entry's hash must follow
 * from the one before (SCL1), and the source record at its position must have the index's digest
 * (SCR1, `checkRecord`, the reader's own check). No I/O: the caller fetched the source records.
 */
import type { KafkaMessage } from 'kafkajs';
import type { SourcePage } from '../api/ports.js';
import { breakToError, hex } from '../chain/breaks.js';
import { linkHash } from '../chain/link.js';
import type { IndexedRecord } from '../index-store/index-store.js';
import { checkRecord, deletedByRetention, isBreak } from '../reader/window.js';

/**
 * Checks consecutive index entries in seq order, `prevHash` being the hash of the seq before the
 * first. `message` gives the source record at a position (undefined: the source does not hold
 * one); `low` the partition's earliest offset, below which a missing record was deleted by
 * retention rather than never there. Stops at the first entry that fails.
 */
export function checkSourcePage(
  topic: string,
  prevHash: Buffer,
  entries: readonly IndexedRecord[],
  message: (partition: number, offset: bigint) => KafkaMessage | undefined,
  low: (partition: number) => bigint,
): SourcePage {
  const records: SourcePage['records'] = [];
  let prev = prevHash;
  for (const entry of entries) {
    const { seq, partition, offset } = entry;
    const hash = linkHash(prev, seq, entry.digest);
    if (!hash.equals(entry.hash)) {
      const failure = breakToError({
        kind: 'record-hash',
        seq,
        partition,
        offset,
        expected: hex(hash),
        actual: hex(entry.hash),
        message: `seq ${seq} (partition ${partition}, offset ${offset}): the index's hash does not follow from seq ${seq - 1n} and the record's digest`,
      });
      return { records, failure };
    }
    const m = message(partition, offset);
    const earliest = low(partition);
    if (m === undefined && offset < earliest) return { records, failure: deletedByRetention(topic, entry, earliest) };
    const record = checkRecord(topic, entry, m);
    if (isBreak(record)) return { records, failure: breakToError(record) };
    records.push(record);
    prev = entry.hash;
  }
  return { records, failure: null };
}
