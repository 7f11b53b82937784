/** What `readSequenced` takes: its options, their defaults, and the check that runs before any I/O. */
import type { Kafka } from 'kafkajs';
import type { GenesisParams } from '../chain/genesis.js';
import { HASH_BYTES } from '../chain/link.js';
import type { KafkaClientOptions, KafkaTlsOptions } from '../config/settings.js';
import { SeqchainError } from '../errors.js';
import type { Logger } from '../log.js';
import { Keyring } from '../seal/keyring.js';

/** How the reader connects to Kafka: the replicas' `kafka.*` settings (brokers, TLS, SASL). */
export interface ReaderKafkaOptions {
  brokers: readonly string[];
  /** @defaultValue false */
  ssl?: boolean;
  tls?: Partial<KafkaTlsOptions['tls']>;
  sasl?: KafkaClientOptions['sasl'];
  /** @defaultValue 'seqchain' (the client id is `<clientId>-reader-read`) */
  clientId?: string;
  /** @defaultValue 5000 */
  connectionTimeoutMs?: number;
  /** @defaultValue 30000 */
  requestTimeoutMs?: number;
}

/** A genesis as `readChainGenesis` returns it from ZooKeeper (only these fields are used). */
export type ReaderGenesis = GenesisParams & { hash: Buffer };

/** A position the caller persisted: the last record it consumed (seq 0 and the genesis hash before any). */
export interface ResumePoint {
  seq: bigint;
  /** h_seq, as the reader yielded it (`record.hash`), as bytes or lowercase hex. */
  hash: Buffer | string;
}

/** A range of sequenced records whose source bytes retention deleted, skipped under `skipDeleted`. */
export interface SkippedRange {
  partition: number;
  /** First skipped offset. */
  from: bigint;
  /** The partition's earliest offset when the range was found: every sequenced offset below it is gone. */
  to: bigint;
  /** Seq of the first record skipped in the range. */
  firstSeq: bigint;
}

export interface SequencedReaderOptions {
  /** A kafkajs client, or how to make one. */
  kafka: Kafka | ReaderKafkaOptions;
  /** The chain's name (its ledger is `<chain>.ledger`). */
  chain: string;
  /** The genesis from ZooKeeper (`readChainGenesis`); its hash is recomputed and must be the ledger's. */
  genesis?: ReaderGenesis;
  /** Or: the genesis hash the caller pins; the ledger's first message is the genesis and must have it. */
  genesisHash?: Buffer | string;
  /** First seq to yield. @defaultValue 1 */
  from?: bigint;
  /** Resume after a persisted position instead of `from`: the chain must hold `hash` at `seq` (else a 'fork' break). */
  resume?: ResumePoint;
  /**
   * Where to stop: 'head' (the ledger's end when reading began), 'follow' (never: wait for new
   * cuts until the caller stops), or the last seq to yield (waits for it if the chain is shorter).
   * @defaultValue 'head'
   */
  until?: 'head' | 'follow' | bigint;
  /** Read the source bytes from this topic (a mirror, backup or restore) instead of the chain's; digests still use the chain's topic. */
  sourceTopic?: string;
  /** Skip records retention deleted instead of throwing `SourceDeletedError`; each range goes to `onSkipped`. @defaultValue false */
  skipDeleted?: boolean;
  /** Called once per range skipped under `skipDeleted`, before any later record is yielded. */
  onSkipped?: (range: SkippedRange) => void;
  /** Source records read ahead of the caller, at most (shared out over the partitions): memory is bounded by it, and fetches are sized to it. @defaultValue 8192 */
  bufferRecords?: number;
  /** How often a wait at the head looks at `signal` ('follow', or `until` beyond the head), ms; new cuts arrive without it. @defaultValue 500 */
  pollIntervalMs?: number;
  /**
   * Open sealed payloads with these keys (`loadKeyring`, `Keyring.fromKeys`): a record with the
   * `seqchain.key-id` header is yielded with its plaintext as `value` and `sealed: { keyId, value }`,
   * after its digest and link are checked. Without it, sealed records are yielded as stored.
   */
  keyring?: Keyring;
  /**
   * Read the source topic on a worker thread of its own (its own kafkajs client, made from
   * `kafka`'s options): kafkajs' decoding of the source fetches and the records' SCR1 digests,
   * most of a reader's work, then take a second core while this thread reads the ledger, checks
   * the links and hands out (docs/PERFORMANCE.md, "The reader's source thread"). Needs `kafka` as
   * options: with a kafkajs client the source is read on the calling thread. @defaultValue true
   */
  sourceThread?: boolean;
  /** Ends a wait at the head: the iteration then ends as if the caller had stopped. */
  signal?: AbortSignal;
  logger?: Logger;
}

export const readerDefaults = {
  from: 1n,
  until: 'head' as 'head' | 'follow' | bigint,
  skipDeleted: false,
  /** Source records read ahead of the caller. */
  bufferRecords: 8_192,
  /** ms */
  pollIntervalMs: 500,
  sourceThread: true,
};

export const readerKafkaDefaults = {
  clientId: 'seqchain',
  replicaId: 'reader',
  ssl: false,
  tls: { rejectUnauthorized: true },
  /** ms */
  connectionTimeoutMs: 5_000,
  /** ms */
  requestTimeoutMs: 30_000,
  verbose: false,
} satisfies Omit<KafkaClientOptions, 'brokers'>;

/** The options checked and settled: the genesis hash and the resume hash as bytes, the start as a seq. */
export interface SettledOptions {
  genesisHash: Buffer;
  /** First seq to yield. */
  firstSeq: bigint;
  /** The caller's persisted position, if resuming. */
  resume: { seq: bigint; hash: Buffer } | null;
  until: 'head' | 'follow' | bigint;
  skipDeleted: boolean;
  bufferRecords: number;
  pollIntervalMs: number;
  sourceThread: boolean;
}

function usage(message: string, details: Record<string, unknown> = {}): SeqchainError {
  return new SeqchainError('SEQCHAIN_ERR_USAGE', `readSequenced: ${message}`, { details });
}

function hashBytes(h: Buffer | string, what: string): Buffer {
  const b = typeof h === 'string' && /^[0-9a-fA-F]*$/.test(h) ? Buffer.from(h, 'hex') : Buffer.isBuffer(h) ? h : Buffer.alloc(0);
  if (b.length !== HASH_BYTES) throw usage(`${what} must be ${HASH_BYTES} bytes (or ${HASH_BYTES * 2} hex digits)`, { option: what });
  return b;
}

export function settleOptions(o: SequencedReaderOptions): SettledOptions {
  if (typeof o.chain !== 'string' || o.chain === '') throw usage('chain is required', { option: 'chain' });
  if ((o.genesis === undefined) === (o.genesisHash === undefined)) throw usage('pass exactly one of genesis (from ZooKeeper) and genesisHash (pinned)');
  const genesisHash = o.genesis !== undefined ? hashBytes(o.genesis.hash, 'genesis.hash') : hashBytes(o.genesisHash!, 'genesisHash');
  if (o.from !== undefined && o.resume !== undefined) throw usage('pass from or resume, not both');
  let resume: SettledOptions['resume'] = null;
  if (o.resume !== undefined) {
    if (typeof o.resume.seq !== 'bigint' || o.resume.seq < 0n) throw usage('resume.seq must be a bigint ≥ 0', { option: 'resume.seq' });
    resume = { seq: o.resume.seq, hash: hashBytes(o.resume.hash, 'resume.hash') };
  }
  const from = o.from ?? readerDefaults.from;
  if (typeof from !== 'bigint' || from < 1n) throw usage('from must be a bigint ≥ 1 (seqs start at 1)', { option: 'from' });
  const firstSeq = resume ? resume.seq + 1n : from;
  const until = o.until ?? readerDefaults.until;
  if (until !== 'head' && until !== 'follow' && (typeof until !== 'bigint' || until < firstSeq - 1n)) {
    throw usage(`until must be 'head', 'follow' or a seq ≥ ${firstSeq - 1n}`, { option: 'until' });
  }
  const bufferRecords = o.bufferRecords ?? readerDefaults.bufferRecords;
  if (!Number.isInteger(bufferRecords) || bufferRecords < 1) throw usage('bufferRecords must be an integer ≥ 1', { option: 'bufferRecords' });
  if (o.keyring !== undefined && !(o.keyring instanceof Keyring))
    throw usage('keyring must be a Keyring (loadKeyring, Keyring.fromKeys)', { option: 'keyring' });
  const pollIntervalMs = o.pollIntervalMs ?? readerDefaults.pollIntervalMs;
  if (!Number.isFinite(pollIntervalMs) || pollIntervalMs < 10) throw usage('pollIntervalMs must be ≥ 10', { option: 'pollIntervalMs' });
  const sourceThread = o.sourceThread ?? readerDefaults.sourceThread;
  if (typeof sourceThread !== 'boolean') throw usage('sourceThread must be a boolean', { option: 'sourceThread' });
  return { genesisHash, firstSeq, resume, until, skipDeleted: o.skipDeleted ?? readerDefaults.skipDeleted, bufferRecords, pollIntervalMs, sourceThread };
}

/** The replicas' client settings, completed with the reader's defaults. */
export function readerKafkaClient(k: ReaderKafkaOptions): KafkaClientOptions {
  if (!Array.isArray(k.brokers) || k.brokers.length === 0) throw usage('kafka.brokers must list at least one host:port', { option: 'kafka.brokers' });
  return {
    ...readerKafkaDefaults,
    ...Object.fromEntries(Object.entries(k).filter(([, v]) => v !== undefined)),
    tls: { ...readerKafkaDefaults.tls, ...k.tls },
    brokers: [...k.brokers],
  } as KafkaClientOptions;
}
