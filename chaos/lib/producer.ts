/**
 * The chaos run's load: a fixed rate into every partition the source topic has *now*
 * (round-robin; partitions added mid-run get records within a second), surviving broker
 * outages. A record counts as produced only once the broker acknowledged it (acks=all), so the
 * history check knows a lower bound per partition: `ackedEnd[p]`, one past the highest
 * acknowledged offset. A send that fails is retried with the same records; if the failed send
 * did reach the log, the topic holds records nobody counted, which is fine: the check reads the
 * topic itself and only asks that it holds at least what was acknowledged.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka, Message, Producer } from 'kafkajs';
import { partitionCount } from '../../src/kafka/offsets.js';
import type { Logger } from '../../src/log.js';

export interface ChaosProducerOptions {
  rate: number;
  /** Send loop period, ms. */
  tickMs?: number;
  /** Most records in one send (the backlog after an outage goes out in pieces of this size). */
  maxBatch?: number;
}

export class ChaosProducer {
  /** Per partition: one past the highest acknowledged offset. */
  readonly ackedEnd: number[] = [];
  /** Acknowledged records, all partitions. */
  acked = 0;
  /** Sends that failed (each retried until it went through). */
  sendFailures = 0;
  /** Partitions the producer writes to now. */
  partitions = 0;
  private producer: Producer | null = null;
  private admin: Admin | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private issued = 0;
  private startedAt = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly logger: Logger,
    private readonly options: ChaosProducerOptions,
  ) {}

  /** A copy of ackedEnd: "everything acknowledged so far", the reference a recovery waits for. */
  snapshot(): number[] {
    return [...this.ackedEnd];
  }

  async start(): Promise<void> {
    if (this.loop) throw new Error('producer already started');
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.partitions = await partitionCount(this.admin, this.topic);
    await this.connect();
    this.startedAt = Date.now();
    this.loop = this.run();
  }

  private async connect(): Promise<void> {
    // metadataMaxAge short: kafkajs drops records for a partition its cached metadata lacks.
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      metadataMaxAge: 500,
      idempotent: false,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2_000 },
    });
    await this.producer.connect();
  }

  private async run(): Promise<void> {
    const tickMs = this.options.tickMs ?? 50;
    const maxBatch = this.options.maxBatch ?? 2_000;
    let refreshedAt = Date.now();
    let pending: Message[] | null = null;
    let failuresInRow = 0;
    while (!this.stopping) {
      if (Date.now() - refreshedAt >= 1_000) {
        refreshedAt = Date.now();
        this.partitions = await partitionCount(this.admin!, this.topic).catch(() => this.partitions);
      }
      if (pending === null) {
        const due = Math.floor(((Date.now() - this.startedAt) * this.options.rate) / 1000) - this.issued;
        if (due > 0) pending = this.make(Math.min(due, maxBatch));
      }
      if (pending !== null) {
        try {
          const acks = await this.producer!.send({ topic: this.topic, acks: -1, timeout: 10_000, messages: pending });
          for (const a of acks) {
            const n = pending.filter((m) => m.partition === a.partition).length;
            const end = Number(a.baseOffset) + n;
            if (end > (this.ackedEnd[a.partition] ?? 0)) this.ackedEnd[a.partition] = end;
            this.acked += n;
          }
          for (let p = 0; p < this.ackedEnd.length; p++) this.ackedEnd[p] ??= 0;
          pending = null;
          failuresInRow = 0;
          continue; // a backlog goes out at once, not one tick at a time
        } catch (err) {
          this.sendFailures++;
          failuresInRow++;
          if (failuresInRow === 1) this.logger.warn({ err: (err as Error).message }, 'chaos producer: send failed, retrying the same records');
          if (failuresInRow % 3 === 0) {
            // A producer that failed several times in a row may hold a dead connection: start over.
            await this.producer!.disconnect().catch(() => undefined);
            await this.connect().catch(() => undefined);
          }
          await sleep(500);
          continue;
        }
      }
      await sleep(tickMs);
    }
  }

  private make(n: number): Message[] {
    const out: Message[] = [];
    for (let i = 0; i < n; i++) {
      const k = this.issued++;
      out.push({ partition: k % this.partitions, key: `k${k % 100}`, value: Buffer.from(`chaos-${k}-${'x'.repeat(64)}`), headers: { h: 'chaos' } });
    }
    return out;
  }

  /** Stops after the send in flight (retried until acknowledged); returns the acknowledged total. */
  async stop(): Promise<number> {
    this.stopping = true;
    await this.loop;
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    return this.acked;
  }
}
