import type { Kafka } from 'kafkajs';
import type { GroupConsumerOptions } from '../config/settings.js';
import { isSeqchainError } from '../errors.js';
import { groupConsumerConfig } from '../kafka/client.js';
import { fromKafkaError } from '../kafka/errors.js';
import { kafkaNames } from '../kafka/names.js';
import { topicOffsets, withAdmin } from '../kafka/offsets.js';
import { seekAll } from '../kafka/range-reader.js';
import type { Logger } from '../log.js';
import { sleep } from '../retry/sleep.js';
import { openCheckpoint, parseVerifierKey, type NoteVerifier } from '../tlog/index.js';
import { peekCutCheckpoint } from '../wire/ledger-v2.js';

/** A signed checkpoint as a cut committed it to the ledger. */
export interface LedgerCheckpoint {
  size: number;
  root: Buffer;
  /** The log's signed note, as the leader wrote it. */
  logNote: string;
}

export interface CheckpointTailOptions {
  chain: string;
  replicaId: string;
  kafka: Kafka;
  consumer: Readonly<GroupConsumerOptions>;
  /** The checkpoints' origin (the log's key name) and the keys they must be signed with. */
  origin: string;
  verifierKeys: readonly string[];
  logger: Logger;
}

/** Ledger offsets read back at start for the latest checkpoint: a cut and its commit marker are two. */
const START_BACK = 16n;
/** How long an idle fetch waits at the broker, ms: a committed cut answers it at once. */
const IDLE_WAIT_MS = 100;
const RETRY_MS = 1_000;

/**
 * The newest signed checkpoint committed to the ledger, as this replica sees it: a ledger consumer
 * (read_committed) from near the ledger's end that reads only the checkpoint of each SCM2 cut
 * (`peekCutCheckpoint`, the entries are skipped) and keeps the latest whose log signature
 * verifies. `/checkpoint` serves it (../index-store/log-store.ts) without waiting for the index to
 * apply the cut (a Redis script that can take tens of ms, after the index writer's own fetch);
 * proofs still come from the index, which checks the chain under each checkpoint. Failures are
 * retried quietly: without the tail the index's checkpoint is served, as before.
 */
export class CheckpointTail {
  #latest: LedgerCheckpoint | null = null;
  private readonly verifiers: NoteVerifier[];
  private readonly topic: string;
  private loop: Promise<void> | null = null;
  private stopped = false;
  private wake: AbortController | null = null;
  private endSession: (() => void) | null = null;

  constructor(private readonly options: CheckpointTailOptions) {
    this.verifiers = options.verifierKeys.map((k) => parseVerifierKey(k));
    this.topic = kafkaNames.ledgerTopic(options.chain);
  }

  /** The newest verified checkpoint seen in the ledger since start, or null. */
  get latest(): LedgerCheckpoint | null {
    return this.#latest;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.abort();
    this.endSession?.();
    await this.loop;
  }

  /**
   * Keeps a cut's checkpoint when it is newer, signed by the log and for the cut's own size.
   * False when the message carries no checkpoint (a genesis, an SCM1 cut).
   */
  private take(value: Buffer | null): boolean {
    if (!value) return false;
    try {
      const peeked = peekCutCheckpoint(value);
      if (!peeked) return false;
      if (this.#latest && Number(peeked.lastSeq) <= this.#latest.size) return true;
      const { checkpoint } = openCheckpoint(peeked.checkpoint, this.verifiers, this.options.origin);
      if (BigInt(checkpoint.size) === peeked.lastSeq) this.#latest = { size: checkpoint.size, root: checkpoint.root, logNote: peeked.checkpoint };
      return true;
    } catch (err) {
      // The index checks the same cut and halts on it; here it is only not served.
      this.options.logger.warn({ err }, 'a ledger cut carries a checkpoint that does not open: not served from the ledger');
      return true;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.session();
      } catch (err) {
        if (this.stopped) return;
        const e = fromKafkaError(err);
        this.options.logger.debug({ err: isSeqchainError(e) ? e.message : String(e) }, 'checkpoint tail: reading the ledger failed, retrying');
      }
      if (this.stopped) return;
      this.wake = new AbortController();
      await sleep(RETRY_MS, { signal: this.wake.signal }).catch(() => undefined);
    }
  }

  /** One consumer from near the ledger's end; resolves when it crashes (then retried) or stops. */
  private async session(): Promise<void> {
    const { kafka, chain, replicaId, consumer: settings } = this.options;
    const [ledger] = await withAdmin(kafka, (admin) => topicOffsets(admin, this.topic));
    if (!ledger) throw new Error(`ledger topic ${this.topic} not found`);
    const from = ledger.high - START_BACK > ledger.low ? ledger.high - START_BACK : ledger.low;
    const consumer = kafka.consumer({
      ...groupConsumerConfig(settings, kafkaNames.readerGroup(chain, 'checkpoint', replicaId)),
      maxWaitTimeInMs: IDLE_WAIT_MS,
      retry: { retries: 5, restartOnFailure: async () => false },
    });
    const ended = new Promise<void>((resolve) => {
      this.endSession = resolve;
      consumer.on(consumer.events.CRASH, () => resolve());
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          // Only the newest cut of a batch matters; older ones are skipped unread.
          for (let i = batch.messages.length - 1; i >= 0; i--) {
            const m = batch.messages[i]!;
            if (BigInt(m.offset) < from || this.take(m.value)) break;
          }
        },
      });
      seekAll(consumer, this.topic, new Map([[0, from]]));
      if (this.stopped) return;
      await ended;
    } finally {
      this.endSession = null;
      await consumer.disconnect().catch(() => undefined);
    }
  }
}
