/**
 * The sequenced reader: the source records of a chain in global order, each checked as it is
 * handed out, so every consumer is an auditor. It is `seqchain verify` that yields records: the
 * ledger is read (read_committed) from its genesis, every cut verified by the same `ChainVerifier`
 * (links recomputed, cut ids, positions, writers), and the source bytes of the records wanted
 * are read in the same pass, by position, and their digests recomputed. Nothing after a broken
 * record is yielded.
 *
 * Two long-lived consumers do the reading (one group join each, whatever the length): one on
 * the ledger, one on the source topic, each partition of it started at its first sequenced
 * offset and read ahead of the caller into a bounded buffer (`bufferRecords` source records,
 * a few cuts), so memory stays bounded whatever the backlog while the fetching of the next
 * records overlaps the checking of these. An async generator: a slow consumer holds the reader
 * back once the buffers are full; `return()` (a `break` out of `for await`) closes both.
 */
import type { Admin, Kafka } from 'kafkajs';
import { type Break, breakToError } from '../chain/breaks.js';
import type { GenesisParams } from '../chain/genesis.js';
import { ChainVerifier, checkGenesisMessage, verifyGenesis } from '../chain/verify.js';
import { ConfigError, MalformedMessageError, SeqchainError } from '../errors.js';
import { createKafka } from '../kafka/client.js';
import { fromKafkaError } from '../kafka/errors.js';
import { decodeLedgerRecord, type LedgerWriter, writerOf } from '../kafka/ledger-reader.js';
import { kafkaNames } from '../kafka/names.js';
import { topicOffsets } from '../kafka/offsets.js';
import { PartitionFeed } from '../kafka/partition-feed.js';
import { createLogger, type Logger } from '../log.js';
import { checkKeptHead } from '../verify/kept-head.js';
import { WriterCheck } from '../verify/writer-check.js';
import type { LedgerMessage } from '../wire/ledger-v1.js';
import { openSealedRecord } from './open-sealed.js';
import { readerKafkaClient, type SequencedReaderOptions, settleOptions } from './options.js';
import { HASH_BYTES } from '../chain/link.js';
import { toSourceRecord } from '../kafka/source-record.js';
import { addToChunk, CHUNK_RECORDS, CHUNKS_IN_FLIGHT, type Chunk, newChunk, sealChunk } from './chunk.js';
import { HashPool } from './hash-pool.js';
import { deletedByRetention, digestMismatch, type LedgerRecord, notInSource, type SequencedRecord, sequencedRecord } from './window.js';

function isKafka(k: SequencedReaderOptions['kafka']): k is Kafka {
  return typeof (k as Kafka).consumer === 'function' && typeof (k as Kafka).admin === 'function';
}

/**
 * Reads the chain's records in global order (see docs/CONSUMING.md). Throws `ChainBrokenError`
 * (SEQCHAIN_ERR_CHAIN_BROKEN, details: kind, seq, partition, offset, expected, actual) at the
 * first record or cut that does not verify, `SealError` (SEQCHAIN_ERR_SEAL_*) at the first sealed
 * record that does not open with `keyring`, `SourceDeletedError` at a record retention deleted
 * (unless `skipDeleted`), and a `SeqchainError` SEQCHAIN_ERR_USAGE on bad options, before any I/O.
 */
export async function* readSequenced(options: SequencedReaderOptions): AsyncGenerator<SequencedRecord, void, undefined> {
  try {
    yield* read(options);
  } catch (err) {
    // kafkajs' own errors (a broker unreachable, a SASL login refused) as seqchain's typed ones.
    throw fromKafkaError(err);
  }
}

async function* read(options: SequencedReaderOptions): AsyncGenerator<SequencedRecord, void, undefined> {
  const o = settleOptions(options);
  if (o.skipDeleted && typeof options.onSkipped !== 'function') {
    throw new SeqchainError('SEQCHAIN_ERR_USAGE', 'readSequenced: skipDeleted needs onSkipped: a skipped range is always reported', {
      details: { option: 'onSkipped' },
    });
  }
  const logger = options.logger ?? createLogger({ level: 'warn', name: 'seqchain-reader' });
  const kafka = isKafka(options.kafka) ? options.kafka : createKafka(readerKafkaClient(options.kafka), logger, 'read');
  const ledgerTopic = kafkaNames.ledgerTopic(options.chain);
  const groupPrefix = kafkaNames.readerGroup(options.chain, 'read');
  const chainGenesis = { hash: o.genesisHash, ...(options.genesis ? { params: options.genesis } : {}) };
  // Decided once: with a keyring, sealed records are opened after the chain checked their stored bytes.
  const keyring = options.keyring;
  const handOut: (topic: string, r: SequencedRecord) => SequencedRecord = keyring ? (topic, r) => openSealedRecord(topic, r, keyring) : (_topic, r) => r;

  let genesis: GenesisParams | null = null;
  let verifier: ChainVerifier | null = null;
  const useGenesis = (g: GenesisParams): void => {
    genesis = g;
    verifier = new ChainVerifier(o.genesisHash, g.start);
  };
  if (options.genesis) {
    // The znode is read without its own hash check: a changed one is named here, before any I/O.
    const b = verifyGenesis(options.genesis, o.genesisHash);
    if (b) throw breakToError(b);
    useGenesis(options.genesis);
  }
  const resume = o.resume;
  let resumeChecked = resume === null;
  if (resume?.seq === 0n) {
    const b = checkKeptHead(resume, 0n, o.genesisHash);
    if (b) throw breakToError(b);
    resumeChecked = true;
  }

  const writers = new WriterCheck(null);
  let sawGenesis = false;
  let chainSeq = 0n;
  let nextYield = o.firstSeq;
  const lastWanted = typeof o.until === 'bigint' ? o.until : null;
  const reportedDeleted = new Map<number, bigint>();

  /** One ledger message: the genesis rules, then the cut's own; collects the cut's records wanted. */
  const onLedgerMessage = (
    ledgerOffset: bigint,
    msg: LedgerMessage | MalformedMessageError,
    writer: LedgerWriter | undefined,
    out: LedgerRecord[],
  ): Break | null => {
    // Past the last seq wanted (and the resume point checked): later cuts are not the caller's range.
    if (lastWanted !== null && resumeChecked && chainSeq >= lastWanted) return null;
    if (msg instanceof MalformedMessageError)
      return { kind: 'malformed', ledgerOffset, message: `ledger offset ${ledgerOffset}: message does not decode: ${msg.message}` };
    const g = checkGenesisMessage(chainGenesis, { sawGenesis, seq: chainSeq }, ledgerOffset, msg);
    if (g) return g;
    if (msg.kind === 'genesis') {
      sawGenesis = true;
      if (genesis === null) {
        // Pinned hash: the ledger's genesis has it; its fields must hash to it too.
        const b = verifyGenesis(msg, msg.hash);
        if (b) return { ...b, ledgerOffset };
        useGenesis(msg);
      }
      return null;
    }
    const hashes: Buffer[] = [];
    const b = writers.check({ ledgerOffset, ...msg }, writer) ?? verifier!.addCut({ ledgerOffset, ...msg }, hashes);
    if (b) return b;
    chainSeq = msg.lastSeq;
    if (!resumeChecked && resume && resume.seq <= msg.lastSeq) {
      const at = resume.seq === msg.firstSeq - 1n ? msg.prevHash : hashes[Number(resume.seq - msg.firstSeq)]!;
      const fork = checkKeptHead(resume, msg.lastSeq, at);
      if (fork) return fork;
      resumeChecked = true;
    }
    if (!resumeChecked) return null;
    // Only the cut's part in [nextYield, lastWanted]: no seq is made for the entries outside it.
    const entries = msg.entries;
    const from = nextYield > msg.firstSeq ? Number(nextYield - msg.firstSeq) : 0;
    const to = lastWanted !== null && lastWanted < msg.lastSeq ? Number(lastWanted - msg.firstSeq) + 1 : entries.length;
    for (let i = from; i < to; i++) {
      const e = entries[i]!;
      out.push({ seq: msg.firstSeq + BigInt(i), partition: e.partition, offset: e.offset, digest: e.digest, hash: hashes[i]! });
    }
    return null;
  };

  const admin = kafka.admin();
  await admin.connect();
  const pool = o.hashWorkers > 0 ? new HashPool(o.hashWorkers) : null;
  let ledgerFeed: PartitionFeed | null = null;
  let sourceFeed: PartitionFeed | null = null;
  try {
    const topics = new Set(await admin.listTopics());
    if (!topics.has(ledgerTopic)) {
      throw new SeqchainError('SEQCHAIN_ERR_CHAIN_NOT_FOUND', `chain ${options.chain}: its ledger topic ${ledgerTopic} does not exist`, {
        details: { chain: options.chain, ledgerTopic },
      });
    }
    if (options.sourceTopic !== undefined && !topics.has(options.sourceTopic)) {
      throw new ConfigError(`readSequenced: sourceTopic ${options.sourceTopic} does not exist`, { option: 'sourceTopic', topic: options.sourceTopic });
    }
    const [first] = await topicOffsets(admin, ledgerTopic);
    if (first === undefined)
      throw new SeqchainError('SEQCHAIN_ERR_CHAIN_NOT_FOUND', `ledger topic ${ledgerTopic} has no partition`, { details: { ledgerTopic } });
    if (first.low > 0n) {
      throw breakToError({
        kind: 'genesis',
        ledgerOffset: 0n,
        message: `ledger ${ledgerTopic} no longer starts at offset 0 (earliest is ${first.low}): its beginning was deleted`,
      });
    }
    const headEnd = o.until === 'head' ? first.high : null;
    const stopped = () => options.signal?.aborted === true;
    ledgerFeed = await PartitionFeed.open({
      kafka,
      topic: ledgerTopic,
      groupPrefix,
      bufferedPerPartition: LEDGER_MESSAGES_BUFFERED,
      maxBytes: LEDGER_FETCH_BYTES,
      logger,
    });
    const wakeLedger = () => ledgerFeed?.wake();
    options.signal?.addEventListener('abort', wakeLedger, { once: true });
    ledgerFeed.start(0, 0n);
    let ledgerPos = 0n;

    for (;;) {
      if (lastWanted !== null && nextYield > lastWanted) return;
      const m = await ledgerFeed.next(0, ledgerPos, headEnd, stopped, o.pollIntervalMs);
      if (m === null) {
        if (headEnd === null) return; // stopped by the caller's signal
        // At the head: a resume point beyond it, or equal to it, is checked against it now.
        if (!resumeChecked && resume && verifier !== null && resume.seq <= chainSeq) {
          const fork = checkKeptHead(resume, chainSeq, (verifier as ChainVerifier).head.hash);
          if (fork) throw breakToError(fork);
          resumeChecked = true;
        }
        if (!sawGenesis) throw breakToError({ kind: 'genesis', message: `ledger ${ledgerTopic} holds no genesis message` });
        if (!resumeChecked && resume) throw breakToError(checkKeptHead(resume, chainSeq, null)!);
        return;
      }
      const ledgerOffset = BigInt(m.offset);
      ledgerPos = ledgerOffset + 1n;
      const wanted: LedgerRecord[] = [];
      const broken = onLedgerMessage(ledgerOffset, decodeLedgerRecord(m), writerOf(m), wanted);

      if (wanted.length > 0) {
        const topic = (genesis as GenesisParams | null)!.topic;
        const sourceTopic = options.sourceTopic ?? topic;
        sourceFeed ??= await openSourceFeed(kafka, admin, sourceTopic, o.bufferRecords, groupPrefix, logger);
        const feed = sourceFeed;
        const offsets = () => topicOffsets(admin, sourceTopic);
        // Gathers the cut's records in chunks, each hashed (on a thread, or here) while the next is
        // gathered and the one before handed out: at most CHUNKS_IN_FLIGHT chunks held at a time.
        const gather = async (from: number): Promise<Chunk> => {
          const chunk = newChunk(wanted, from, pool !== null);
          for (let i = from; i < wanted.length && chunk.items.length < CHUNK_RECORDS; i++) {
            const entry = wanted[i]!;
            const { partition, offset } = entry;
            // A record that is slow to come is looked up: gone (retention, a shorter copy) ends the wait.
            const found = (await feed.record(partition, offset, offsets)) ?? undefined;
            if (found === undefined) {
              const low = (await offsets())[partition]?.low ?? 0n;
              if (offset < low) {
                if (!o.skipDeleted) {
                  chunk.end = deletedByRetention(sourceTopic, entry, low);
                  break;
                }
                chunk.items.push({ entry, skipped: { partition, from: offset, to: low, firstSeq: entry.seq } });
                continue;
              }
              chunk.end = breakToError(notInSource(entry));
              break;
            }
            addToChunk(chunk, { entry, source: toSourceRecord(topic, partition, found, offset) });
          }
          sealChunk(chunk, pool);
          return chunk;
        };
        const queue: Chunk[] = [];
        let gathered = 0;
        try {
          while (gathered < wanted.length || queue.length > 0) {
            while (gathered < wanted.length && queue.length < CHUNKS_IN_FLIGHT) {
              const c = await gather(gathered);
              queue.push(c);
              gathered = c.end === null ? c.next : wanted.length;
            }
            const c = queue.shift()!;
            const digests = c.digests instanceof Promise ? await c.digests : c.digests;
            let d = 0;
            for (const item of c.items) {
              if (item.skipped !== undefined) {
                const { partition } = item.skipped;
                if (reportedDeleted.get(partition) !== item.skipped.to) {
                  reportedDeleted.set(partition, item.skipped.to);
                  options.onSkipped!(item.skipped);
                }
                nextYield = item.entry.seq + 1n;
                continue;
              }
              const at = d++ * HASH_BYTES;
              // Compared in place: the recomputed digest is never a Buffer of its own.
              if (digests.compare(item.entry.digest, 0, HASH_BYTES, at, at + HASH_BYTES) !== 0)
                throw breakToError(digestMismatch(item.entry, digests.subarray(at, at + HASH_BYTES)));
              const out = handOut(topic, sequencedRecord(topic, item.entry, item.source!));
              nextYield = item.entry.seq + 1n;
              yield out;
            }
            if (c.end !== null) throw c.end;
          }
        } finally {
          // Chunks still hashing when the caller stops or a break ends the read: their results are not awaited.
          for (const c of queue) if (c.digests instanceof Promise) c.digests.catch(() => undefined);
        }
      }
      if (broken) throw breakToError(broken);
    }
  } finally {
    await Promise.all([ledgerFeed?.close(), sourceFeed?.close(), pool?.close()]);
    await admin.disconnect().catch((err) => logger.warn({ err }, 'reader admin disconnect failed'));
  }
}

/** Ledger messages (cuts) read ahead of the one being handed out. */
const LEDGER_MESSAGES_BUFFERED = 8;
/** One ledger fetch: a few cuts of a backlog (about 52 bytes per record); a larger cut still comes whole. */
const LEDGER_FETCH_BYTES = 2 ** 20;

/** What one source record is taken to weigh when sizing fetches to the buffer (the bench's are ~300 bytes). */
const SOURCE_RECORD_BYTES_GUESS = 512;
/** Fetch sizes of the source feed: never below what one partition's fetch needs to make progress, never above kafkajs' defaults. */
const SOURCE_FETCH_PARTITION_BYTES = { min: 64 * 2 ** 10, max: 2 ** 20 };
const SOURCE_FETCH_BYTES_MAX = 10 * 2 ** 20;

/**
 * The source feed, its buffer shared out over the topic's partitions, and its fetches sized to
 * that buffer: each fetched record is a decoded kafkajs object held until handed out, and at
 * kafkajs' defaults (1 MiB per partition, 10 MiB per fetch) one fetch decoded to several times
 * the buffer, which V8 then sized its heap for (docs/PERFORMANCE.md, the reader's RSS).
 */
async function openSourceFeed(kafka: Kafka, admin: Admin, topic: string, bufferRecords: number, groupPrefix: string, logger: Logger): Promise<PartitionFeed> {
  const partitions = Math.max(1, (await topicOffsets(admin, topic)).length);
  const bufferedPerPartition = Math.max(64, Math.ceil(bufferRecords / partitions));
  const { min, max } = SOURCE_FETCH_PARTITION_BYTES;
  const maxBytesPerPartition = Math.min(max, Math.max(min, (bufferedPerPartition * SOURCE_RECORD_BYTES_GUESS) / 2));
  const maxBytes = Math.min(SOURCE_FETCH_BYTES_MAX, Math.max(maxBytesPerPartition, (bufferRecords * SOURCE_RECORD_BYTES_GUESS) / 2));
  return PartitionFeed.open({ kafka, topic, groupPrefix, bufferedPerPartition, maxBytesPerPartition, maxBytes, logger });
}
