/**
 * Probe for docs/PERFORMANCE.md (issue 14, "leader RSS ≤ 150 MiB, flat"): the resident memory of
 * the smallest process that does a replica's Kafka work at the soak's rate, with nothing of
 * seqchain in it. A child process runs one kafkajs consumer of a 6-partition topic (the worker's
 * settings: 50 ms fetch wait, read_committed), digests every record (SHA-256, as the worker does)
 * and sends one digest message per batch (acks -1); no ZooKeeper, Redis, API, sequencer or index.
 * The parent produces the load and reads the child's RSS from /proc; the child logs V8's heap
 * spaces. Options after the first two arguments go to the child's node (A/B of V8 flags).
 *
 *   node dist/bench/probes/client-rss.js [records/s, default 20000] [seconds, default 180] [node options…]
 */
import { fork } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { Kafka, logLevel } from 'kafkajs';
import { rssMb } from '../lib/proc.js';
import { dropKafkajsNegativeTimeoutWarning } from '../../src/kafka/negative-timeout-warning.js';

// kafkajs' own timer warning (src/kafka/negative-timeout-warning.ts), noise here as in the replicas.
dropKafkajsNegativeTimeoutWarning();

const MiB = 1024 * 1024;
const PARTITIONS = 6;

interface HeapSample {
  heapMb: number;
  newSpaceMb: number;
  oldSpaceMb: number;
  usedMb: number;
  externalMb: number;
  records: number;
}

function client(brokers: string): Kafka {
  return new Kafka({ clientId: 'client-rss-probe', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

/** The child: consume, digest, send a digest batch; report heap spaces every 15 s on IPC. */
async function child(brokers: string, topic: string): Promise<void> {
  const kafka = client(brokers);
  const producer = kafka.producer({ idempotent: true });
  const consumer = kafka.consumer({ groupId: `${topic}.g`, maxWaitTimeInMs: 50, sessionTimeout: 6_000, heartbeatInterval: 1_000, readUncommitted: false });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let records = 0;
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch }) => {
      const digests = Buffer.allocUnsafe(32 * batch.messages.length);
      for (const [i, m] of batch.messages.entries()) {
        createHash('sha256')
          .update(m.value ?? Buffer.alloc(0))
          .digest()
          .copy(digests, 32 * i);
      }
      await producer.send({ topic: `${topic}.out`, acks: -1, messages: [{ partition: batch.partition, value: digests }] });
      records += batch.messages.length;
    },
  });
  const report = () => {
    const spaces = new Map(getHeapSpaceStatistics().map((s) => [s.space_name, s]));
    const m = process.memoryUsage();
    const sample: HeapSample = {
      heapMb: m.heapTotal / MiB,
      newSpaceMb: (spaces.get('new_space')?.space_size ?? 0) / MiB,
      oldSpaceMb: (spaces.get('old_space')?.space_size ?? 0) / MiB,
      usedMb: m.heapUsed / MiB,
      externalMb: (m.external + m.arrayBuffers) / MiB,
      records,
    };
    process.send?.(sample);
  };
  setInterval(report, 15_000).unref();
  process.on('message', async () => {
    report();
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    process.exit(0);
  });
}

async function parent(): Promise<void> {
  const rate = Number(process.argv[2] ?? 20_000);
  const seconds = Number(process.argv[3] ?? 180);
  const nodeOptions = process.argv.slice(4);
  const brokers = process.env.SEQCHAIN_KAFKA_BROKERS ?? '127.0.0.1:19092';
  const kafka = client(brokers);
  const topic = `bench-probe-rss-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic, numPartitions: PARTITIONS },
      { topic: `${topic}.out`, numPartitions: PARTITIONS },
    ],
  });
  const producer = kafka.producer();
  await producer.connect();
  const proc = fork(new URL(import.meta.url).pathname, ['child', brokers, topic], { execArgv: nodeOptions, stdio: 'inherit' });
  const heaps: HeapSample[] = [];
  proc.on('message', (m) => heaps.push(m as HeapSample));
  try {
    await sleep(4_000);
    const rss: number[] = [rssMb(proc.pid)];
    const started = Date.now();
    let sent = 0;
    let nextSample = started + 5_000;
    const value = Buffer.alloc(200, 7);
    while (sent < rate * seconds) {
      const due = Math.min(rate * seconds, Math.floor(((Date.now() - started) * rate) / 1000)) - sent;
      if (due > 0) {
        await producer.send({ topic, acks: -1, messages: Array.from({ length: due }, (_, i) => ({ partition: (sent + i) % PARTITIONS, value })) });
        sent += due;
      }
      if (Date.now() >= nextSample) {
        rss.push(rssMb(proc.pid));
        nextSample += 5_000;
        if (rss.length % 6 === 1)
          process.stderr.write(`probe: ${Math.round((Date.now() - started) / 1000)} s, ${sent} sent, child RSS ${rss.at(-1)!.toFixed(0)} MiB\n`);
      }
      await sleep(2);
    }
    await sleep(2_000);
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.send('stop');
    await exited;
    const last = heaps.at(-1);
    const settled = rss.slice(Math.ceil(rss.length / 3));
    process.stdout.write(
      `${rate}/s for ${seconds} s, child node options [${nodeOptions.join(' ')}]: RSS start ${rss[0]!.toFixed(0)} MiB, ` +
        `max ${Math.max(...rss).toFixed(0)}, last two thirds ${Math.min(...settled).toFixed(0)}–${Math.max(...settled).toFixed(0)}, end ${rss.at(-1)!.toFixed(0)} MiB; ` +
        (last
          ? `heap ${last.heapMb.toFixed(0)} (new space ${last.newSpaceMb.toFixed(0)}, old space ${last.oldSpaceMb.toFixed(0)}), used ${last.usedMb.toFixed(0)}, external ${last.externalMb.toFixed(0)} MiB; ${last.records} records consumed\n`
          : 'no heap sample\n'),
    );
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic, `${topic}.out`] }).catch(() => undefined);
    await admin.disconnect();
  }
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]!);
else await parent();
