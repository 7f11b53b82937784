import type { Kafka } from 'kafkajs';
import { HASH_BYTES } from '../chain/link.js';
import { ChainVerifier, checkGenesisMessage, genesisFieldsDiffering, SourceMatcher, verifyGenesis, type Break, type MatchEntry } from '../chain/verify.js';
import { MalformedMessageError } from '../errors.js';
import { readLedger } from '../kafka/ledger-reader.js';
import { kafkaNames } from '../kafka/names.js';
import { topicOffsets, withAdmin } from '../kafka/offsets.js';
import { readRanges, type ReadRange } from '../kafka/range-reader.js';
import { toSourceRecord } from '../kafka/source-record.js';
import type { Logger } from '../log.js';
import { BatchPacker } from '../reader/digest-batch.js';
import { HashPool } from '../reader/hash-pool.js';
import type { NoteVerifier } from '../tlog/note-key.js';
import type { GenesisMessage } from '../wire/ledger-v1.js';
import { checkKeptHead, formatHead, hashInCut, type KeptHead } from './kept-head.js';
import { WriterCheck } from './writer-check.js';

/** Hashing threads of verify: one, beside the main thread that decodes (two cores is the common case). */
const VERIFY_HASH_THREADS = 1;

export type ChainGenesis = Omit<GenesisMessage, 'kind'>;

export interface VerifyReport {
  ok: boolean;
  chain: string;
  genesisHash: string;
  /** The topic the source records were read from: the chain's, or a copy (`--source-topic`). */
  sourceTopic: string;
  cuts: number;
  /** Ledger entries (sequenced records). */
  records: number;
  firstSeq: number | null;
  lastSeq: number;
  headHash: string;
  epochs: string[];
  /** Source records recomputed and matched against the ledger. */
  sourceRecordsMatched: number;
  /** Seq numbers that do not follow their predecessor (counted independently of the verifier). */
  gaps: number;
  /** Entries whose (partition, offset) was already sequenced. */
  duplicates: number;
  /**
   * Ranges the source topic no longer holds (retention): reported, never called tampering.
   * `records`: ledger entries there, whose links were checked but not their source bytes. The
   * records of the partition still present are checked as usual.
   */
  unverifiable: { partition: number; from: string; to: string; reason: string; records: number }[];
  /** Source partitions the ledger covers: the genesis's P, plus those added by expansion cuts. */
  partitions: number;
  /**
   * Source records the ledger does not cover (yet): beyond a partition's coverage, or in a
   * partition the ledger does not cover at all (added to the source topic, no expansion cut yet).
   * Sequencing lag on a running chain; not a break.
   */
  unsequenced: { partition: number; from: string; to: string; covered: boolean }[];
  firstBreak: (Omit<Break, 'seq' | 'offset' | 'ledgerOffset'> & { seq?: string; offset?: string; ledgerOffset?: string }) | null;
  /** The head kept from an earlier verification that was checked (`<seq>:<hash>`), if any. */
  keptHead?: string;
  /**
   * The log view (docs/LOG.md): cuts that carried a checkpoint (each checked against the tree
   * recomputed from the ledger), and whether their signatures were checked, under which key.
   */
  logView?: LogViewReport;
  durationMs: number;
}

/** Only in a report of a ledger with checkpoints, or when a key was given (a chain without the log view reports as before). */
export interface LogViewReport {
  checkpoints: number;
  signaturesChecked: boolean;
  verifierKey: string | null;
  /** The tree recomputed from the ledger: its size (the last seq) and root (hex). */
  treeSize: number;
  root: string;
}

export interface VerifyOptions {
  kafka: Kafka;
  chain: string;
  genesis: ChainGenesis;
  logger: Logger;
  onProgress?: (phase: 'ledger' | 'source', done: number) => void;
  /** Read the source records from this topic (a copy of the source: mirror, backup, restore) instead of `genesis.topic`. Digests still use `genesis.topic`. */
  sourceTopic?: string;
  /** A head seen earlier: the chain must still reach its seq with its hash (else 'truncated' or 'fork'). */
  keptHead?: KeptHead;
  /** The epoch znode, read once the ledger end is known: a cut with an epoch above it was written by no leader. */
  issuedEpoch?: () => Promise<bigint>;
  /** Verifier keys every checkpoint must be signed by; without, checkpoints are checked against the tree but not their signatures. */
  logKeys?: readonly NoteVerifier[] | null;
}

/**
 * Full verification: recomputes h_0 from the genesis, every link of the ledger from its
 * digests, and every digest from the source topic; names the first break.
 */
export async function verifyChain(opts: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const { kafka, chain, genesis, logger } = opts;
  const genesisP = genesis.start.length;
  const sourceTopic = opts.sourceTopic ?? genesis.topic;
  const report: VerifyReport = {
    ok: false,
    chain,
    genesisHash: genesis.hash.toString('hex'),
    sourceTopic,
    cuts: 0,
    records: 0,
    firstSeq: null,
    lastSeq: 0,
    headHash: genesis.hash.toString('hex'),
    epochs: [],
    sourceRecordsMatched: 0,
    gaps: 0,
    duplicates: 0,
    unverifiable: [],
    partitions: genesisP,
    unsequenced: [],
    firstBreak: null,
    durationMs: 0,
  };
  // The genesis znode is read without its own hash check, so that a changed znode is named here.
  const znodeBreak = verifyGenesis(genesis, genesis.hash);
  let broken: Break | null = znodeBreak;
  const logKeys = opts.logKeys && opts.logKeys.length > 0 ? opts.logKeys : null;
  // verify is the full audit: it always recomputes the log view's tree (a ledger may hold checkpoints from any cut on).
  const verifier = new ChainVerifier(genesis.hash, genesis.start, { keys: logKeys });
  const tree = verifier.logView!;
  const matcher = new SourceMatcher(genesis.start);
  // Per partition, growing when a cut's coverage adds partitions (see ChainVerifier.starts).
  const coverageEnd = [...genesis.start];
  const lastOffset = new Array<bigint>(genesisP).fill(-1n);
  let expectedSeq = 1n;

  const ledgerTopic = kafkaNames.ledgerTopic(chain);
  const [ledgerOffsets, sourceOffsets] = await withAdmin(kafka, (admin) => Promise.all([topicOffsets(admin, ledgerTopic), topicOffsets(admin, sourceTopic)]));
  const ledgerEnd = ledgerOffsets[0]?.high ?? 0n;
  // Read after the ledger end: every cut below it was written under an epoch issued by then.
  const writers = new WriterCheck(opts.issuedEpoch ? await opts.issuedEpoch() : null);
  const kept = opts.keptHead;
  let hashAtKept: Buffer | null = kept?.seq === 0n ? genesis.hash : null;
  if ((ledgerOffsets[0]?.low ?? 0n) > 0n) {
    broken ??= {
      kind: 'genesis',
      ledgerOffset: 0n,
      message: `ledger ${ledgerTopic} no longer starts at offset 0 (earliest is ${ledgerOffsets[0]?.low}): its beginning was deleted`,
    };
  }

  let sawGenesis = false;
  const chainGenesis = { hash: genesis.hash, params: genesis };
  await readLedger({
    kafka,
    ledgerTopic,
    from: 0n,
    to: ledgerEnd,
    groupPrefix: kafkaNames.readerGroup(chain, 'verify'),
    logger,
    onMessage: (ledgerOffset, msg, writer) => {
      if (broken) {
        if (msg instanceof MalformedMessageError) return;
        // The ledger verifier still looks at later cuts: a gap may turn out to be a reordering.
        if (msg.kind === 'cut' && broken === verifier.firstBreak) broken = verifier.addCut({ ledgerOffset, ...msg });
        // A changed genesis znode: say which fields differ from the ledger's genesis.
        if (msg.kind === 'genesis' && znodeBreak !== null && broken === znodeBreak && !sawGenesis) {
          const fields = genesisFieldsDiffering(genesis, msg);
          if (fields.length > 0)
            broken = {
              ...znodeBreak,
              message: `${znodeBreak.message}; the genesis znode differs from the ledger's genesis (offset ${ledgerOffset}) in ${fields.join(', ')}`,
            };
        }
        if (msg.kind === 'genesis') sawGenesis = true;
        return;
      }
      if (msg instanceof MalformedMessageError) {
        broken = { kind: 'malformed', ledgerOffset, message: `ledger offset ${ledgerOffset}: message does not decode: ${msg.message}` };
        return;
      }
      broken = checkGenesisMessage(chainGenesis, { sawGenesis, seq: expectedSeq - 1n }, ledgerOffset, msg);
      if (msg.kind === 'genesis') sawGenesis = true;
      if (broken || msg.kind === 'genesis') return;
      report.cuts++;
      if (msg.firstSeq !== expectedSeq) report.gaps++;
      expectedSeq = msg.lastSeq + 1n;
      const epoch = msg.epoch.toString();
      if (report.epochs[report.epochs.length - 1] !== epoch) report.epochs.push(epoch);
      broken = writers.check({ ledgerOffset, ...msg }, writer) ?? verifier.addCut({ ledgerOffset, ...msg });
      if (broken) return;
      if (kept && kept.seq >= msg.firstSeq && kept.seq <= msg.lastSeq) hashAtKept = hashInCut(msg, kept.seq);
      const starts = verifier.starts;
      for (let p = matcher.partitionCount; p < starts.length; p++) {
        matcher.addPartition(starts[p]!);
        coverageEnd.push(starts[p]!);
        lastOffset.push(-1n);
      }
      const P = starts.length;
      const perPartition: MatchEntry[][] = Array.from({ length: P }, () => []);
      msg.entries.forEach((e, i) => {
        if (e.offset <= lastOffset[e.partition]!) report.duplicates++;
        lastOffset[e.partition] = e.offset;
        perPartition[e.partition]!.push({ seq: msg.firstSeq + BigInt(i), offset: e.offset, digest: e.digest });
      });
      for (let p = 0; p < P; p++) {
        const covered = msg.coverage[p]?.sourceNext ?? coverageEnd[p]!;
        broken = matcher.expect(p, perPartition[p]!, covered);
        if (broken) return;
        coverageEnd[p] = covered;
      }
      report.records += msg.entries.length;
      report.firstSeq ??= Number(msg.firstSeq);
      report.lastSeq = Number(msg.lastSeq);
      report.headHash = msg.headHash.toString('hex');
      opts.onProgress?.('ledger', report.records);
    },
  });
  if (!broken && !sawGenesis) broken = { kind: 'genesis', message: `ledger ${ledgerTopic} holds no genesis message` };
  // After the ledger's own checks, before the source: a chain cut short or rewritten since the
  // kept head was seen is named even where the source would not notice (a shorter chain holds).
  if (kept) {
    report.keptHead = formatHead(kept);
    if (!broken) broken = checkKeptHead(kept, BigInt(report.lastSeq), hashAtKept);
  }

  const starts = verifier.starts;
  report.partitions = starts.length;
  if (!broken) {
    const ranges = new Map<number, ReadRange>();
    for (let p = 0; p < starts.length; p++) {
      const start = starts[p]!;
      const low = sourceOffsets[p]?.low ?? 0n;
      let from = p >= genesisP ? low : start;
      if (low > start) {
        // Retention deleted part of what was sequenced: those records' bytes cannot be checked
        // (their links were). The records still there are checked as usual, from `low` on.
        const records = matcher.skipDeleted(p, low);
        report.unverifiable.push({ partition: p, from: start.toString(), to: low.toString(), reason: 'deleted by retention', records });
        from = low;
      }
      // The ledger may claim more than the source holds (a forged cut): read what exists, and
      // let finish() name every ledger entry beyond it. A partition added after the genesis is
      // read from its earliest offset: a record below its recorded start was never sequenced.
      const high = sourceOffsets[p]?.high ?? 0n;
      ranges.set(p, { from, to: coverageEnd[p]! < high ? coverageEnd[p]! : high });
    }
    let seen = 0;
    // The source digests are the larger half of verify's hashing: a thread of the reader's pool
    // computes each fetched batch's while this one decodes the next (docs/PERFORMANCE.md, "verify").
    const pool = new HashPool(VERIFY_HASH_THREADS);
    try {
      await readRanges({
        kafka,
        topic: sourceTopic,
        ranges,
        groupPrefix: kafkaNames.readerGroup(chain, 'verify'),
        logger,
        onMessages: async (p, messages) => {
          if (broken) return;
          const packer = new BatchPacker(messages.length);
          for (const m of messages) packer.add(toSourceRecord(genesis.topic, p, m));
          const digests = await pool.digests(packer.finish());
          for (let i = 0; i < messages.length; i++) {
            if (broken) return;
            broken = matcher.observe(p, BigInt(messages[i]!.offset), digests.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
          }
          seen += messages.length;
          opts.onProgress?.('source', seen);
        },
      });
    } finally {
      await pool.close();
    }
    // Every partition, also one whose sequenced range retention deleted entirely (no read range).
    for (let p = 0; p < starts.length; p++) broken ??= matcher.finish(p, coverageEnd[p]!);
    report.sourceRecordsMatched = Number(matcher.matched);
  }
  for (let p = 0; p < sourceOffsets.length; p++) {
    const covered = p < starts.length;
    const low = sourceOffsets[p]?.low ?? 0n;
    const high = sourceOffsets[p]?.high ?? 0n;
    const from = covered && coverageEnd[p]! > low ? coverageEnd[p]! : low;
    if (high > from) report.unsequenced.push({ partition: p, from: from.toString(), to: high.toString(), covered });
  }

  if (tree.checkpoints > 0 || logKeys !== null || broken?.kind.startsWith('checkpoint') === true) {
    report.logView = {
      checkpoints: tree.checkpoints,
      signaturesChecked: tree.signaturesChecked,
      verifierKey: logKeys ? logKeys.map((k) => k.verifierKey).join(' ') : null,
      treeSize: tree.size,
      root: tree.root().toString('hex'),
    };
  }
  report.firstBreak = broken ? serialiseBreak(broken) : null;
  report.ok = broken === null;
  report.durationMs = Date.now() - started;
  return report;
}

function serialiseBreak(b: Break): NonNullable<VerifyReport['firstBreak']> {
  const { seq, offset, ledgerOffset, ...rest } = b;
  return {
    ...rest,
    ...(seq !== undefined ? { seq: seq.toString() } : {}),
    ...(offset !== undefined ? { offset: offset.toString() } : {}),
    ...(ledgerOffset !== undefined ? { ledgerOffset: ledgerOffset.toString() } : {}),
  };
}
