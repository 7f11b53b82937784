/**
 * Probe for docs/PERFORMANCE.md (issue 14, the new leader's fence): how long InitProducerId takes
 * when the previous holder of the transactional.id left a transaction open, as a SIGKILLed leader
 * does mid-cut. Each round: producer "old" begins a transaction and sends one cut-sized message,
 * then producer "new" (same transactional.id) connects and fences it, as Sequencer.beginTerm does;
 * the broker answers CONCURRENT_TRANSACTIONS until it has aborted the open transaction. Timed with
 * kafkajs as shipped (its Cluster drops the client's retry, so InitProducerId retries after its
 * built-in 300 ms) and with src/kafka/kafkajs-internals.ts' giveClustersTheClientRetry under the client's
 * and the sequencer's schedules; refusals counted from kafkajs' debug log.
 *
 *   node dist/bench/probes/fence-abort.js [rounds per schedule, default 20]
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type RetryOptions } from 'kafkajs';
import { CLIENT_RETRY, SEQUENCER_RETRY } from '../../src/kafka/client.js';
import { giveClustersTheClientRetry } from '../../src/kafka/kafkajs-internals.js';
import { summarizeLatencies } from '../lib/stats.js';
import { dropKafkajsNegativeTimeoutWarning } from '../../src/kafka/negative-timeout-warning.js';

// kafkajs' own timer warning (src/kafka/negative-timeout-warning.ts), noise here as in the replicas.
dropKafkajsNegativeTimeoutWarning();

const rounds = Number(process.argv[2] ?? 20);
const brokers = (process.env.SEQCHAIN_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const topic = `bench-probe-fence-${randomUUID().slice(0, 8)}`;
let refusals = 0;
const kafka = (retry: Readonly<RetryOptions>, fixed = true) => {
  const client = new Kafka({
    clientId: 'fence-probe',
    brokers,
    retry: { ...retry },
    logLevel: logLevel.DEBUG,
    logCreator: () => (entry) => {
      if (entry.log.message.startsWith('There is an ongoing transaction')) refusals++;
    },
  });
  if (fixed && !giveClustersTheClientRetry(client, retry)) throw new Error('kafkajs internals changed: no cluster factory found');
  return client;
};
const admin = kafka(CLIENT_RETRY).admin();
await admin.connect();
await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
const producerConfig = (transactionalId: string) => ({ transactionalId, maxInFlightRequests: 1, idempotent: true, transactionTimeout: 30_000 });
try {
  for (const [name, retry, fixed] of [
    ['kafkajs as shipped (300 ms)', CLIENT_RETRY, false],
    ['client retry (100 ms, doubling)', CLIENT_RETRY, true],
    ['sequencer retry (20 ms, × 1.3)', SEQUENCER_RETRY, true],
  ] as const) {
    const transactionalId = `${topic}-${name.split(' ')[0]}-${String(fixed)}`;
    const fenceMs: number[] = [];
    const refused: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const old = kafka(retry, fixed).producer(producerConfig(transactionalId));
      await old.connect();
      const txn = await old.transaction();
      await txn.send({ topic, messages: [{ value: Buffer.alloc(52 * 500) }] });
      const before = refusals;
      const t0 = performance.now();
      const next = kafka(retry, fixed).producer(producerConfig(transactionalId));
      await next.connect();
      await (await next.transaction()).abort();
      fenceMs.push(performance.now() - t0);
      refused.push(refusals - before);
      await old.disconnect().catch(() => undefined);
      await next.disconnect();
    }
    const s = summarizeLatencies(fenceMs);
    const r = [...refused].sort((a, b) => a - b);
    process.stdout.write(
      `${name.padEnd(34)}: fence over an open transaction p50 ${s.p50.toFixed(0)} max ${s.max.toFixed(0)} ms; refusals (CONCURRENT_TRANSACTIONS) p50 ${r[r.length >> 1]} max ${r.at(-1)}\n`,
    );
  }
} finally {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}
