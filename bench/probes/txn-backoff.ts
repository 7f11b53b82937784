/**
 * Probe for docs/PERFORMANCE.md (proposal 2): transactions shaped like the sequencer's cuts (one
 * message each, the next one right after the commit), timed with kafkajs' initial retry time at
 * 100 ms (seqchain's client setting today), 10 ms and 2 ms. The broker answers the next
 * transaction with CONCURRENT_TRANSACTIONS until the previous commit's markers are written, and
 * kafkajs waits its retry time before trying again.
 *
 *   node dist/bench/probes/txn-backoff.js [transactions per setting, default 150]
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/load.js';
import { createKafka } from '../../src/kafka/client.js';
import { kafkaClientOptions } from '../../src/config/slices.js';
import { withAdmin } from '../../src/kafka/offsets.js';
import { createLogger } from '../../src/log.js';
import { summarizeLatencies } from '../lib/stats.js';

const count = Number(process.argv[2] ?? 150);
const config = loadConfig({ overrides: { replicaId: 'bench-probe' } });
const kafka = createKafka(kafkaClientOptions(config), createLogger({ level: 'fatal' }), 'probe');
const topic = `bench-probe-${randomUUID().slice(0, 8)}`;
await withAdmin(kafka, (admin) => admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] }));
try {
  for (const initialRetryTime of [100, 10, 2]) {
    const producer = kafka.producer({
      transactionalId: `${topic}-${initialRetryTime}`,
      maxInFlightRequests: 1,
      idempotent: true,
      transactionTimeout: 30_000,
      retry: { retries: 12, initialRetryTime, maxRetryTime: 3_000 },
    });
    await producer.connect();
    const value = Buffer.alloc(52 * 500);
    const ms: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      const txn = await producer.transaction();
      await txn.send({ topic, messages: [{ value }] });
      await txn.commit();
      ms.push(performance.now() - t0);
    }
    await producer.disconnect();
    const s = summarizeLatencies(ms.slice(Math.floor(count / 10)));
    process.stdout.write(
      `initialRetryTime ${String(initialRetryTime).padStart(3)} ms: send + commit p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} max ${s.max.toFixed(1)} ms\n`,
    );
  }
} finally {
  await withAdmin(kafka, (admin) => admin.deleteTopics({ topics: [topic] }));
}
