import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { SeqchainError } from '../errors.js';
import type { Logger } from '../log.js';
import { consumerCrashError, noConsumerRestart } from './consumer-crash.js';
import { withAdmin } from './offsets.js';

export interface ReadRange {
  /** First offset to read. */
  from: bigint;
  /** Stop once the position reaches this offset (exclusive). */
  to: bigint;
}

export interface RangeReadOptions {
  kafka: Kafka;
  topic: string;
  ranges: ReadonlyMap<number, ReadRange>;
  /** Group name prefix; a unique suffix is added and the group is deleted afterwards. */
  groupPrefix: string;
  onMessages: (partition: number, messages: KafkaMessage[]) => void | Promise<void>;
  logger: Logger;
  /** Give up when no progress is made for this long, ms. */
  stallTimeoutMs?: number;
}

/**
 * Reads [from, to) of some partitions of a topic, read_committed, then stops. kafkajs has no
 * assign(): every consumer is in a group, so this uses a throw-away group and seeks it. Transaction markers occupy offsets but are never delivered as messages; the
 * position is advanced past them from the batch bounds (and from kafkajs' batch events for
 * batches that held only markers or aborted records).
 *
 * A crash of the reader's consumer (GROUP_LOAD_IN_PROGRESS right after a broker restart, a
 * coordinator not found) rejects the read with a typed error (consumer-crash.ts): retriable
 * SEQCHAIN_ERR_UNREACHABLE unless a new attempt would fail the same way. kafkajs does not
 * restart the consumer (its restart path can end the process, tulios/kafkajs#1390); a caller
 * that wants to try again reads again, with a new group.
 */
export async function readRanges(options: RangeReadOptions): Promise<void> {
  const { kafka, topic, ranges, logger } = options;
  const position = new Map<number, bigint>();
  for (const [p, r] of ranges) if (r.to > r.from) position.set(p, r.from);
  if (position.size === 0) return;

  const groupId = `${options.groupPrefix}.${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
    readUncommitted: false,
    retry: { retries: 5, ...noConsumerRestart },
  });
  try {
    let resolveDone!: () => void;
    let rejectDone!: (err: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    // The consumer can crash while run() is still joining, before anything awaits `done`: that
    // rejection must not count as unhandled (Node ends the process on one). It is read below.
    let crashed: SeqchainError | null = null;
    done.catch(() => undefined);
    let lastProgress = Date.now();
    const advance = (partition: number, lastOffset: string) => {
      const range = ranges.get(partition);
      const at = position.get(partition);
      if (!range || at === undefined) return;
      const next = BigInt(lastOffset) + 1n;
      if (next > at) {
        position.set(partition, next);
        lastProgress = Date.now();
      }
      if (next >= range.to) position.delete(partition);
      if (position.size === 0) resolveDone();
    };
    // kafkajs skips eachBatch for a fetch that held only markers or aborted records, but still
    // announces it (batchSize 0): the position moves past those offsets here. Batches with
    // messages are announced before they are delivered, so they only advance in eachBatch.
    consumer.on(consumer.events.START_BATCH_PROCESS, (event) => {
      const { topic: t, partition, lastOffset, batchSize } = event.payload as { topic: string; partition: number; lastOffset: string; batchSize: number };
      if (t === topic && batchSize === 0) advance(partition, lastOffset);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      crashed ??= consumerCrashError(`range reader (${groupId})`, event.payload.error);
      logger.warn({ err: event.payload.error, groupId, topic, retriable: crashed.retriable }, 'range reader consumer crashed');
      rejectDone(crashed);
    });
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: Math.min(ranges.size, 16),
      eachBatch: async ({ batch }) => {
        const range = ranges.get(batch.partition);
        const at = position.get(batch.partition);
        if (!range || at === undefined) return;
        const inRange = batch.messages.filter((m) => {
          const o = BigInt(m.offset);
          return o >= at && o < range.to;
        });
        if (inRange.length > 0) await options.onMessages(batch.partition, inRange);
        advance(batch.partition, batch.lastOffset());
      },
    });
    // kafkajs' run() resolves even when the first join crashed the consumer: nothing to seek then.
    if (crashed) throw crashed;
    seekAll(consumer, topic, position);
    const stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
    const watchdog = setInterval(() => {
      if (Date.now() - lastProgress > stallTimeoutMs) {
        rejectDone(
          new SeqchainError('SEQCHAIN_ERR_TIMEOUT', `reading ${topic} made no progress for ${stallTimeoutMs} ms`, {
            retriable: true,
            details: { topic, waiting: Object.fromEntries([...position].map(([p, o]) => [p, `${o} of ${ranges.get(p)?.to}`])) },
          }),
        );
      }
    }, 1_000);
    try {
      await done;
    } finally {
      clearInterval(watchdog);
    }
  } finally {
    await consumer.disconnect().catch((err) => logger.warn({ err, groupId }, 'reader disconnect failed'));
    await deleteGroup(kafka, groupId);
  }
}

/**
 * Positions a consumer that has just started (`run()` resolved after its first join) at the
 * given offsets. kafkajs applies a seek at the start of the next fetch. (admin.setOffsets would
 * do the same before the join, but it waits out a full 5 s fetch of its own.) Anything fetched
 * before the seek lands is below the wanted offsets, and every caller ignores it.
 */
export function seekAll(consumer: Consumer, topic: string, offsets: ReadonlyMap<number, bigint>): void {
  for (const [partition, offset] of offsets) consumer.seek({ topic, partition, offset: offset.toString() });
}

async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  // Best effort: an empty group expires by itself (offsets.retention.minutes).
  await withAdmin(kafka, (admin) => admin.deleteGroups([groupId])).catch(() => undefined);
}
