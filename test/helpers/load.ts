/**
 * A producer that keeps writing while a test changes the replica set or the topic: a steady rate,
 * round-robin over every partition the topic has *now* (it re-reads the partition count, so
 * partitions added while it runs get records too). Counts only what the broker acknowledged:
 * kafkajs silently drops messages for a partition its cached metadata does not list yet.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka, Message, Producer } from 'kafkajs';
import { partitionCount } from '../../src/kafka/offsets.js';

export interface LoadOptions {
  /** Records per second. */
  rate: number;
  /** How often the loop sends, ms. */
  tickMs?: number;
  /** How often the partition count is re-read, ms. */
  partitionRefreshMs?: number;
}

export class LoadGenerator {
  /** Acknowledged records per partition. */
  readonly perPartition: number[] = [];
  private producer: Producer | null = null;
  private admin: Admin | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;
  private failure: unknown = null;
  private next = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly options: LoadOptions,
  ) {}

  /** Acknowledged records so far. */
  get sent(): number {
    return this.perPartition.reduce((a, b) => a + (b ?? 0), 0);
  }

  async start(): Promise<void> {
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, metadataMaxAge: 500 });
    this.admin = this.kafka.admin();
    await Promise.all([this.producer.connect(), this.admin.connect()]);
    let partitions = await partitionCount(this.admin, this.topic);
    let partitionsAt = Date.now();
    const tickMs = this.options.tickMs ?? 50;
    const refreshMs = this.options.partitionRefreshMs ?? 500;
    const started = Date.now();
    let due = 0;
    this.running = (async () => {
      while (!this.stopping) {
        if (Date.now() - partitionsAt >= refreshMs) {
          partitions = await partitionCount(this.admin!, this.topic);
          partitionsAt = Date.now();
        }
        const target = Math.floor(((Date.now() - started) / 1000) * this.options.rate);
        const n = target - due;
        if (n > 0) {
          due += n;
          await this.send(n, partitions);
        }
        await sleep(tickMs);
      }
    })().catch((err: unknown) => {
      this.failure = err;
    });
  }

  private async send(n: number, partitions: number): Promise<void> {
    const messages: Message[] = [];
    const count = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const partition = this.next++ % partitions;
      count.set(partition, (count.get(partition) ?? 0) + 1);
      messages.push({ partition, key: `k${this.next % 100}`, value: Buffer.from(`load-${this.next}`), headers: { h: 'x' } });
    }
    const acked = await this.producer!.send({ topic: this.topic, acks: -1, messages });
    for (const r of acked) {
      this.perPartition[r.partition] = (this.perPartition[r.partition] ?? 0) + (count.get(r.partition) ?? 0);
    }
  }

  /** Waits until at least `records` more are acknowledged than when called. */
  async waitFor(records: number, timeoutMs = 60_000): Promise<void> {
    const target = this.sent + records;
    const deadline = Date.now() + timeoutMs;
    while (this.sent < target) {
      if (this.failure) throw this.failure;
      if (Date.now() > deadline) throw new Error(`load: ${records} more records not acknowledged in ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** Stops, disconnects, and rethrows a send failure. Returns the acknowledged total. */
  async stop(): Promise<number> {
    this.stopping = true;
    await this.running;
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    if (this.failure) throw this.failure;
    return this.sent;
  }
}
