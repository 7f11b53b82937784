import { randomBytes } from 'node:crypto';
import { sleep } from '../../retry/sleep.js';
import type { Message } from 'kafkajs';
import type { Config } from '../../config/schema.js';
import { createKafka } from '../../kafka/client.js';
import { kafkaClientOptions } from '../../config/slices.js';
import { partitionCount, withAdmin } from '../../kafka/offsets.js';
import type { Logger } from '../../log.js';
import { SeqchainError } from '../../errors.js';
import { Progress } from '../progress.js';

export interface ProduceOptions {
  topic: string;
  count: number;
  /** Records per second; 0 = as fast as the broker takes them. */
  rate: number;
  /** Value size in bytes. */
  size: number;
  /** Distinct keys; 0 = null keys. */
  keys: number;
  /** Headers per record (the second one repeats the first's name: duplicates are part of the format). */
  headers: number;
  /** Write through a transactional producer (offsets then have holes from commit markers). */
  transactional: boolean;
  batchSize: number;
  quiet: boolean;
}

/**
 * Load generator: `count` records spread round-robin over every partition of `topic`, with
 * keys, headers and values of a given size, at a given rate, with progress. Returns what it
 * wrote per partition.
 */
export async function produce(
  config: Readonly<Config>,
  logger: Logger,
  opts: ProduceOptions,
): Promise<{ records: number; perPartition: number[]; elapsedMs: number }> {
  const kafka = createKafka(kafkaClientOptions(config), logger, 'produce');
  const partitions = await withAdmin(kafka, (admin) => partitionCount(admin, opts.topic));
  if (partitions === 0)
    throw new SeqchainError('SEQCHAIN_ERR_USAGE', `topic ${opts.topic} does not exist (create it, or run init with --partitions)`, {
      details: { topic: opts.topic },
    });
  const producer = opts.transactional
    ? kafka.producer({ transactionalId: `seqchain-produce-${randomBytes(6).toString('hex')}`, maxInFlightRequests: 1, idempotent: true })
    : kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const progress = opts.quiet ? null : new Progress(`produce ${opts.topic}`, opts.count);
  const perPartition = new Array<number>(partitions).fill(0);
  const payload = randomBytes(Math.max(opts.size, 1)).subarray(0, opts.size);
  const started = Date.now();
  let sent = 0;
  try {
    while (sent < opts.count) {
      const n = Math.min(opts.batchSize, opts.count - sent);
      const byPartition: Message[][] = Array.from({ length: partitions }, () => []);
      for (let i = 0; i < n; i++) {
        const seq = sent + i;
        const partition = seq % partitions;
        perPartition[partition]!++;
        const headers: Record<string, Buffer[]> = {};
        for (let h = 0; h < opts.headers; h++) {
          const name = h % 2 === 1 ? `h${h - 1}` : `h${h}`;
          (headers[name] ??= []).push(Buffer.from(`v${seq}-${h}`));
        }
        const value = Buffer.allocUnsafe(opts.size);
        payload.copy(value);
        if (opts.size >= 8) value.writeUInt32BE(seq >>> 0, 0);
        byPartition[partition]!.push({ partition, key: opts.keys > 0 ? `key-${seq % opts.keys}` : null, value, headers });
      }
      const topicMessages = [{ topic: opts.topic, messages: byPartition.flat() }];
      if (opts.transactional && 'transaction' in producer) {
        const txn = await producer.transaction();
        try {
          await txn.sendBatch({ topicMessages, acks: -1 });
          await txn.commit();
        } catch (err) {
          await txn.abort().catch(() => undefined);
          throw err;
        }
      } else {
        await producer.sendBatch({ topicMessages, acks: -1 });
      }
      sent += n;
      progress?.update(sent);
      if (opts.rate > 0) {
        const ahead = (sent / opts.rate) * 1000 - (Date.now() - started);
        if (ahead > 0) await sleep(ahead);
      }
    }
  } finally {
    await producer.disconnect();
  }
  progress?.finish(sent);
  return { records: sent, perPartition, elapsedMs: Date.now() - started };
}
