import type { Kafka } from 'kafkajs';
import { ChainBrokenError, MalformedMessageError, SeqchainError } from '../errors.js';
import { fromKafkaError } from '../kafka/errors.js';
import { readLedger } from '../kafka/ledger-reader.js';
import { kafkaNames } from '../kafka/names.js';
import { topicOffsets, withAdmin } from '../kafka/offsets.js';
import { bindOnce, type Logger } from '../log.js';
import type { LedgerMessage } from '../wire/ledger-v1.js';
import { LedgerIndexer, type IndexerTuning } from './ledger-indexer.js';
import type { IndexerSettings } from '../config/settings.js';
import type { Redis } from '../index-store/redis-client.js';

export interface ReindexProgress {
  /** Records indexed so far (the index head's seq). */
  records: number;
  /** Ledger offset of the last message indexed. */
  ledgerOffset: bigint;
  /** The ledger's end when the reindex started (its last stable offset). */
  ledgerEnd: bigint;
  /** Records the ledger held when the reindex started (its last cut's lastSeq), when known. */
  totalRecords: number | null;
}

export interface ReindexOptions {
  settings: Readonly<IndexerSettings>;
  kafka: Kafka;
  redis: Redis;
  logger: Logger;
  /** The chain's genesis hash (ZooKeeper's); without it, the ledger's own genesis message is used. */
  genesisHash?: Buffer;
  onProgress?: (progress: ReindexProgress) => void;
  /** Give up when the index makes no progress for this long, ms. @defaultValue 60000 */
  stallTimeoutMs?: number;
  tuning?: Partial<IndexerTuning>;
}

export interface ReindexResult {
  chain: string;
  genesisHash: string;
  records: number;
  /** Ledger messages indexed (cuts, plus the genesis). */
  messages: number;
  headSeq: bigint;
  headHash: string;
  ledgerEnd: bigint;
  /** Keys of the old index that were deleted. */
  deletedKeys: number;
  durationMs: number;
  recordsPerSec: number;
}

/**
 * Flushes this chain's Redis index and rebuilds it from the ledger start, checking every link on
 * the way; resolves once the index holds the whole ledger as it was when the reindex started.
 * Replicas indexing the same Redis at the same time notice the flush and help (a message is
 * written once, by whoever comes first). Fails with SEQCHAIN_ERR_CHAIN_BROKEN (nothing past the
 * break is indexed), SEQCHAIN_ERR_UNREACHABLE when Redis goes away, SEQCHAIN_ERR_TIMEOUT when no
 * progress is made for `stallTimeoutMs`.
 */
export async function reindex(opts: ReindexOptions): Promise<ReindexResult> {
  const { settings, kafka, redis, logger } = opts;
  const startedAt = Date.now();
  const chain = settings.chain;
  const ledgerTopic = kafkaNames.ledgerTopic(chain);
  const log = bindOnce(logger, { component: 'reindex', chain });
  const [ledger] = await withAdmin(kafka, (admin) => topicOffsets(admin, ledgerTopic)).catch((err: unknown) => Promise.reject(fromKafkaError(err)));
  if (!ledger || ledger.high <= ledger.low) {
    throw new SeqchainError('SEQCHAIN_ERR_CHAIN_NOT_FOUND', `ledger topic ${ledgerTopic} holds no message: run "seqchain init" first`, {
      details: { topic: ledgerTopic },
    });
  }
  const groupPrefix = kafkaNames.readerGroup(chain, 'reindex', settings.replicaId);
  const first = await readOne(kafka, ledgerTopic, ledger.low, ledger.low + 1n, groupPrefix, log);
  if (first?.kind !== 'genesis') {
    throw new ChainBrokenError(`chain ${chain}: the ledger does not start with a genesis message (ledger offset ${ledger.low})`, {
      chain,
      ledgerOffset: ledger.low.toString(),
    });
  }
  if (opts.genesisHash && !opts.genesisHash.equals(first.hash)) {
    throw new ChainBrokenError(
      `chain ${chain}: the ledger's genesis ${first.hash.toString('hex')} is not the chain's genesis ${opts.genesisHash.toString('hex')}`,
      {
        chain,
        expected: opts.genesisHash.toString('hex'),
        actual: first.hash.toString('hex'),
      },
    );
  }
  const genesisHash = opts.genesisHash ?? first.hash;
  const tail = await readOne(kafka, ledgerTopic, ledger.high - 4n > ledger.low ? ledger.high - 4n : ledger.low, ledger.high, groupPrefix, log, true);
  const totalRecords = tail?.kind === 'cut' ? Number(tail.lastSeq) : tail ? 0 : null;

  const indexer = new LedgerIndexer({ settings, kafka, redis, logger, genesisHash, tuning: opts.tuning });
  const progress = (): ReindexProgress => ({ records: Number(indexer.indexedSeq), ledgerOffset: indexer.ledgerOffset, ledgerEnd: ledger.high, totalRecords });
  let messages = 0;
  let lastProgressAt = Date.now();
  indexer.on('index:applied', () => {
    messages++;
    lastProgressAt = Date.now();
    opts.onProgress?.(progress());
  });
  const { deletedKeys } = await indexer.store.reset();
  log.info({ deletedKeys, ledgerEnd: ledger.high.toString(), totalRecords }, 'index flushed: rebuilding from the ledger');
  const stallTimeoutMs = opts.stallTimeoutMs ?? 60_000;
  let watchdog: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      indexer.once('index:caught-up', () => resolve());
      indexer.once('index:halted', ({ err }) => reject(err));
      indexer.once('index:redis-down', ({ err }) => reject(err));
      watchdog = setInterval(() => {
        if (Date.now() - lastProgressAt > stallTimeoutMs) {
          reject(
            new SeqchainError('SEQCHAIN_ERR_TIMEOUT', `reindex of chain ${chain} made no progress for ${stallTimeoutMs} ms`, {
              retriable: true,
              details: { chain, ...stringify(progress()) },
            }),
          );
        }
      }, 1_000);
      indexer.start().catch(reject);
    });
  } finally {
    clearInterval(watchdog);
    await indexer.close();
  }
  const head = await indexer.store.head();
  const durationMs = Date.now() - startedAt;
  const records = Number(head?.seq ?? indexer.indexedSeq);
  return {
    chain,
    genesisHash: genesisHash.toString('hex'),
    records,
    messages,
    headSeq: head?.seq ?? indexer.indexedSeq,
    headHash: (head?.hash ?? genesisHash).toString('hex'),
    ledgerEnd: ledger.high,
    deletedKeys,
    durationMs,
    recordsPerSec: durationMs > 0 ? Math.round((records * 1000) / durationMs) : records,
  };
}

/** The first (or, with `last`, the last) decodable message of [from, to) of the ledger. */
async function readOne(
  kafka: Kafka,
  ledgerTopic: string,
  from: bigint,
  to: bigint,
  groupPrefix: string,
  logger: Logger,
  last = false,
): Promise<LedgerMessage | null> {
  let found: LedgerMessage | null = null;
  await readLedger({
    kafka,
    ledgerTopic,
    from,
    to,
    groupPrefix,
    logger,
    onMessage: (_offset, message) => {
      if (message instanceof MalformedMessageError) return;
      if (last || !found) found = message;
    },
  }).catch((err: unknown) => Promise.reject(fromKafkaError(err)));
  return found;
}

function stringify(p: ReindexProgress): Record<string, unknown> {
  return { records: p.records, ledgerOffset: p.ledgerOffset.toString(), ledgerEnd: p.ledgerEnd.toString() };
}
