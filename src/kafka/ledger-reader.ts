import type { Kafka, KafkaMessage } from 'kafkajs';
import { MalformedMessageError } from '../errors.js';
import type { Logger } from '../log.js';
import { decodeLedgerMessage, type LedgerMessage } from '../wire/ledger.js';
import { readRanges } from './range-reader.js';

/** The Kafka producer of the record batch a ledger message came in (kafkajs `batchContext`). */
export interface LedgerWriter {
  transactional: boolean;
  producerId: string;
  producerEpoch: number;
}

export interface LedgerReadOptions {
  kafka: Kafka;
  ledgerTopic: string;
  /** First ledger offset to read. */
  from: bigint;
  /** Read up to this offset (exclusive): the ledger's last stable offset, read beforehand. */
  to: bigint;
  groupPrefix: string;
  logger: Logger;
  /**
   * Each committed ledger message in order, decoded, or the decoding error (a message that is
   * not a seqchain ledger message): the caller decides whether that stops it or is reported.
   * `writer` is the Kafka producer of the record batch it came in (undefined if unknown).
   */
  onMessage: (offset: bigint, message: LedgerMessage | MalformedMessageError, writer: LedgerWriter | undefined) => void;
}

/** Reads committed ledger messages [from, to) of `<chain>.ledger` (one partition) in order. */
export async function readLedger(opts: LedgerReadOptions): Promise<void> {
  await readRanges({
    kafka: opts.kafka,
    topic: opts.ledgerTopic,
    ranges: new Map([[0, { from: opts.from, to: opts.to }]]),
    groupPrefix: opts.groupPrefix,
    logger: opts.logger,
    onMessages: (_p, messages) => {
      for (const m of messages) opts.onMessage(BigInt(m.offset), decodeLedgerRecord(m), writerOf(m));
    },
  });
}

/** A ledger record's value decoded, or the error that says why it is not a seqchain ledger message. */
export function decodeLedgerRecord(m: KafkaMessage): LedgerMessage | MalformedMessageError {
  try {
    return decodeLedgerMessage(m.value ?? Buffer.alloc(0));
  } catch (err) {
    return err instanceof MalformedMessageError ? err : new MalformedMessageError('ledger message v1', (err as Error).message, { offset: m.offset });
  }
}

/**
 * kafkajs decodes each record batch's producer fields into `batchContext` on every message of
 * the batch, but does not declare it in its types: read it defensively.
 */
export function writerOf(m: KafkaMessage): LedgerWriter | undefined {
  const ctx = (m as { batchContext?: { inTransaction?: unknown; producerId?: unknown; producerEpoch?: unknown } }).batchContext;
  if (ctx === undefined || typeof ctx.inTransaction !== 'boolean' || ctx.producerId === undefined || typeof ctx.producerEpoch !== 'number') return undefined;
  return { transactional: ctx.inTransaction, producerId: String(ctx.producerId), producerEpoch: ctx.producerEpoch };
}
