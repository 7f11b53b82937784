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
 * offset and read ahead of the caller into a bounded buffer (`bufferRecords` source records).
 * Given client options, the source consumer runs on a thread of its own (`source-thread.ts`),
 * which decodes and digests; this thread checks the ledger, links and hands out. The ledger side
 * runs ahead of the caller across cuts, asking for records in chunks (`hand-off.ts` bounds how
 * far), so memory stays bounded whatever the backlog. An async generator: a slow consumer holds
 * the reader back once the buffers are full; `return()` (a `break` out of `for await`) closes
 * both consumers and the thread.
 */
import type { Kafka } from 'kafkajs';
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
import { createLogger } from '../log.js';
import { checkKeptHead } from '../verify/kept-head.js';
import { WriterCheck } from '../verify/writer-check.js';
import type { LedgerMessage } from '../wire/ledger-v1.js';
import { openSealedRecord } from './open-sealed.js';
import { readerKafkaClient, type SequencedReaderOptions, settleOptions } from './options.js';
import { HASH_BYTES } from '../chain/link.js';
import { HandOff } from './hand-off.js';
import { type PackedChunk, PackedChunkReader } from './record-pack.js';
import { inProcessSource, SourceGatherer, type SourcePositions, type SourceRecords } from './source-gather.js';
import { threadSource } from './source-thread-client.js';
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
  const o = settleOptions(options);
  if (o.skipDeleted && typeof options.onSkipped !== 'function') {
    throw new SeqchainError('SEQCHAIN_ERR_USAGE', 'readSequenced: skipDeleted needs onSkipped: a skipped range is always reported', {
      details: { option: 'onSkipped' },
    });
  }
  const logger = options.logger ?? createLogger({ level: 'warn', name: 'seqchain-reader' });
  // Options (not a client) let the source side run on a thread of its own, with its own client.
  const clientOptions = isKafka(options.kafka) ? null : readerKafkaClient(options.kafka);
  const kafka = clientOptions === null ? (options.kafka as Kafka) : createKafka(clientOptions, logger, 'read');
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
  let nextQueued = o.firstSeq;
  const lastWanted = typeof o.until === 'bigint' ? o.until : null;

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
    // Only the cut's part in [nextQueued, lastWanted]: no seq is made for the entries outside it.
    const entries = msg.entries;
    const from = nextQueued > msg.firstSeq ? Number(nextQueued - msg.firstSeq) : 0;
    const to = lastWanted !== null && lastWanted < msg.lastSeq ? Number(lastWanted - msg.firstSeq) + 1 : entries.length;
    for (let i = from; i < to; i++) {
      const e = entries[i]!;
      out.push({ seq: msg.firstSeq + BigInt(i), partition: e.partition, offset: e.offset, digest: e.digest, hash: hashes[i]! });
    }
    return null;
  };

  const admin = kafka.admin();
  let ledgerFeed: PartitionFeed | null = null;
  let source: SourceRecords | null = null;
  const handOff = new HandOff<Chunk>(CHUNKS_IN_FLIGHT);
  let closing = false;
  let producing: Promise<void> = Promise.resolve();
  try {
    await admin.connect();
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
    const stopped = () => closing || options.signal?.aborted === true;
    const feed = await PartitionFeed.open({
      kafka,
      topic: ledgerTopic,
      groupPrefix,
      bufferedPerPartition: LEDGER_MESSAGES_BUFFERED,
      maxBytes: LEDGER_FETCH_BYTES,
      logger,
    });
    ledgerFeed = feed;
    options.signal?.addEventListener('abort', () => feed.wake(), { once: true });
    feed.start(0, 0n);

    const openSource = async (chainTopic: string): Promise<SourceRecords> => {
      const sourceTopic = options.sourceTopic ?? chainTopic;
      const settings = { sourceTopic, chainTopic, bufferRecords: o.bufferRecords, skipDeleted: o.skipDeleted, groupPrefix };
      if (clientOptions !== null && o.sourceThread) return threadSource({ ...settings, kafka: clientOptions }, logger);
      return inProcessSource(await SourceGatherer.open({ ...settings, kafka, logger }));
    };

    /**
     * The ledger side: reads and checks every cut, and puts the records wanted in chunks, each
     * one's source records asked for at once, so the source side (a thread, by default) works
     * ahead of the caller, across cuts, while the caller's side hands out.
     */
    const produce = async (): Promise<void> => {
      let ledgerPos = 0n;
      for (;;) {
        if (lastWanted !== null && nextQueued > lastWanted) return;
        const m = await feed.next(0, ledgerPos, headEnd, stopped, o.pollIntervalMs);
        if (m === null) {
          if (headEnd === null || closing) return; // stopped by the caller
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
          source ??= await openSource((genesis as GenesisParams | null)!.topic);
          for (let from = 0; from < wanted.length; from += CHUNK_RECORDS) {
            const entries = wanted.slice(from, from + CHUNK_RECORDS);
            const records = source.gather(positionsOf(entries));
            // Awaited when the chunk is handed out; until then a failure must not count as unhandled.
            records.catch(() => undefined);
            if (!(await handOff.put({ entries, records }))) return;
          }
          nextQueued = wanted.at(-1)!.seq + 1n;
        }
        if (broken) throw breakToError(broken);
      }
    };
    producing = produce().then(
      () => handOff.finish(),
      (err: unknown) => handOff.finish(err),
    );

    const reportedDeleted = new Map<number, bigint>();
    for (let chunk = await handOff.take(); chunk !== null; chunk = await handOff.take()) {
      const topic = (genesis as GenesisParams | null)!.topic;
      const packed = new PackedChunkReader(await chunk.records);
      const digests = packed.buffer;
      for (const entry of chunk.entries) {
        if (packed.remaining === 0) throw new SeqchainError('SEQCHAIN_ERR_UNEXPECTED', `reader: no source answer for seq ${entry.seq}`);
        const item = packed.next();
        if ('absentLow' in item) {
          const low = item.absentLow;
          if (low === null || entry.offset >= low) throw breakToError(notInSource(entry));
          if (!o.skipDeleted) throw deletedByRetention(options.sourceTopic ?? topic, entry, low);
          if (reportedDeleted.get(entry.partition) !== low) {
            reportedDeleted.set(entry.partition, low);
            options.onSkipped!({ partition: entry.partition, from: entry.offset, to: low, firstSeq: entry.seq });
          }
          continue;
        }
        const at = packed.digestAt;
        // Compared in place: the recomputed digest is never a Buffer of its own.
        if (digests.compare(entry.digest, 0, HASH_BYTES, at, at + HASH_BYTES) !== 0)
          throw breakToError(digestMismatch(entry, digests.subarray(at, at + HASH_BYTES)));
        yield handOut(topic, sequencedRecord(topic, entry, item));
      }
    }
  } catch (err) {
    // kafkajs' own errors (a broker unreachable, a SASL login refused) as seqchain's typed ones.
    throw fromKafkaError(err);
  } finally {
    closing = true;
    // Chunks still on their way when the caller stops or a break ends the read: not awaited.
    for (const c of handOff.close()) c.records.catch(() => undefined);
    // Closing the ledger feed ends a wait of the ledger side at once (it stops at `closing`).
    await Promise.all([ledgerFeed?.close(), producing]);
    await (source as SourceRecords | null)?.close();
    await admin.disconnect().catch((err) => logger.warn({ err }, 'reader admin disconnect failed'));
  }
}

/** A chunk of a cut's wanted records, and their source records on the way. */
interface Chunk {
  entries: LedgerRecord[];
  records: Promise<PackedChunk>;
}

/** Records per chunk: large enough that a thread's round trip costs little per record. */
const CHUNK_RECORDS = 1024;
/** Chunks asked for ahead of the caller: what bounds the records held besides the source feed's buffer. */
const CHUNKS_IN_FLIGHT = 4;

function positionsOf(entries: readonly LedgerRecord[]): SourcePositions {
  const partitions = new Int32Array(entries.length);
  const offsets = new BigInt64Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    partitions[i] = entries[i]!.partition;
    offsets[i] = entries[i]!.offset;
  }
  return { partitions, offsets };
}

/** Ledger messages (cuts) read ahead of the one being handed out. */
const LEDGER_MESSAGES_BUFFERED = 8;
/** One ledger fetch: a few cuts of a backlog (about 52 bytes per record); a larger cut still comes whole. */
const LEDGER_FETCH_BYTES = 2 ** 20;
