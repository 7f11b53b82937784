import { EventEmitter } from 'node:events';
import { sleep } from '../retry/sleep.js';
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { linkEntries } from '../chain/link.js';
import { SeqchainError, isSeqchainError } from '../errors.js';
import { groupConsumerConfig } from '../kafka/client.js';
import type { SequencerSettings } from '../config/settings.js';
import { consumerCrashError } from '../kafka/consumer-crash.js';
import { kafkaNames } from '../kafka/names.js';
import { partitionCount, topicOffsets, withAdmin } from '../kafka/offsets.js';
import { ensureDigestPartitions } from '../kafka/partitions.js';
import { seekAll } from '../kafka/range-reader.js';
import type { Logger } from '../log.js';
import { encodeCutMessage } from '../wire/ledger-v1.js';
import { encodeCutMessageV2 } from '../wire/ledger-v2.js';
import type { CheckpointLog } from './checkpoint-log.js';
import type { SequencerCoordination } from './coordination-port.js';
import { takeCut, type CutContent } from './cut-merge.js';
import { expandCoverage, newPartitionStarts, PartitionDemand } from './expansion.js';
import { readLedgerHead, type ChainHead, type GenesisAnchor } from '../kafka/ledger-tail.js';
import { PendingDigests } from './pending-digests.js';
import { decodeDigestMessage, rejectedDigest } from '../wire/rejected-message.js';

export interface SequencerOptions {
  chain: string;
  settings: Readonly<SequencerSettings>;
  /** `kafka.metadataMaxAgeMs`: how soon the digest consumer sees digest partitions added during a term, ms. */
  metadataMaxAgeMs: number;
  kafka: Kafka;
  logger: Logger;
  coordination: SequencerCoordination;
  genesis: GenesisAnchor;
  /** The source topic: the leader watches its partition count. */
  sourceTopic: string;
  /** With the log view on (`logView.enabled`): signs a checkpoint with each cut (SCM2). Null: SCM1 cuts, as before. */
  checkpoints?: CheckpointLog | null;
}

export interface CutInfo {
  epoch: bigint;
  cutId: bigint;
  firstSeq: bigint;
  lastSeq: bigint;
  records: number;
  ledgerOffset: bigint;
  /** From taking the cut to the counter update, ms. */
  latencyMs: number;
}

export interface SequencerEvents {
  'sequencer:leading': [info: { epoch: bigint; head: ChainHead }];
  'sequencer:cut': [info: CutInfo];
  /** `failed`: the term ended on an error, not because it was asked to stop. */
  'sequencer:stopped': [info: { epoch: bigint; reason: string; failed: boolean; code?: string }];
  /** Sequencing cannot go on without writing a wrong chain: the replica must stop sequencing. */
  'sequencer:halted': [err: SeqchainError];
  'sequencer:gap': [info: { partition: number; from: bigint; to: bigint }];
  /** An expansion cut started covering source partitions added while running. */
  'sequencer:expanded': [info: { epoch: bigint; cutId: bigint; partitions: number; starts: bigint[] }];
}

/** A cut ready to commit: its message encoded, its checkpoint (if any) signed. */
interface PreparedCut {
  cutId: bigint;
  firstSeq: bigint;
  lastSeq: bigint;
  hash: Buffer;
  value: Buffer;
  coverage: CutContent['coverage'];
  records: number;
  startedAt: number;
}

/** What one leadership term owns; closed in runTerm's finally. */
interface Term {
  log: Logger;
  producer: Producer | null;
  consumer: Consumer | null;
  epoch: bigint;
  counterVersion: number;
  pending: PendingDigests | null;
  /** Source partitions with a digest batch ahead of coverage, since when (ms). */
  gaps: Map<number, number>;
  intakeError: SeqchainError | null;
  /** Source partitions the leader was asked to cover (periodic check, or a digest batch beyond coverage). */
  demand: PartitionDemand;
  /** Stops the source partition watch. */
  watch: AbortController;
  watching: Promise<void> | null;
  /** The last cut prepared (its link and log view computed), committed or not: the next one follows it. */
  tip: { seq: bigint; hash: Buffer; cutId: bigint } | null;
}

/**
 * The sequencer role: only the replica holding ZooKeeper leadership runs a term. A term bumps
 * the epoch, fences the previous leader at the broker (shared transactional.id), rebuilds its
 * state from the ledger tail, reads the digest topic from the offsets the ledger recorded, and
 * appends one transactional ledger message per cut, then CASes the counter znode.
 *
 * Two lifecycles, because a replica leads many terms over its life: the component's own,
 * start() once and close() once (as every long-lived component), and the terms inside it,
 * lead() / stopWrites() / stop() as often as the election and the pause say. Terms run only
 * between start() and close(); close() ends the current term and refuses new ones.
 */
export class Sequencer extends EventEmitter<SequencerEvents> {
  private started = false;
  private closing: Promise<void> | null = null;
  private term: Promise<void> | null = null;
  /** Resolves once the current term can write no more (before its clients disconnect). */
  private writesDone: Promise<void> = Promise.resolve();
  private epoch = 0n;
  private stopRequested = false;
  /** The election's latest word: should this replica be running a term? */
  private wantLead = false;
  private head: ChainHead | null = null;

  constructor(private readonly options: SequencerOptions) {
    super();
  }

  /** Makes the sequencer ready to lead; it starts no term by itself (lead() does). */
  start(): void {
    if (this.started) throw new SeqchainError('SEQCHAIN_ERR_ALREADY_STARTED', 'sequencer already started');
    if (this.closing) throw new SeqchainError('SEQCHAIN_ERR_ALREADY_STARTED', 'sequencer is closed: create a new one');
    this.started = true;
  }

  /** Ends the current term (as stop()) and refuses new ones. The same promise on every call. */
  close(): Promise<void> {
    this.closing ??= this.stop('sequencer closing');
    return this.closing;
  }

  /**
   * Asks for a leadership term (the election says this replica leads). When a previous term is
   * still winding down (a ZooKeeper disconnect and reconnect in quick succession), the new term
   * starts as soon as it has ended, with a new epoch.
   */
  lead(): void {
    if (!this.started || this.closing) return;
    this.wantLead = true;
    if (this.term) return;
    this.stopRequested = false;
    this.term = this.runTerm().finally(() => {
      this.term = null;
      if (this.wantLead) this.lead();
    });
  }

  /**
   * Stops the term at once: no new transaction starts after this call. An in-flight commit may
   * still land (it is fenced at the broker if a new leader already called initTransactions).
   */
  async stop(reason: string): Promise<void> {
    await this.stopWrites(reason);
    await this.term?.catch(() => undefined);
  }

  /**
   * Like stop(), but resolves as soon as the term's last ledger transaction has committed or
   * aborted, before its Kafka clients disconnect: a hand-off need not wait for those.
   */
  async stopWrites(reason: string): Promise<void> {
    this.wantLead = false;
    if (!this.term) return;
    if (!this.stopRequested) this.options.logger.info({ epoch: this.epoch.toString(), reason }, 'sequencer stepping down');
    this.stopRequested = true;
    await this.writesDone;
  }

  /**
   * The chain head this replica's running term last wrote (or rebuilt from the ledger), with its
   * coverage; null when it does not lead. Status and the lag gauges read it instead of the ledger.
   */
  get leadingHead(): ChainHead | null {
    return this.term ? this.head : null;
  }

  private async runTerm(): Promise<void> {
    const log = this.options.logger.child({ role: 'sequencer' });
    const term: Term = {
      log,
      producer: null,
      consumer: null,
      epoch: 0n,
      counterVersion: -1,
      pending: null,
      gaps: new Map(),
      intakeError: null,
      demand: new PartitionDemand(),
      watch: new AbortController(),
      watching: null,
      tip: null,
    };
    let reason = 'stopped';
    let failed = false;
    let code: string | undefined;
    let writesEnded!: () => void;
    this.writesDone = new Promise((resolve) => (writesEnded = resolve));
    try {
      if (await this.beginTerm(term)) await this.cutLoop(term);
    } catch (err) {
      const error = isSeqchainError(err)
        ? err
        : new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', `sequencer term failed: ${(err as Error).message}`, { retriable: true, cause: err });
      reason = error.message;
      failed = true;
      code = error.code;
      // A failed term does not restart by itself: the replica hands leadership on (see src/replica/replica.ts).
      this.wantLead = false;
      if (error.retriable || error.code === 'SEQCHAIN_ERR_LEADERSHIP_LOST') {
        log.warn({ err: error, epoch: this.epoch.toString() }, 'sequencer term ended');
      } else {
        log.error(
          { err: error, code: error.code, details: error.details, epoch: this.epoch.toString() },
          'sequencing halted: it cannot go on without writing a wrong chain',
        );
        this.emit('sequencer:halted', error);
      }
    } finally {
      writesEnded();
      this.head = null;
      term.watch.abort();
      await term.watching;
      await term.consumer?.disconnect().catch((err) => log.warn({ err }, 'digest consumer disconnect failed'));
      await term.producer?.disconnect().catch((err) => log.warn({ err }, 'ledger producer disconnect failed'));
      this.emit('sequencer:stopped', { epoch: this.epoch, reason, failed, ...(code ? { code } : {}) });
    }
  }

  /**
   * docs/DESIGN.md "A new leader": bump the epoch, fence, rebuild from the ledger tail, reconcile the
   * counter, publish leadership, start reading digests. False when asked to stop meanwhile.
   */
  private async beginTerm(term: Term): Promise<boolean> {
    const { chain, kafka, coordination, genesis } = this.options;
    const termStarted = Date.now();
    const steps: Record<string, number> = {};
    const step = (name: string) => (steps[name] = Date.now() - termStarted);
    term.epoch = await coordination.bumpEpoch();
    this.epoch = term.epoch;
    step('epochMs');
    if (this.stopRequested) return false;
    // Fence: initTransactions with the shared transactional.id aborts a stale leader's open
    // transaction and makes every later write of it fail at the broker.
    term.producer = kafka.producer({
      transactionalId: kafkaNames.transactionalId(chain),
      maxInFlightRequests: 1,
      idempotent: true,
      transactionTimeout: 30_000,
      allowAutoTopicCreation: false,
      // The broker refuses the next transaction until the previous commit has completed
      // (CONCURRENT_TRANSACTIONS); kafkajs' default first retry waits 100+ ms, which stalls every
      // cut behind it. Short first retries, still finite so that a fenced term ends.
      retry: { initialRetryTime: 5, maxRetryTime: 3_000, retries: 12 },
    });
    await term.producer.connect();
    await (await term.producer.transaction()).abort();
    step('fencedMs');
    if (this.stopRequested) return false;

    const counter = await coordination.readCounter();
    const head = await readLedgerHead({
      kafka,
      ledgerTopic: kafkaNames.ledgerTopic(chain),
      groupPrefix: kafkaNames.readerGroup(chain, 'recover'),
      genesis,
      fromOffset: counter?.value.ledgerOffset ?? 0n,
      logger: term.log,
      shouldStop: () => this.stopRequested,
    });
    if (counter && counter.value.nextSeq > head.seq + 1n) {
      throw new SeqchainError(
        'SEQCHAIN_ERR_COUNTER_MISMATCH',
        `counter says next seq ${counter.value.nextSeq} but the ledger ends at seq ${head.seq}: refusing to sequence`,
        {
          details: { counterNextSeq: counter.value.nextSeq.toString(), ledgerLastSeq: head.seq.toString() },
        },
      );
    }
    if (counter && counter.value.nextSeq === head.seq + 1n && !counter.value.headHash.equals(head.hash)) {
      throw new SeqchainError('SEQCHAIN_ERR_COUNTER_MISMATCH', `counter head hash differs from the ledger's at seq ${head.seq}: refusing to sequence`);
    }
    step('recoveredMs');
    const checkpoints = this.options.checkpoints ?? null;
    if (checkpoints) {
      // Nothing is signed before the tree is rebuilt from the ledger (docs/LOG.md).
      const rebuilt = await checkpoints.recover({
        head,
        kafka,
        ledgerTopic: kafkaNames.ledgerTopic(chain),
        groupPrefix: kafkaNames.readerGroup(chain, 'recover'),
        logger: term.log,
      });
      term.log.info({ seq: head.seq.toString(), from: rebuilt.from, ms: rebuilt.ms }, 'log view: tree border rebuilt');
      step('treeMs');
      if (this.stopRequested) return false;
    }
    term.counterVersion = await this.reconcileCounter(term.epoch, head, counter?.version ?? null);
    if (this.stopRequested) return false;
    await coordination.publishLeader(term.epoch);
    this.head = head;
    term.tip = head;

    term.pending = new PendingDigests(head.coverage);
    term.consumer = await this.startIntake(term, head);
    step('intakeMs');
    term.watching = this.watchPartitions(term);
    term.log.info(
      { epoch: term.epoch.toString(), seq: head.seq.toString(), cutId: head.cutId.toString(), ...steps },
      'leading: sequencing resumes from the ledger tail',
    );
    this.emit('sequencer:leading', { epoch: term.epoch, head });
    return true;
  }

  /**
   * Closes a cut every cutIntervalMs (or at maxCutRecords) until asked to stop. Full cuts are
   * pipelined by one: while cut n's transaction and counter CAS are in flight, a full cut n+1 is
   * taken, linked, its checkpoint signed and its message encoded (the CPU part of a cut), so the
   * leader's hashing overlaps its waits on Kafka and ZooKeeper during a backlog. Transactions stay
   * one at a time and in order: n+1's begins only once n's CAS is done. A failed commit ends the
   * term; what was prepared after it is dropped with the term (the next rebuilds from the ledger,
   * and nothing prepared was published).
   */
  private async cutLoop(term: Term): Promise<void> {
    const { cutIntervalMs, maxCutRecords, partitionCheckIntervalMs } = this.options.settings;
    const pending = term.pending!;
    let lastCutAt = Date.now();
    let expandRetryAt = 0;
    let inFlight: Promise<void> | null = null;
    const landed = async (): Promise<void> => {
      const commit = inFlight;
      inFlight = null;
      if (commit) await commit;
    };
    let ended = false;
    try {
      while (!this.stopRequested) {
        if (term.intakeError) throw term.intakeError;
        this.checkGaps(term.gaps);
        const wanted = term.demand.beyond(pending.partitions);
        if (wanted > 0 && Date.now() >= expandRetryAt) {
          await landed();
          // On failure, cuts go on and the expansion is tried again a little later.
          if (!(await this.expand(term, wanted))) expandRetryAt = Date.now() + Math.min(200, partitionCheckIntervalMs);
          continue;
        }
        const full = pending.pendingRecords >= maxCutRecords;
        if (inFlight && !full) {
          // Only a full cut is taken ahead (a backlog): a smaller one taken now would leave the
          // records arriving during this commit to the cut after it, a commit later than before.
          await landed();
          continue;
        }
        const sinceCut = Date.now() - lastCutAt;
        const due = sinceCut >= cutIntervalMs || full;
        if (!due || pending.pendingRecords === 0) {
          // Sleep to the next cut boundary: an idle leader wakes cutIntervalMs apart, not in a spin.
          await sleep(due ? cutIntervalMs : cutIntervalMs - sinceCut);
          continue;
        }
        lastCutAt = Date.now();
        const content = takeCut(pending, maxCutRecords);
        if (!content) continue;
        const prepared = this.prepareCut(term, content, lastCutAt);
        await landed();
        if (this.stopRequested) break;
        inFlight = this.commitCut(term, prepared);
        // Awaited at the next cut (or below); until then its failure must not count as unhandled.
        inFlight.catch(() => undefined);
      }
      ended = true;
    } finally {
      // The cut in flight lands either way; when the loop failed, its error is the one to report.
      if (ended) await landed();
      else await landed().catch(() => undefined);
    }
  }

  /**
   * Starts covering source partitions added while running, serialised with the cuts: reads where
   * each new partition starts, makes sure its digest partition exists, extends the pending state
   * and appends an expansion cut (no records, the longer coverage vector). A demand the source
   * topic does not back (it has fewer partitions than a digest batch named) is retried until
   * sequencer.gapTimeoutMs, then halts sequencing like a gap that does not close. False when
   * nothing was expanded this time (to be tried again).
   */
  private async expand(term: Term, wanted: number): Promise<boolean> {
    const { chain, settings, kafka, sourceTopic } = this.options;
    const pending = term.pending!;
    const covered = pending.partitions;
    let source, starts: bigint[];
    try {
      source = await withAdmin(kafka, (admin) => topicOffsets(admin, sourceTopic));
      starts = newPartitionStarts(covered, source);
      if (starts.length > 0) await withAdmin(kafka, (admin) => ensureDigestPartitions(admin, kafkaNames.digestTopic(chain), covered + starts.length));
    } catch (err) {
      // Kafka admin calls right after createPartitions can fail while leaders settle: try again.
      const waited = term.demand.openFor(Date.now());
      if (waited > settings.gapTimeoutMs) {
        throw new SeqchainError(
          'SEQCHAIN_ERR_UNREACHABLE',
          `could not start covering new partitions of ${sourceTopic} in ${waited} ms: ${(err as Error).message}`,
          { retriable: true, cause: err, details: { topic: sourceTopic, wanted } },
        );
      }
      term.log.warn({ err, topic: sourceTopic, wanted }, 'partition expansion failed; trying again');
      return false;
    }
    if (starts.length === 0) {
      const waited = term.demand.openFor(Date.now());
      if (waited > settings.gapTimeoutMs) {
        throw new SeqchainError(
          'SEQCHAIN_ERR_MALFORMED_MESSAGE',
          `a digest batch names source partition ${wanted - 1}, but ${sourceTopic} has ${source.length} partitions after ${waited} ms`,
          {
            details: { topic: sourceTopic, partitions: source.length, wanted },
          },
        );
      }
      return false;
    }
    const partitions = covered + starts.length;
    if (this.stopRequested) return false;
    const startedAt = Date.now();
    await this.appendCut(term, expandCoverage(pending, starts), startedAt);
    const cutId = this.head!.cutId;
    term.log.info(
      { epoch: term.epoch.toString(), cutId: cutId.toString(), from: covered, partitions, starts: starts.map(String), latencyMs: Date.now() - startedAt },
      'expansion cut: new source partitions are covered',
    );
    this.emit('sequencer:expanded', { epoch: term.epoch, cutId, partitions, starts });
    return true;
  }

  /**
   * Checks the source topic's partition count every sequencer.partitionCheckIntervalMs (first at
   * once: a new leader covers partitions added while nobody led) and asks the cut loop to expand.
   * A failed check is logged and tried again at the next interval.
   */
  private async watchPartitions(term: Term): Promise<void> {
    const { settings, kafka, sourceTopic } = this.options;
    const signal = term.watch.signal;
    const admin = kafka.admin();
    try {
      await admin.connect();
      while (!signal.aborted) {
        try {
          const count = await partitionCount(admin, sourceTopic);
          if (count > term.pending!.partitions) {
            term.log.info({ topic: sourceTopic, covered: term.pending!.partitions, partitions: count }, 'source topic has new partitions');
            term.demand.want(count, Date.now());
          }
        } catch (err) {
          if (!signal.aborted) term.log.warn({ err, topic: sourceTopic }, 'source partition check failed; trying again');
        }
        await sleep(settings.partitionCheckIntervalMs, { signal });
      }
    } catch (err) {
      term.log.warn({ err, topic: sourceTopic }, 'source partition watch could not connect; new partitions are noticed through digest batches only');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** One cut = one ledger message = one Kafka transaction, then the counter CAS. */
  private async appendCut(term: Term, content: CutContent, startedAt: number): Promise<void> {
    await this.commitCut(term, this.prepareCut(term, content, startedAt));
  }

  /** The CPU part of a cut: its links, its log view (the checkpoint signed) and its ledger message, after the tip. */
  private prepareCut(term: Term, content: CutContent, startedAt: number): PreparedCut {
    const tip = term.tip!;
    const firstSeq = tip.seq + 1n;
    const lastSeq = tip.seq + BigInt(content.entries.length);
    const hash = linkEntries(tip.hash, firstSeq, content.entries);
    const cutId = tip.cutId + 1n;
    const cut = {
      epoch: term.epoch,
      cutId,
      firstSeq,
      lastSeq,
      prevHash: tip.hash,
      headHash: hash,
      closedAtMs: BigInt(startedAt),
      coverage: content.coverage,
      entries: content.entries,
    };
    const checkpoints = this.options.checkpoints ?? null;
    const value = checkpoints ? encodeCutMessageV2({ ...cut, log: checkpoints.next(firstSeq, content.entries) }) : encodeCutMessage(cut);
    term.tip = { seq: lastSeq, hash, cutId };
    return { cutId, firstSeq, lastSeq, hash, value, coverage: content.coverage, records: content.entries.length, startedAt };
  }

  /** The cut's transaction, then the counter CAS; only then is it the head. */
  private async commitCut(term: Term, cut: PreparedCut): Promise<void> {
    const { cutId, firstSeq, lastSeq, hash, value } = cut;
    const epoch = term.epoch;
    // Checked as late as possible: a replica that lost ZooKeeper must not begin another transaction.
    if (this.stopRequested) return;
    const txn = await term.producer!.transaction();
    let ledgerOffset: bigint;
    try {
      const [meta] = await txn.send({ topic: kafkaNames.ledgerTopic(this.options.chain), messages: [{ value }] });
      await txn.commit();
      ledgerOffset = BigInt(meta!.baseOffset ?? meta!.offset ?? '-1');
    } catch (err) {
      await txn.abort().catch(() => undefined);
      throw new SeqchainError('SEQCHAIN_ERR_FENCED', `ledger transaction for cut ${cutId} failed (fenced or broker error): ${(err as Error).message}`, {
        retriable: true,
        cause: err,
        details: { epoch: epoch.toString(), cutId: cutId.toString() },
      });
    }
    this.options.checkpoints?.committed();
    this.head = { seq: lastSeq, hash, cutId, epoch, ledgerOffset, coverage: cut.coverage };
    term.counterVersion = await this.options.coordination.casCounter({ epoch, nextSeq: lastSeq + 1n, headHash: hash, ledgerOffset }, term.counterVersion);
    this.emit('sequencer:cut', { epoch, cutId, firstSeq, lastSeq, records: cut.records, ledgerOffset, latencyMs: Date.now() - cut.startedAt });
  }

  /** The ledger wins: the counter is brought to the ledger's head under this epoch. */
  private async reconcileCounter(epoch: bigint, head: ChainHead, version: number | null): Promise<number> {
    const value = { epoch, nextSeq: head.seq + 1n, headHash: head.hash, ledgerOffset: head.ledgerOffset };
    const { coordination } = this.options;
    return version === null ? coordination.createCounter(value) : coordination.casCounter(value, version);
  }

  /**
   * Reads the digest topic in a group of this epoch, from the offsets the ledger recorded. Batches
   * read before the seek lands are below the ledger's coverage and dropped as duplicates.
   */
  private async startIntake(term: Term, head: ChainHead): Promise<Consumer> {
    const { chain, settings, metadataMaxAgeMs, kafka, logger } = this.options;
    const { epoch, gaps } = term;
    const pending = term.pending!;
    const fail = (err: SeqchainError) => {
      term.intakeError ??= err;
    };
    const digestTopic = kafkaNames.digestTopic(chain);
    const groupId = kafkaNames.sequencerGroup(chain, epoch);
    // Next digest offset to read, per digest partition: where the consumer is put back after the
    // group rebalances (it does when the digest topic gains partitions), instead of re-reading
    // the partition from its beginning (nothing is committed in this group).
    const readNext = new Map(head.coverage.map((slot, partition) => [partition, slot.digestNext]));
    const consumer = kafka.consumer(groupConsumerConfig({ ...settings, metadataMaxAgeMs }, groupId));
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      for (const partition of event.payload.memberAssignment[digestTopic] ?? []) {
        const at = readNext.get(partition);
        if (at !== undefined) consumer.seek({ topic: digestTopic, partition, offset: at.toString() });
      }
    });
    // kafkajs does not restart this consumer (groupConsumerConfig): a crash ends the term, which
    // hands leadership on, rather than leave a leader that reads no digests and cuts nothing.
    consumer.on(consumer.events.CRASH, (event) => {
      const err = consumerCrashError(`sequencer digest (${groupId})`, event.payload.error);
      term.log.error({ err: event.payload.error, groupId, epoch: epoch.toString() }, 'digest consumer crashed: ending the term');
      fail(new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', err.message, { retriable: true, cause: event.payload.error, details: err.details }));
    });
    await consumer.connect();
    await consumer.subscribe({ topic: digestTopic, fromBeginning: true });
    const onBatch = async ({ batch, heartbeat, isRunning }: EachBatchPayload) => {
      for (const message of batch.messages) {
        if (!isRunning() || this.stopRequested) return;
        while (pending.pendingRecords >= settings.maxPendingRecords && !this.stopRequested && isRunning()) {
          await sleep(5);
          await heartbeat();
        }
        let decoded;
        try {
          decoded = decodeDigestMessage(message.value, batch.partition);
        } catch (err) {
          // docs/DESIGN.md invariant 5: never guess past a message that does not decode; stop sequencing.
          fail(rejectedDigest(err, digestTopic, batch.partition, message.offset));
          return;
        }
        if (decoded.partition >= pending.partitions) {
          // A source partition added while running, not covered yet: this batch waits (the
          // group keeps its heartbeats) until the cut loop has written the expansion cut.
          term.demand.want(decoded.partition + 1, Date.now());
          logger.info(
            { partition: decoded.partition, covered: pending.partitions },
            'digest batch for a partition beyond coverage: waiting for the expansion cut',
          );
          while (decoded.partition >= pending.partitions) {
            if (!isRunning() || this.stopRequested || term.intakeError) return;
            await sleep(10);
            await heartbeat();
          }
        }
        const outcome = pending.accept(decoded, BigInt(message.offset));
        readNext.set(batch.partition, BigInt(message.offset) + 1n);
        if (outcome.kind === 'ahead') {
          if (!gaps.has(batch.partition)) {
            gaps.set(batch.partition, Date.now());
            logger.debug(
              { partition: batch.partition, from: outcome.gapFrom.toString(), to: outcome.gapTo.toString() },
              'digest batch ahead of coverage: waiting for the owning worker',
            );
            this.emit('sequencer:gap', { partition: batch.partition, from: outcome.gapFrom, to: outcome.gapTo });
          }
        } else if (outcome.kind === 'accepted') {
          gaps.delete(batch.partition);
        }
      }
      await heartbeat();
    };
    // Concurrency above the partition count leaves room for partitions added during the term.
    await consumer.run({ autoCommit: false, partitionsConsumedConcurrently: Math.max(16, head.coverage.length), eachBatch: onBatch });
    // run() resolves even when the first join crashed the consumer: the term ends (runTerm disconnects it).
    if (term.intakeError) {
      term.consumer = consumer;
      throw term.intakeError;
    }
    seekAll(consumer, digestTopic, new Map(head.coverage.map((slot, partition) => [partition, slot.digestNext])));
    return consumer;
  }

  private checkGaps(gaps: Map<number, number>): void {
    const limit = this.options.settings.gapTimeoutMs;
    for (const [partition, since] of gaps) {
      if (Date.now() - since > limit) {
        throw new SeqchainError('SEQCHAIN_ERR_GAP', `source partition ${partition}: a coverage gap did not close in ${limit} ms`, {
          details: { partition, sinceMs: since },
        });
      }
    }
  }
}
