/**
 * Child process of the client-ceiling and one-partition phases: one kafkajs consumer configured
 * as seqchain's worker configures it (same client factory, same consumer options, eachBatch with
 * manual resolve and commit), in a consumer group shared with its siblings.
 *
 *   mode "consume": only counts the records (the client ceiling);
 *   mode "chain":   also digests each record (SCR1) and links it onto one chain (SCL1), with
 *                   the project's own functions (the one-partition baseline).
 *
 * It joins the group but reads nothing until the parent says {type:'go'}: fetched batches are
 * paused unresolved (kafkajs fetches them again on resume), so the group's joins and rebalances
 * are over before the clock starts. Talks to the parent over IPC: {type:'assigned', partitions,
 * count, at}, {type:'progress', count, at} every 25 ms; it stops on {type:'stop'} and answers
 * {type:'stopped', head}. kafkajs' own log lines are shown from BENCH_CHILD_LOG_LEVEL (default
 * fatal: a rebalance logs heartbeat errors that are expected here).
 */
import { linkHash } from '../../src/chain/link.js';
import { recordDigest } from '../../src/chain/record-digest.js';
import { loadConfig } from '../../src/config/load.js';
import { createKafka, groupConsumerConfig } from '../../src/kafka/client.js';
import { groupConsumerOptions, kafkaClientOptions } from '../../src/config/slices.js';
import { toSourceRecord } from '../../src/kafka/source-record.js';
import { createLogger } from '../../src/log.js';

export type ConsumerMode = 'consume' | 'chain';

export type ChildMessage =
  | { type: 'assigned'; partitions: number[]; count: number; at: number }
  | { type: 'progress'; count: number; at: number }
  | { type: 'stopped'; count: number; head: string };

const mode = process.env.BENCH_MODE as ConsumerMode;
const topic = process.env.BENCH_TOPIC!;
const groupId = process.env.BENCH_GROUP!;
const id = process.env.BENCH_ID ?? String(process.pid);

function send(msg: ChildMessage): void {
  process.send?.(msg);
}

async function main(): Promise<void> {
  if (mode !== 'consume' && mode !== 'chain') throw new Error(`BENCH_MODE must be consume or chain, got ${mode}`);
  const config = loadConfig({ overrides: { replicaId: `bench-${id}` } });
  const logger = createLogger({ level: process.env.BENCH_CHILD_LOG_LEVEL ?? 'fatal', name: `bench-${mode}` });
  const kafka = createKafka(kafkaClientOptions(config), logger, `bench-${mode}`);
  // The options of src/worker/worker.ts, so the ceiling is the one seqchain's workers live under.
  const consumer = kafka.consumer(groupConsumerConfig(groupConsumerOptions(config, 'worker'), groupId));
  let count = 0;
  let head: Buffer = Buffer.alloc(32);
  let seq = 0n;
  let gated = true;
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const partitions = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    send({ type: 'assigned', partitions, count, at: Date.now() });
  });
  consumer.on(consumer.events.CRASH, (event) => process.stderr.write(`bench consumer ${id} crashed: ${event.payload.error.message}\n`));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    // Offsets are committed at most once a second (commitOffsetsIfNecessary after each batch),
    // not after every fetch: workers are at-least-once by design, the sequencer trims repeats.
    autoCommit: false,
    autoCommitInterval: 1_000,
    partitionsConsumedConcurrently: 64,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary, pause }) => {
      if (!isRunning() || isStale() || batch.messages.length === 0) return;
      if (gated) {
        pause();
        return;
      }
      if (mode === 'chain') {
        for (const message of batch.messages) {
          head = linkHash(head, ++seq, recordDigest(toSourceRecord(batch.topic, batch.partition, message)));
        }
      }
      count += batch.messages.length;
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary();
      await heartbeat();
    },
  });
  const ticker = setInterval(() => send({ type: 'progress', count, at: Date.now() }), 25);
  process.on('message', (msg: { type?: string }) => {
    if (msg?.type === 'go') {
      gated = false;
      consumer.resume([{ topic }]);
      return;
    }
    if (msg?.type !== 'stop') return;
    clearInterval(ticker);
    void consumer
      .disconnect()
      .catch(() => undefined)
      .finally(() => {
        process.send?.({ type: 'stopped', count, head: head.toString('hex') } satisfies ChildMessage, undefined, undefined, () => process.exit(0));
      });
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`bench consumer ${id}: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
