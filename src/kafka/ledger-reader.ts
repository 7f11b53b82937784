import type { Kafka } from 'kafkajs';
import { MalformedMessageError } from '../errors.js';
import type { Logger } from '../log.js';
import { decodeLedgerMessage, type LedgerMessage } from '../wire/ledger-v1.js';
import { readRanges } from './range-reader.js';

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
   */
  onMessage: (offset: bigint, message: LedgerMessage | MalformedMessageError) => void;
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
      for (const m of messages) {
        const offset = BigInt(m.offset);
        let decoded: LedgerMessage | MalformedMessageError;
        try {
          decoded = decodeLedgerMessage(m.value ?? Buffer.alloc(0));
        } catch (err) {
          decoded = err instanceof MalformedMessageError ? err : new MalformedMessageError('ledger message v1', (err as Error).message, { offset: offset.toString() });
        }
        opts.onMessage(offset, decoded);
      }
    },
  });
}
