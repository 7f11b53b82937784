import { sleep } from '../retry/sleep.js';
import type { Kafka } from 'kafkajs';
import { isSeqchainError, MalformedMessageError, SeqchainError } from '../errors.js';
import { backoffDelayMs, type BackoffPolicy } from '../retry/backoff.js';
import { fromKafkaError } from './errors.js';
import { topicOffsets, withAdmin } from './offsets.js';
import { readLedger } from './ledger-reader.js';
import type { Logger } from '../log.js';
import type { CoverageSlot, CutLogView, LedgerMessage } from '../wire/ledger-v1.js';
import { rejectedLedgerDetails } from '../wire/rejected-message.js';

export interface ChainHead {
  /** Last sequenced global seq (0 = only the genesis). */
  seq: bigint;
  hash: Buffer;
  cutId: bigint;
  epoch: bigint;
  /** Ledger offset of the message that holds this head. */
  ledgerOffset: bigint;
  coverage: CoverageSlot[];
  /** The log view the tail cut carries (an SCM2 cut): where a leader's tree border resumes from. */
  log?: CutLogView;
}

export interface GenesisAnchor {
  hash: Buffer;
  start: readonly bigint[];
}

/**
 * Attempts at reading the tail before the term gives up, and the pause before the n-th retry
 * (ms, doubling): right after a broker restart the group coordinator answers
 * GROUP_LOAD_IN_PROGRESS or is not found for a few seconds. Past the last attempt the read
 * fails retriable and the term ends (the replica resigns; the election picks a leader again).
 */
export const TAIL_READ_ATTEMPTS = 5;
const TAIL_RETRY: BackoffPolicy = { initialMs: 500, maxMs: 4_000 };

/**
 * Rebuilds the chain head from the ledger (the source of truth), reading read_committed from
 * `fromOffset` (a hint: the counter's ledger offset) to the end. A message that does not decode
 * stops recovery with a typed error naming its offset: a new leader never guesses.
 */
export async function readLedgerHead(opts: {
  kafka: Kafka;
  ledgerTopic: string;
  groupPrefix: string;
  genesis: GenesisAnchor;
  fromOffset: bigint;
  logger: Logger;
  /** Reads of the tail before giving up on retriable failures. @defaultValue TAIL_READ_ATTEMPTS */
  attempts?: number;
  /** Stops retrying (the term was asked to stop): the last failure is thrown. */
  shouldStop?: () => boolean;
}): Promise<ChainHead> {
  const [ledger] = await withAdmin(opts.kafka, (admin) => topicOffsets(admin, opts.ledgerTopic));
  const end = ledger?.high ?? 0n;
  const low = ledger?.low ?? 0n;
  if (end === 0n) {
    throw new SeqchainError('SEQCHAIN_ERR_CHAIN_NOT_FOUND', `ledger topic ${opts.ledgerTopic} is empty: run "seqchain init" first`, {
      details: { topic: opts.ledgerTopic },
    });
  }
  const from = opts.fromOffset < low ? low : opts.fromOffset;
  if (from >= end) {
    throw new SeqchainError('SEQCHAIN_ERR_COUNTER_MISMATCH', `counter points at ledger offset ${opts.fromOffset} but the ledger ends at ${end}`, {
      details: { counterLedgerOffset: opts.fromOffset.toString(), ledgerEnd: end.toString() },
    });
  }
  let last: { offset: bigint; message: LedgerMessage } | null = null;
  let malformed: SeqchainError | null = null;
  // A failed read is read again from the start (a new throw-away group): what one attempt
  // collected is dropped. Never sequence without the tail: the last failure is thrown.
  for (let attempt = 1; ; attempt++) {
    last = null;
    malformed = null;
    try {
      await readTail();
      break;
    } catch (err) {
      const error = fromKafkaError(err);
      const retriable = isSeqchainError(error) && error.retriable;
      if (!retriable || attempt >= (opts.attempts ?? TAIL_READ_ATTEMPTS) || opts.shouldStop?.()) throw error;
      const delayMs = backoffDelayMs(TAIL_RETRY, attempt);
      opts.logger.warn(
        { err: error, attempt, delayMs, topic: opts.ledgerTopic, from: from.toString(), end: end.toString() },
        'reading the ledger tail failed; reading it again',
      );
      await sleep(delayMs);
    }
  }
  function readTail(): Promise<void> {
    return readLedger({
      kafka: opts.kafka,
      ledgerTopic: opts.ledgerTopic,
      from,
      to: end,
      groupPrefix: opts.groupPrefix,
      logger: opts.logger,
      onMessage: (offset, message) => {
        if (message instanceof MalformedMessageError) {
          malformed ??= new SeqchainError(
            'SEQCHAIN_ERR_MALFORMED_MESSAGE',
            `ledger topic ${opts.ledgerTopic} partition 0 offset ${offset}: does not decode: ${message.message}`,
            {
              cause: message,
              details: { topic: opts.ledgerTopic, ...rejectedLedgerDetails(message, offset) },
            },
          );
        } else {
          last = { offset, message };
        }
      },
    });
  }
  // A new leader never builds on a ledger it cannot read.
  if (malformed) throw malformed;
  const tail = last as { offset: bigint; message: LedgerMessage } | null;
  if (!tail) {
    throw new SeqchainError('SEQCHAIN_ERR_COUNTER_MISMATCH', `no committed ledger message in [${from}, ${end}) of ${opts.ledgerTopic}`, {
      details: { from: from.toString(), end: end.toString() },
    });
  }
  if (tail.message.kind === 'genesis') {
    if (!tail.message.hash.equals(opts.genesis.hash)) {
      throw new SeqchainError(
        'SEQCHAIN_ERR_CHAIN_BROKEN',
        `ledger genesis ${tail.message.hash.toString('hex')} differs from ZooKeeper's ${opts.genesis.hash.toString('hex')}`,
      );
    }
    return {
      seq: 0n,
      hash: opts.genesis.hash,
      cutId: 0n,
      epoch: 0n,
      ledgerOffset: tail.offset,
      coverage: opts.genesis.start.map((s) => ({ sourceNext: s, digestNext: 0n })),
    };
  }
  const cut = tail.message;
  return {
    seq: cut.lastSeq,
    hash: cut.headHash,
    cutId: cut.cutId,
    epoch: cut.epoch,
    ledgerOffset: tail.offset,
    coverage: cut.coverage,
    ...(cut.log ? { log: cut.log } : {}),
  };
}
