import { randomBytes } from 'node:crypto';
import { sleep } from '../../retry/sleep.js';
import type { Message } from 'kafkajs';
import type { Config } from '../../config/schema.js';
import { createKafka } from '../../kafka/client.js';
import { kafkaClientOptions } from '../../config/slices.js';
import { partitionCount, withAdmin } from '../../kafka/offsets.js';
import type { Logger } from '../../log.js';
import { SeqchainError } from '../../errors.js';
import type { Keyring } from '../../seal/keyring.js';
import { sealValue, SEAL_KEY_ID_HEADER } from '../../seal/sealed-value-v1.js';
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
  /** Seal every value with this keyring's sealing key (SCE1, header `seqchain.key-id`). */
  seal?: Keyring;
}

/**
 * Record number `index` (from 0) of a run: round-robin over the partitions, key `key-<index mod
 * keys>` (null without keys), header names in pairs (`h0`, `h0`, `h2`, `h2`, …, values
 * `v<index>-<h>`), and the run's `payload` as value with the index in its first 4 bytes (values of
 * 8 bytes or more), so a checker can recompute every record from its value and the payload.
 */
export function producedMessage(
  index: number,
  partitions: number,
  opts: Pick<ProduceOptions, 'size' | 'keys' | 'headers'>,
  payload: Buffer,
): Message & { partition: number; key: string | null; value: Buffer; headers: Record<string, Buffer[]> } {
  const partition = index % partitions;
  const headers: Record<string, Buffer[]> = {};
  for (let h = 0; h < opts.headers; h++) {
    const name = h % 2 === 1 ? `h${h - 1}` : `h${h}`;
    (headers[name] ??= []).push(Buffer.from(`v${index}-${h}`));
  }
  const value = Buffer.allocUnsafe(opts.size);
  payload.copy(value);
  if (opts.size >= 8) value.writeUInt32BE(index >>> 0, 0);
  return { partition, key: opts.keys > 0 ? `key-${index % opts.keys}` : null, value, headers };
}

/**
 * Load generator: `count` records spread round-robin over every partition of `topic`, with
 * keys, headers and values of a given size, at a given rate, with progress. Returns what it
 * wrote per partition, and the payload every value starts from (see `producedMessage`).
 */
export async function produce(
  config: Readonly<Config>,
  logger: Logger,
  opts: ProduceOptions,
): Promise<{ records: number; perPartition: number[]; elapsedMs: number; payload: Buffer }> {
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
        const message = producedMessage(sent + i, partitions, opts, payload);
        if (opts.seal) {
          message.value = sealValue(opts.seal, opts.topic, message.value).value;
          message.headers[SEAL_KEY_ID_HEADER] = [Buffer.from(opts.seal.sealingKeyId)];
        }
        perPartition[message.partition]!++;
        byPartition[message.partition]!.push(message);
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
  return { records: sent, perPartition, elapsedMs: Date.now() - started, payload };
}
