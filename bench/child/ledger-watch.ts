/**
 * Child process of the latency runs: a read_committed consumer of `<chain>.ledger` that notes,
 * for every sequenced record, when a reader could first see its cut committed in the ledger.
 *
 *   e2e latency   = time this reader receives the fetch holding the cut − the record's timestamp
 *   close latency = the cut's closedAtMs (when the sequencer took the cut) − the record's timestamp
 *
 * The load generator stamps every record with its intended send time, so both include any delay
 * of the producer itself. Same machine, same clock.
 *
 * IPC: {type:'progress', records} every 50 ms; on {type:'collect'} it answers {type:'collected',
 * e2e, close, records, cuts} (summaries of the samples since the last collect) and starts afresh.
 * With BENCH_WATCH_CUTS=1 the answer also holds every cut's end seq, the moment it was received
 * and its closedAtMs, and how many cuts carried no signed checkpoint (`cutTimes`, for the log-view
 * phase's checkpoint lag). With BENCH_WATCH_HOPS=<n> it also keeps every n-th record's position
 * and its cut's closedAtMs, ledger message timestamp and receipt time (`hops`, lib/hops.ts).
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/load.js';
import { createKafka } from '../../src/kafka/client.js';
import { kafkaClientOptions } from '../../src/config/slices.js';
import { kafkaNames } from '../../src/kafka/names.js';
import { createLogger } from '../../src/log.js';
import { decodeLedgerMessage } from '../../src/wire/ledger.js';
import type { HopSample } from '../lib/hops.js';
import { summarizeLatencies, type LatencySummary } from '../lib/stats.js';

export type WatchMessage =
  | { type: 'ready' }
  | { type: 'progress'; records: number }
  | {
      type: 'collected';
      e2e: LatencySummary;
      close: LatencySummary;
      records: number;
      cuts: number;
      ledgerBytes: number;
      /** Parallel arrays, one slot per cut; only with BENCH_WATCH_CUTS=1. */
      cutTimes?: { lastSeq: number[]; visibleAt: number[]; closedAt: number[]; unsigned: number };
      /** Every n-th record's hop times; only with BENCH_WATCH_HOPS=n. */
      hops?: HopSample[];
    };

/** A growable array of doubles. */
class Samples {
  private buf = new Float64Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  view(): Float64Array {
    return this.buf.subarray(0, this.length);
  }
}

const chain = process.env.BENCH_CHAIN!;
const keepCutTimes = process.env.BENCH_WATCH_CUTS === '1';
const hopEvery = Number(process.env.BENCH_WATCH_HOPS ?? 0);

function send(msg: WatchMessage): void {
  process.send?.(msg);
}

async function main(): Promise<void> {
  const config = loadConfig({ overrides: { chain, replicaId: `bench-watch-${process.pid}` } });
  const logger = createLogger({ level: 'warn', name: 'bench-ledger-watch' });
  const kafka = createKafka(kafkaClientOptions(config), logger, 'bench-watch');
  const consumer = kafka.consumer({
    groupId: kafkaNames.readerGroup(chain, 'bench-watch', randomUUID()),
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
    readUncommitted: false,
  });
  let e2e = new Samples();
  let close = new Samples();
  let records = 0;
  let total = 0;
  let cuts = 0;
  let ledgerBytes = 0;
  let cutTimes = { lastSeq: [] as number[], visibleAt: [] as number[], closedAt: [] as number[], unsigned: 0 };
  let hops: HopSample[] = [];
  consumer.on(consumer.events.GROUP_JOIN, () => send({ type: 'ready' }));
  await consumer.connect();
  await consumer.subscribe({ topic: kafkaNames.ledgerTopic(chain), fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const seenAt = Date.now();
      for (const m of batch.messages) {
        if (!m.value) continue;
        const msg = decodeLedgerMessage(m.value);
        if (msg.kind !== 'cut') continue;
        cuts++;
        ledgerBytes += m.value.length;
        const closedAt = Number(msg.closedAtMs);
        if (keepCutTimes) {
          cutTimes.lastSeq.push(Number(msg.lastSeq));
          cutTimes.visibleAt.push(seenAt);
          cutTimes.closedAt.push(closedAt);
          if (!msg.log) cutTimes.unsigned++;
        }
        const firstSeq = Number(msg.firstSeq);
        const ledgerSentAt = Number(m.timestamp);
        msg.entries.forEach((e, i) => {
          const ts = Number(e.timestampMs);
          e2e.push(seenAt - ts);
          close.push(closedAt - ts);
          if (hopEvery > 0 && (firstSeq + i) % hopEvery === 0)
            hops.push({ partition: e.partition, offset: Number(e.offset), producedAt: ts, closedAt, ledgerSentAt, visibleAt: seenAt });
        });
        records += msg.entries.length;
        total += msg.entries.length;
      }
    },
  });
  const ticker = setInterval(() => send({ type: 'progress', records: total }), 50);
  process.on('message', (msg: { type?: string }) => {
    if (msg?.type === 'collect') {
      send({
        type: 'collected',
        e2e: summarizeLatencies(e2e.view()),
        close: summarizeLatencies(close.view()),
        records,
        cuts,
        ledgerBytes,
        ...(keepCutTimes ? { cutTimes } : {}),
        ...(hopEvery > 0 ? { hops } : {}),
      });
      cutTimes = { lastSeq: [], visibleAt: [], closedAt: [], unsigned: 0 };
      hops = [];
      e2e = new Samples();
      close = new Samples();
      records = 0;
      cuts = 0;
      ledgerBytes = 0;
    } else if (msg?.type === 'stop') {
      clearInterval(ticker);
      void consumer
        .disconnect()
        .catch(() => undefined)
        .finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`bench ledger watch: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
