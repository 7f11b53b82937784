/**
 * The source side of the reader: the records at a list of ledger positions, in that order, read
 * by one long-lived consumer of the source topic (`PartitionFeed`), digested and packed
 * (`record-pack.ts`). It runs on the reader's source thread (`source-thread.ts`) or, when the
 * caller passes a kafkajs client, on the calling thread (`inProcessSource`); either way the
 * reader sees the same `SourceRecords`.
 */
import type { Admin, Kafka } from 'kafkajs';
import { toSourceRecord } from '../kafka/source-record.js';
import { PartitionFeed } from '../kafka/partition-feed.js';
import { topicOffsets } from '../kafka/offsets.js';
import type { Logger } from '../log.js';
import { ChunkPacker, type PackedChunk } from './record-pack.js';

/** Ledger positions, in the order the records are wanted. */
export interface SourcePositions {
  partitions: Int32Array;
  offsets: BigInt64Array;
}

/** Where the reader gets its source records: one chunk per call, answered in the order asked. */
export interface SourceRecords {
  gather(positions: SourcePositions): Promise<PackedChunk>;
  close(): Promise<void>;
}

export interface SourceGatherOptions {
  kafka: Kafka;
  /** The topic the bytes are read from (the chain's, or a copy of it). */
  sourceTopic: string;
  /** The chain's source topic: the digests cover it, whatever topic the bytes came from. */
  chainTopic: string;
  /** Source records read ahead, at most, over all partitions. */
  bufferRecords: number;
  /** Skip records retention deleted (the reader reports each range): gathering goes on past them. */
  skipDeleted: boolean;
  groupPrefix: string;
  logger: Logger;
}

/** What one source record is taken to weigh when sizing fetches to the buffer (the bench's are ~300 bytes). */
const SOURCE_RECORD_BYTES_GUESS = 512;
/** Fetch sizes of the source feed: never below what one partition's fetch needs to make progress, never above kafkajs' defaults. */
const SOURCE_FETCH_PARTITION_BYTES = { min: 64 * 2 ** 10, max: 2 ** 20 };
const SOURCE_FETCH_BYTES_MAX = 10 * 2 ** 20;

export class SourceGatherer {
  private constructor(
    private readonly feed: PartitionFeed,
    private readonly admin: Admin,
    private readonly options: SourceGatherOptions,
  ) {}

  /**
   * The feed, its buffer shared out over the topic's partitions, and its fetches sized to that
   * buffer: each fetched record is a decoded kafkajs object held until handed out, and at
   * kafkajs' defaults (1 MiB per partition, 10 MiB per fetch) one fetch decoded to several times
   * the buffer, which V8 then sized its heap for (docs/PERFORMANCE.md, the reader's RSS).
   */
  static async open(options: SourceGatherOptions): Promise<SourceGatherer> {
    const { kafka, sourceTopic: topic, bufferRecords, groupPrefix, logger } = options;
    const admin = kafka.admin();
    await admin.connect();
    try {
      const partitions = Math.max(1, (await topicOffsets(admin, topic)).length);
      const bufferedPerPartition = Math.max(64, Math.ceil(bufferRecords / partitions));
      const { min, max } = SOURCE_FETCH_PARTITION_BYTES;
      const maxBytesPerPartition = Math.min(max, Math.max(min, (bufferedPerPartition * SOURCE_RECORD_BYTES_GUESS) / 2));
      const maxBytes = Math.min(SOURCE_FETCH_BYTES_MAX, Math.max(maxBytesPerPartition, (bufferRecords * SOURCE_RECORD_BYTES_GUESS) / 2));
      const feed = await PartitionFeed.open({ kafka, topic, groupPrefix, bufferedPerPartition, maxBytesPerPartition, maxBytes, logger });
      return new SourceGatherer(feed, admin, options);
    } catch (err) {
      await admin.disconnect().catch(() => undefined);
      throw err;
    }
  }

  /**
   * The records at `positions`, packed with their digests. A record the topic does not hold
   * (deleted by retention, or never written) is packed as absent with the partition's earliest
   * offset, and ends the chunk unless it was deleted and `skipDeleted` is on.
   */
  async gather({ partitions, offsets }: SourcePositions): Promise<PackedChunk> {
    const { sourceTopic, chainTopic, skipDeleted } = this.options;
    const lookUp = () => topicOffsets(this.admin, sourceTopic);
    const packer = new ChunkPacker(partitions.length);
    for (let i = 0; i < partitions.length; i++) {
      const partition = partitions[i]!;
      const offset = offsets[i]!;
      // A record that is slow to come is looked up: gone (retention, a shorter copy) ends the wait.
      const found = this.feed.recordNow(partition, offset) ?? (await this.feed.record(partition, offset, lookUp));
      if (found !== null) {
        packer.addRecord(toSourceRecord(chainTopic, partition, found, offset));
        continue;
      }
      const low = (await lookUp())[partition]?.low ?? null;
      packer.addAbsent(low);
      if (!(skipDeleted && low !== null && offset < low)) break;
    }
    return packer.finish();
  }

  /** Ends a wait for a record (the caller stops). */
  wake(): void {
    this.feed.wake();
  }

  async close(): Promise<void> {
    await this.feed.close();
    await this.admin.disconnect().catch((err) => this.options.logger.warn({ err }, 'reader source admin disconnect failed'));
  }
}

/** The source read on the calling thread: gathers run one after the other, in the order asked. */
export function inProcessSource(gatherer: SourceGatherer): SourceRecords {
  let last: Promise<unknown> = Promise.resolve();
  return {
    gather(positions) {
      const chunk = last.then(() => gatherer.gather(positions));
      last = chunk.catch(() => undefined);
      return chunk;
    },
    async close() {
      gatherer.wake();
      await last;
      await gatherer.close();
    },
  };
}
