/**
 * Tails the chain's ledger (read_committed) for the whole run and keeps what the chaos driver
 * measures recovery against: the head seq, the epoch of the last cut, and the coverage vector
 * (per source partition, the next offset not yet sequenced). Recovery conditions are predicates
 * over this state, checked on every committed cut. The driver's own view, independent of
 * ZooKeeper, so it keeps working while ZooKeeper is down; it pauses while Kafka is down.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../../src/log.js';
import { decodeLedgerMessage, type CutMessage } from '../../src/wire/ledger.js';

export interface LedgerState {
  /** Last sequenced global seq (0: only the genesis). */
  lastSeq: number;
  /** Epoch of the last cut (-1: none yet). */
  epoch: number;
  /** coverage[p]: next source offset of partition p not yet sequenced. */
  coverage: number[];
  cuts: number;
  /** Ledger offset of the last message seen. */
  ledgerOffset: number;
}

interface Waiter {
  check: (s: LedgerState) => boolean;
  resolve: (at: number) => void;
}

export class LedgerWatcher {
  readonly state: LedgerState = { lastSeq: 0, epoch: -1, coverage: [], cuts: 0, ledgerOffset: -1 };
  /** Per epoch: when its first cut was seen, and when that cut was closed by its leader (ms). */
  readonly epochFirstCut = new Map<number, { seenAt: number; closedAtMs: number; ledgerOffset: number }>();
  /** Cuts of an epoch below the highest one already seen (a zombie write), as seen live. */
  readonly lateCuts: { epoch: number; after: number; ledgerOffset: number }[] = [];
  private waiters: Waiter[] = [];
  private consumer: Consumer | null = null;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly ledgerTopic: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.open();
  }

  private async open(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `chaos.watch.${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 20,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      retry: { retries: 10 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      // kafkajs restarts by itself after a retriable crash; after any other, start a new consumer.
      if (event.payload.restart || this.closed) return;
      this.logger.warn({ err: event.payload.error?.message }, 'chaos ledger watcher crashed; reopening');
      void consumer
        .disconnect()
        .catch(() => undefined)
        .then(() => this.reopen());
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.ledgerTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) this.onMessage(Number(m.offset), m.value);
      },
    });
    // A new consumer after a crash resumes where this one stopped (offsets seen are skipped anyway).
    if (this.state.ledgerOffset >= 0) consumer.seek({ topic: this.ledgerTopic, partition: 0, offset: String(this.state.ledgerOffset + 1) });
  }

  private async reopen(): Promise<void> {
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await this.open();
        return;
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, attempt }, 'chaos ledger watcher: reopen failed');
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  private onMessage(offset: number, value: Buffer | null): void {
    if (offset <= this.state.ledgerOffset) return; // redelivered after a restart
    this.state.ledgerOffset = offset;
    let msg;
    try {
      msg = decodeLedgerMessage(value ?? Buffer.alloc(0));
    } catch (err) {
      this.logger.error({ offset, err: (err as Error).message }, 'chaos ledger watcher: message does not decode (the final check names it)');
      return;
    }
    if (msg.kind === 'genesis') {
      this.state.coverage = msg.start.map(Number);
      return;
    }
    this.onCut(offset, msg);
  }

  private onCut(offset: number, cut: CutMessage): void {
    const s = this.state;
    const epoch = Number(cut.epoch);
    if (epoch < s.epoch) this.lateCuts.push({ epoch, after: s.epoch, ledgerOffset: offset });
    if (!this.epochFirstCut.has(epoch)) this.epochFirstCut.set(epoch, { seenAt: Date.now(), closedAtMs: Number(cut.closedAtMs), ledgerOffset: offset });
    s.epoch = Math.max(s.epoch, epoch);
    s.lastSeq = Math.max(s.lastSeq, Number(cut.lastSeq));
    s.coverage = cut.coverage.map((c) => Number(c.sourceNext));
    s.cuts++;
    const now = Date.now();
    this.waiters = this.waiters.filter((w) => {
      if (!w.check(s)) return true;
      w.resolve(now);
      return false;
    });
  }

  /** The first cut seen of the lowest epoch above `epoch` (a failover's end), or null while none came. */
  firstCutAfter(epoch: number): { epoch: number; seenAt: number; closedAtMs: number; ledgerOffset: number } | null {
    let best: number | null = null;
    for (const e of this.epochFirstCut.keys()) if (e > epoch && (best === null || e < best)) best = e;
    return best === null ? null : { epoch: best, ...this.epochFirstCut.get(best)! };
  }

  /** True when the ledger covers every offset below `ends[p]` of every partition p. */
  covers(ends: readonly number[]): boolean {
    return ends.every((end, p) => end === 0 || (this.state.coverage[p] ?? 0) >= end);
  }

  /**
   * When `check` holds (at once if it holds now), as ms since the Unix epoch; null after
   * timeoutMs without it.
   */
  waitFor(check: (s: LedgerState) => boolean, timeoutMs: number): Promise<number | null> {
    if (check(this.state)) return Promise.resolve(Date.now());
    return new Promise((resolve) => {
      const w: Waiter = {
        check,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(null);
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  async stop(): Promise<void> {
    this.closed = true;
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
