import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import type { SourcePage, SourceReader } from '../api/ports.js';
import type { IndexedRecord } from '../index-store/index-store.js';
import { fromKafkaError } from '../kafka/errors.js';
import { kafkaNames } from '../kafka/names.js';
import { topicOffsets } from '../kafka/offsets.js';
import { PartitionFeed } from '../kafka/partition-feed.js';
import type { Logger } from '../log.js';
import { checkSourcePage } from './source-check.js';

export interface SourceReaderOptions {
  kafka: Kafka;
  chain: string;
  /** The chain's source topic (the genesis names it): digests are computed over it. */
  topic: string;
  logger: Logger;
}

/** Source records read ahead per partition while a stream's client takes the current page. */
const BUFFERED_PER_PARTITION = 2_048;

/**
 * The source records behind the API's payload reads and record streams. One reader serves one
 * request: its first page opens one consumer (one throw-away group, `seqchain.<chain>.records.<uuid>`),
 * each partition started at the first offset asked of it, and every later page of the same
 * stream is taken from that consumer, so a stream joins a group once, not once per page (on a
 * cluster left at Kafka's default group.initial.rebalance.delay.ms each join waits 3 s).
 * Pages must come in seq order (offsets rise within a partition), as a stream asks for them.
 * Kafka failures become typed errors (SEQCHAIN_ERR_UNREACHABLE when a broker cannot be reached).
 */
export function openSourceReader(options: SourceReaderOptions): SourceReader {
  const { kafka, topic, logger } = options;
  let feed: PartitionFeed | null = null;
  let admin: Admin | null = null;
  const offsets = async () => {
    if (admin === null) {
      admin = kafka.admin();
      await admin.connect();
    }
    return topicOffsets(admin, topic);
  };
  return {
    async page(prevHash: Buffer, entries: readonly IndexedRecord[]): Promise<SourcePage> {
      try {
        feed ??= await PartitionFeed.open({
          kafka,
          topic,
          groupPrefix: kafkaNames.readerGroup(options.chain, 'records'),
          bufferedPerPartition: BUFFERED_PER_PARTITION,
          logger,
        });
        const found = new Map<string, KafkaMessage>();
        for (const { partition, offset } of entries) {
          // A record slow to come is looked up: gone (retention) or never there ends the wait.
          const m = await feed.record(partition, offset, offsets);
          if (m !== null) found.set(`${partition}/${offset}`, m);
        }
        // Retention may have moved a partition's start meanwhile: a record found missing is
        // called deleted only against offsets read after the fetch.
        const lows = entries.length > found.size ? await offsets() : [];
        return checkSourcePage(
          topic,
          prevHash,
          entries,
          (p, o) => found.get(`${p}/${o}`),
          (p) => lows[p]?.low ?? 0n,
        );
      } catch (err) {
        throw fromKafkaError(err);
      }
    },
    async close(): Promise<void> {
      await feed?.close();
      await (admin as Admin | null)?.disconnect().catch((err: unknown) => logger.warn({ err }, 'record reader admin disconnect failed'));
    },
  };
}
