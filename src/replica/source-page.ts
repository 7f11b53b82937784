import type { Kafka } from 'kafkajs';
import type { SourcePage } from '../api/ports.js';
import type { IndexedRecord } from '../index-store/index-store.js';
import { fromKafkaError } from '../kafka/errors.js';
import { kafkaNames } from '../kafka/names.js';
import { topicOffsets, withAdmin } from '../kafka/offsets.js';
import type { Logger } from '../log.js';
import { fetchWindow } from '../reader/fetch-window.js';
import { checkSourcePage } from './source-check.js';

export interface SourcePageOptions {
  kafka: Kafka;
  chain: string;
  /** The chain's source topic (the genesis names it): digests are computed over it. */
  topic: string;
  prevHash: Buffer;
  entries: readonly IndexedRecord[];
  logger: Logger;
}

/**
 * The source records of some index entries, read the reader's way (one ranged read covering every
 * partition the entries need, `fetchWindow`) and checked (`checkSourcePage`). Kafka failures
 * become typed errors (SEQCHAIN_ERR_UNREACHABLE when a broker cannot be reached).
 */
export async function readSourcePage(options: SourcePageOptions): Promise<SourcePage> {
  const { kafka, topic, entries, logger } = options;
  try {
    let offsets = await withAdmin(kafka, (admin) => topicOffsets(admin, topic));
    const found = await fetchWindow(kafka, topic, entries, offsets, kafkaNames.readerGroup(options.chain, 'records'), logger);
    const message = (partition: number, offset: bigint) => found.get(partition)?.get(offset);
    // Retention may have moved a partition's start since the offsets were read: a record found
    // missing is called deleted only against offsets read after the fetch.
    if (entries.some((e) => message(e.partition, e.offset) === undefined)) offsets = await withAdmin(kafka, (admin) => topicOffsets(admin, topic));
    return checkSourcePage(topic, options.prevHash, entries, message, (p) => offsets[p]?.low ?? 0n);
  } catch (err) {
    throw fromKafkaError(err);
  }
}
