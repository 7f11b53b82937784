import { LogViewStore } from '../index-store/log-store.js';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import { loadOpsToken } from '../api/auth.js';
import type { Readiness, ReplicaPort } from '../api/ports.js';
import { buildApi } from '../api/server.js';
import type { Config } from '../config/schema.js';
import { loadLogSigners } from '../config/log-key.js';
import { indexerSettings, kafkaClientOptions, redisClientOptions } from '../config/slices.js';
import { casCounter, createCounter, readCounter } from '../coordination/counter.js';
import { LeaderElection } from '../coordination/election.js';
import { bumpEpoch } from '../coordination/epoch.js';
import { readGenesis, type GenesisRecord } from '../coordination/genesis-store.js';
import { clearLeader, publishLeader, readLeader, RECENT_CUTS, type LastCutStats, type RecentCut } from '../coordination/leader.js';
import { MemberRegistration } from '../coordination/members.js';
import { PredecessorWatch } from '../coordination/predecessor-watch.js';
import { clearPause, PauseWatch, setPause, type PauseInfo } from '../coordination/pause.js';
import { chainPaths, type ChainPaths } from '../coordination/paths.js';
import type { ZkSession } from '../coordination/zk-session.js';
import { connectZk } from '../coordination/connect.js';
import { SeqchainError } from '../errors.js';
import { createKafka, SEQUENCER_RETRY } from '../kafka/client.js';
import { withAdmin } from '../kafka/offsets.js';
import type { Logger } from '../log.js';
import { bindOrderedMetrics, bindRoleMetrics } from './bind-metrics.js';
import { openSourceReader } from './source-page.js';
import { OrderedDelivery } from '../delivery/ordered-delivery.js';
import { SeqchainMetrics } from '../metrics/metrics.js';
import { collectStatus, type ChainStatus } from '../ops/chain-status.js';
import type { ChainHead } from '../kafka/ledger-tail.js';
import type { SequencerCoordination } from '../sequencer/coordination-port.js';
import { CheckpointLog } from '../sequencer/checkpoint-log.js';
import { Sequencer } from '../sequencer/sequencer.js';
import type { NoteSigner } from '../tlog/note-key.js';
import { verifyRange } from '../verify/verify-range.js';
import { Worker } from '../worker/worker.js';
import { ReplicaIndex } from '../indexer/replica-index.js';
import { CheckpointTail } from '../indexer/checkpoint-tail.js';
import { removeGroupMember } from '../kafka/group-member.js';
import { kafkaNames } from '../kafka/names.js';
import { MemberWatch, type GoneMember } from '../coordination/member-watch.js';
import { WitnessSubmitter } from '../witness/submitter.js';

const VERSION = '0.1.0';

/** What the leader publishes about itself in the leader znode. */
interface LeaderCard {
  apiAddress: () => string;
  since: number;
  lastCut?: LastCutStats;
  /** This term's latest cuts, newest first. */
  recentCuts: RecentCut[];
}

export function sequencerCoordination(
  session: ZkSession,
  paths: ChainPaths,
  replicaId: string,
  card: LeaderCard = { apiAddress: () => '', since: 0, recentCuts: [] },
): SequencerCoordination {
  return {
    bumpEpoch: () => bumpEpoch(session, paths),
    readCounter: () => readCounter(session, paths),
    casCounter: (value, version) => casCounter(session, paths, value, version),
    createCounter: (value) => createCounter(session, paths, value),
    publishLeader: (epoch) => {
      card.since = Date.now();
      delete card.lastCut;
      card.recentCuts = [];
      return publishLeader(session, paths, { replicaId, epoch, apiAddress: card.apiAddress(), since: card.since });
    },
  };
}

/** The leader refreshes its cut statistics in the leader znode at most this often, ms. */
const LEADER_CARD_INTERVAL_MS = 1_000;

/**
 * One replica: the composition root that owns start and close order. Every replica runs a
 * worker, an indexer and the HTTP API; the one holding ZooKeeper leadership also runs the
 * sequencer (unless the chain is paused).
 */
export class Replica implements ReplicaPort {
  private closing: Promise<void> | null = null;
  private halted = false;
  /** Why this replica stopped sequencing for good (status, readiness). */
  private haltedWith: SeqchainError | null = null;
  private api: FastifyInstance | null = null;
  private apiAddress = '';
  private readonly card: LeaderCard;
  private cardTimer: NodeJS.Timeout | null = null;
  /** Epoch of this replica's current (or last) term. */
  private leaderEpoch = 0n;
  readonly metrics: SeqchainMetrics;
  readonly sequencer: Sequencer;
  private readonly paths: ChainPaths;
  private readonly member: MemberRegistration;
  private readonly worker: Worker;
  private readonly election: LeaderElection;
  /** Deletes a crashed predecessor's election node (zookeeper.fastTakeover); null when off. */
  private readonly predecessorWatch: PredecessorWatch | null;
  /** Removes a crashed peer's worker from the worker group (zookeeper.fastTakeover); null when off. */
  private readonly memberWatch: MemberWatch | null;
  private readonly pauseWatch: PauseWatch;
  readonly index: ReplicaIndex;
  /** The log view's read side (null when logView.enabled is false). */
  private readonly logView: LogViewStore | null;
  /** The newest checkpoint committed to the ledger, which `/checkpoint` serves before the index holds it; null when the view is off. */
  private readonly checkpointTail: CheckpointTail | null;
  /** Submits checkpoints to `logView.witnesses` while this replica leads; null without witnesses. */
  private readonly witnesses: WitnessSubmitter | null;
  /** Writes `<chain>.ordered` while this replica holds its lease; null unless delivery.orderedTopic. */
  readonly ordered: OrderedDelivery | null;

  private constructor(
    readonly config: Readonly<Config>,
    private readonly logger: Logger,
    private readonly zk: ZkSession,
    readonly genesis: GenesisRecord,
    private readonly kafka: Kafka,
    logSigners: NoteSigner[] | null = null,
  ) {
    const log = logger;
    this.paths = chainPaths(config.zookeeper.root, config.chain);
    this.card = { apiAddress: () => this.apiAddress, since: 0, recentCuts: [] };
    this.metrics = new SeqchainMetrics({ chain: config.chain, replicaId: config.replicaId });
    this.member = new MemberRegistration(zk, this.paths, {
      replicaId: config.replicaId,
      pid: process.pid,
      host: hostname(),
      startedAt: Date.now(),
      apiAddress: '',
      partitions: [],
    });
    const { metadataMaxAgeMs } = config.kafka;
    this.worker = new Worker({
      chain: config.chain,
      settings: config.worker,
      metadataMaxAgeMs,
      kafka,
      logger: log.child({ role: 'worker' }),
      sourceTopic: genesis.topic,
    });
    this.sequencer = new Sequencer({
      chain: config.chain,
      settings: config.sequencer,
      metadataMaxAgeMs,
      // Its own client only for its retry schedule (connections are per producer and consumer anyway).
      kafka: createKafka(kafkaClientOptions(config), log, 'sequencer', SEQUENCER_RETRY),
      logger: log,
      coordination: sequencerCoordination(zk, this.paths, config.replicaId, this.card),
      genesis: { hash: genesis.hash, start: genesis.start },
      sourceTopic: genesis.topic,
      checkpoints: logSigners ? new CheckpointLog(logSigners) : null,
    });
    this.election = new LeaderElection({ session: zk, paths: this.paths, replicaId: config.replicaId, logger: log });
    this.predecessorWatch = config.zookeeper.fastTakeover
      ? new PredecessorWatch({ election: this.election, session: zk, paths: this.paths, logger: log })
      : null;
    this.memberWatch = config.zookeeper.fastTakeover
      ? new MemberWatch({ session: zk, paths: this.paths, replicaId: config.replicaId, logger: log, onGone: (gone) => this.onPeerGone(gone) })
      : null;
    this.pauseWatch = new PauseWatch(zk, this.paths, log.child({ component: 'pause' }));
    this.index = new ReplicaIndex({
      settings: indexerSettings(config),
      redisClient: redisClientOptions(config),
      kafka,
      genesis,
      logger: log.child({ role: 'indexer' }),
      metrics: this.metrics,
      counterSeq: async () => ((await readCounter(zk, this.paths))?.value.nextSeq ?? 1n) - 1n,
      leading: () => this.election.isLeader,
    });
    this.checkpointTail = logSigners
      ? new CheckpointTail({
          chain: config.chain,
          replicaId: config.replicaId,
          kafka,
          consumer: indexerSettings(config).consumer,
          origin: logSigners[0]!.name,
          verifierKeys: logSigners.map((s) => s.verifierKey),
          logger: log.child({ component: 'checkpoint-tail' }),
        })
      : null;
    this.logView = logSigners
      ? new LogViewStore(
          this.index.store,
          logSigners[0]!.name,
          logSigners.map((s) => s.verifierKey),
          this.checkpointTail,
        )
      : null;
    this.witnesses =
      this.logView && config.logView.witnesses.length > 0
        ? new WitnessSubmitter({
            witnesses: config.logView.witnesses,
            intervalMs: config.logView.witnessIntervalMs,
            port: this.logView,
            logger: log.child({ component: 'witnesses' }),
          })
        : null;
    this.ordered = config.delivery.orderedTopic
      ? new OrderedDelivery({
          chain: config.chain,
          replicaId: config.replicaId,
          zk,
          paths: this.paths,
          kafka,
          readerKafka: kafkaClientOptions(config),
          genesis,
          replication: config.kafka,
          maxRecordBytes: config.worker.maxRecordBytes,
          logger: log.child({ role: 'ordered' }),
          counterSeq: async () => ((await readCounter(zk, this.paths))?.value.nextSeq ?? 1n) - 1n,
          leading: () => this.election.isLeader,
        })
      : null;
  }

  get replicaId(): string {
    return this.config.replicaId;
  }

  static async start(config: Readonly<Config>, logger: Logger): Promise<Replica> {
    const log = logger.child({ replicaId: config.replicaId, chain: config.chain });
    const token = loadOpsToken(config.api);
    // Before connecting anything: a replica that may lead without its signing key fails at start.
    const logSigners = loadLogSigners(config.logView);
    const zk = await connectZk(config.zookeeper, log);
    let replica: Replica | null = null;
    try {
      const genesis = await readGenesis(zk, chainPaths(config.zookeeper.root, config.chain));
      replica = new Replica(config, log, zk, genesis, createKafka(kafkaClientOptions(config), log, 'replica'), logSigners);
      await replica.wire(token);
      return replica;
    } catch (err) {
      if (replica) await replica.close();
      else await zk.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * A peer process is gone: its worker leaves the worker group and its election node the queue
   * now, not when its session expires.
   */
  private onPeerGone(gone: GoneMember): void {
    if (this.closing) return;
    if (gone.workerMemberId !== null) this.removeWorker(gone.workerMemberId, { peer: gone.replicaId, session: gone.owner }, 'peer gone');
    this.election
      .evictSession(gone)
      .catch((err: unknown) => this.logger.warn({ err, peer: gone.replicaId }, "could not delete a gone peer's election node: its session timeout decides"));
  }

  /** Removes a dead process's worker from the worker group; `why` opens the log line. */
  private removeWorker(memberId: string, context: Record<string, string>, why: string): void {
    if (this.closing) return;
    const groupId = kafkaNames.workerGroup(this.config.chain);
    removeGroupMember(this.kafka, groupId, memberId).then(
      (result) => this.logger.info({ ...context, memberId, groupId, result }, `${why}: its worker removed from the worker group`),
      (err: unknown) =>
        this.logger.warn({ ...context, err, memberId, groupId }, `${why}, but its worker could not be removed from the group: its session timeout decides`),
    );
  }

  private async wire(token: string | null): Promise<void> {
    const { member, worker, sequencer, election, pauseWatch, logger } = this;
    bindRoleMetrics(this.metrics, { sequencer, worker, election, pause: pauseWatch });
    if (this.ordered) bindOrderedMetrics(this.metrics, this.ordered);
    await this.startApi(token);
    await member.update({ apiAddress: this.apiAddress }); // not registered yet: only sets what start() writes
    await member.start();
    // This replica id's previous process died moments ago (its member node was still there): its
    // worker is still in the group, and the new one's join would wait for it to expire.
    const stale = member.replaced?.workerMemberId;
    if (this.memberWatch && stale) this.removeWorker(stale, { previousPid: String(member.replaced!.pid) }, 'restarted after a crash');
    worker.on('worker:assigned', (partitions, memberId) => {
      member
        .update({ partitions, workerMemberId: memberId ?? undefined })
        .catch((err: unknown) => logger.warn({ err }, 'could not publish partition ownership'));
    });
    election.on('elected', () => this.maybeLead());
    election.on('lost', (reason) => {
      void sequencer.stop(`leadership lost: ${reason}`);
    });
    pauseWatch.on('changed', (paused) => {
      if (paused) {
        logger.info({ by: paused.by, reason: paused.reason }, 'sequencing paused');
        void sequencer.stop('paused');
      } else {
        logger.info('sequencing resumed');
        this.maybeLead();
      }
    });
    sequencer.on('sequencer:cut', (cut) => {
      const at = Date.now();
      this.card.lastCut = { cutId: cut.cutId, records: cut.records, latencyMs: cut.latencyMs, at };
      this.card.recentCuts.unshift({ cutId: cut.cutId, epoch: cut.epoch, lastSeq: cut.lastSeq, records: cut.records, latencyMs: cut.latencyMs, at });
      this.card.recentCuts.length = Math.min(this.card.recentCuts.length, RECENT_CUTS);
    });
    sequencer.on('sequencer:leading', ({ epoch }) => {
      this.leaderEpoch = epoch;
      this.startLeaderCard();
      this.witnesses?.start();
    });
    sequencer.on('sequencer:stopped', () => {
      this.stopLeaderCard();
      void this.witnesses?.stop();
    });
    sequencer.on('sequencer:halted', (err) => {
      // Stop sequencing for good on this replica: it must not write a chain it cannot trust.
      this.halted = true;
      this.haltedWith = err;
      logger.fatal({ code: err.code, details: err.details }, 'replica stops sequencing; it keeps running as a worker');
      void election.close();
    });
    sequencer.on('sequencer:stopped', ({ reason, failed }) => {
      // A term that failed while this replica still holds the election (fenced, Kafka error):
      // hand leadership on, so a healthy replica (or this one, later) takes over.
      if (failed && !this.halted && !this.closing && election.isLeader) {
        logger.warn({ reason }, 'sequencer term ended while leading: resigning');
        void clearLeader(this.zk, this.paths).catch(() => undefined);
        void election.resign().catch((err: unknown) => logger.error({ err }, 'resign failed'));
      }
    });
    await pauseWatch.start();
    await worker.start();
    sequencer.start();
    await election.start();
    this.predecessorWatch?.start();
    this.memberWatch?.start();
    // After the election: a replica that leads from the start leaves the index lease to a peer.
    this.index.start();
    this.checkpointTail?.start();
    // Likewise: the leader leaves the ordered topic to a peer where there is one.
    this.ordered?.start();
    logger.info({ api: this.apiAddress, paused: pauseWatch.paused !== null }, 'replica started');
  }

  /** Leads when elected, healthy and not paused. */
  private maybeLead(): void {
    if (this.halted || this.closing || !this.election.isLeader) return;
    if (this.pauseWatch.paused) {
      this.logger.info({ by: this.pauseWatch.paused.by }, 'elected while sequencing is paused: holding leadership without sequencing');
      return;
    }
    this.sequencer.lead();
  }

  private async startApi(token: string | null): Promise<void> {
    const { config, logger } = this;
    this.api = await buildApi(
      { query: this.index.query, replica: this, metrics: this.metrics, log: this.logView },
      {
        logger: logger.child({ component: 'api' }),
        token,
        bodyLimitBytes: config.api.bodyLimitBytes,
        rateLimit: { max: config.api.rateLimitMax, opsMax: config.api.opsRateLimitMax, windowMs: config.api.rateLimitWindowMs },
        maxPageSize: config.api.maxPageSize,
        maxVerifyRange: config.api.maxVerifyRange,
        maxStreamRange: config.api.maxStreamRange,
        version: VERSION,
      },
    );
    await this.api.listen({ host: config.api.host, port: config.api.port });
    const address = this.api.server.address();
    const port = typeof address === 'object' && address ? address.port : config.api.port;
    this.apiAddress = config.api.advertisedUrl || `http://${config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host}:${port}`;
    if (!token) logger.warn('no api.token configured: the ops routes (/v1/ops/*) answer 401');
  }

  /** While leading, the leader znode carries the last cut's latency (at most once a second). */
  private startLeaderCard(): void {
    this.stopLeaderCard();
    let published: bigint | null = null;
    this.cardTimer = setInterval(() => {
      const lastCut = this.card.lastCut;
      if (!lastCut || lastCut.cutId === published || !this.election.isLeader) return;
      published = lastCut.cutId;
      void publishLeader(this.zk, this.paths, {
        replicaId: this.config.replicaId,
        epoch: this.leaderEpoch,
        apiAddress: this.apiAddress,
        since: this.card.since,
        lastCut,
        recentCuts: this.card.recentCuts,
      }).catch((err: unknown) => this.logger.debug({ err }, 'could not refresh the leader znode'));
    }, LEADER_CARD_INTERVAL_MS);
    this.cardTimer.unref();
  }

  private stopLeaderCard(): void {
    if (this.cardTimer) clearInterval(this.cardTimer);
    this.cardTimer = null;
  }

  // ---- ReplicaPort: what the HTTP API asks of this replica ----

  async leader() {
    const info = await readLeader(this.zk, this.paths);
    return info && { replicaId: info.replicaId, epoch: info.epoch, apiAddress: info.apiAddress };
  }

  /**
   * The chain head this replica already knows, with its coverage: its sequencer's while it leads,
   * else its indexer's once caught up. Null on a follower that does not hold the index lease.
   */
  private knownHead(): ChainHead | null {
    return this.sequencer.leadingHead ?? this.index.knownHead;
  }

  /** Reads the ledger tail only when this replica knows no head (a follower without the index lease). */
  async status(): Promise<Record<string, unknown>> {
    const status = await collectStatus({
      chain: this.config.chain,
      paths: this.paths,
      zk: this.zk,
      kafka: this.kafka,
      genesis: this.genesis,
      logger: this.logger,
      head: this.knownHead(),
    });
    this.setLagGauges(status.partitions);
    if (status.leader) this.metrics.leaderEpoch.set(Number(status.leader.epoch));
    return {
      replicaId: this.config.replicaId,
      ...status,
      index: await this.index.state(),
      orderedWriter: this.ordered?.state() ?? null,
      replica: this.health(),
    };
  }

  private setLagGauges(partitions: ChainStatus['partitions']): void {
    this.metrics.partitionLag.reset();
    for (const p of partitions) this.metrics.partitionLag.set({ partition: String(p.partition) }, Number(p.lag));
  }

  /** This replica's own stops: sequencing halted, partitions the worker stopped on. */
  private health(): {
    sequencingHalted: { code: string; message: string; details: Record<string, unknown> } | null;
    workerFailed: { code: string; message: string } | null;
    stalledPartitions: { partition: number; offset: string; size: number; limit: number; code: string; message: string }[];
  } {
    const h = this.haltedWith;
    const w = this.worker.failure;
    return {
      sequencingHalted: h ? { code: h.code, message: h.message, details: h.details } : null,
      workerFailed: w ? { code: w.code, message: w.message } : null,
      stalledPartitions: this.worker.stalled.map((e) => ({
        ...(e.details as { partition: number; offset: string; size: number; limit: number }),
        code: e.code,
        message: e.message,
      })),
    };
  }

  private gaugesAt = 0;

  /**
   * Lag gauges come from a status read over the head this replica knows: at most every 5 s, and a
   * scrape never waits > 2 s for it. A replica that knows no head (a follower without the index
   * lease) exports no lag rather than reading the ledger for every scrape: the leader and the
   * index writer export it.
   */
  async refreshGauges(): Promise<void> {
    if (Date.now() - this.gaugesAt < 5_000) return;
    this.gaugesAt = Date.now();
    const refresh = (
      this.knownHead()
        ? this.status()
        : readLeader(this.zk, this.paths).then((leader) => {
            this.metrics.partitionLag.reset();
            if (leader) this.metrics.leaderEpoch.set(Number(leader.epoch));
          })
    ).catch((err: unknown) => this.logger.debug({ err }, 'could not refresh the lag gauges'));
    await Promise.race([refresh, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }

  liveness() {
    const session = this.zk.sessionId;
    return /[1-9a-f]/.test(session) ? { replicaId: this.config.replicaId, session, pid: process.pid } : null;
  }

  async readiness(): Promise<Readiness> {
    const zookeeper = this.zk.isConnected ? { ok: true, detail: `connected to ${this.zk.connectString}` } : { ok: false, detail: `ZooKeeper ${this.zk.state}` };
    const kafka = await withAdmin(this.kafka, async (admin) => {
      await admin.fetchTopicMetadata({ topics: [this.genesis.topic] });
      return { ok: true, detail: 'metadata answered' };
    }).catch((err: unknown) => ({ ok: false, detail: `Kafka: ${(err as Error).message}` }));
    const { redis, index } = await this.index.readiness();
    const { sequencingHalted, stalledPartitions } = this.health();
    const sequencing = sequencingHalted
      ? { ok: false, detail: `sequencing halted: ${sequencingHalted.code}: ${sequencingHalted.message}` }
      : { ok: true, detail: 'not halted' };
    const { workerFailed } = this.health();
    const worker = workerFailed
      ? { ok: false, detail: `worker stopped: ${workerFailed.code}: ${workerFailed.message}` }
      : stalledPartitions.length > 0
        ? { ok: false, detail: stalledPartitions.map((s) => `${s.code}: ${s.message}`).join('; ') }
        : { ok: true, detail: 'no partition stopped' };
    const checks = { zookeeper, kafka, redis, index, sequencing, worker };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }

  async resign(): Promise<{ resigned: string; epoch: string }> {
    if (!this.election.isLeader) {
      const leader = await readLeader(this.zk, this.paths);
      throw new SeqchainError(
        'SEQCHAIN_ERR_NOT_LEADER',
        `replica ${this.config.replicaId} does not lead${leader ? `: ${leader.replicaId} does (epoch ${leader.epoch})` : ''}`,
        {
          retriable: true,
          details: { leader: leader?.replicaId ?? null, leaderApi: leader?.apiAddress ?? null },
        },
      );
    }
    const epoch = this.leaderEpoch;
    await this.sequencer.stopWrites('resign requested');
    await clearLeader(this.zk, this.paths).catch(() => undefined);
    await this.election.resign();
    return { resigned: this.config.replicaId, epoch: epoch.toString() };
  }

  pause(reason: string): Promise<PauseInfo> {
    return setPause(this.zk, this.paths, { by: this.config.replicaId, at: Date.now(), reason });
  }

  async resume(): Promise<boolean> {
    return clearPause(this.zk, this.paths);
  }

  async reindex(): Promise<void> {
    await this.index.reset();
  }

  async verifyRange(from: bigint, to: bigint) {
    const links = await this.index.query.range(from, to);
    const prev = from === 1n ? this.genesis.hash : (await this.index.query.record(from - 1n))?.hash;
    if (!prev) throw new SeqchainError('SEQCHAIN_ERR_NOT_FOUND', `seq ${from - 1n} is not in the index`, { details: { seq: (from - 1n).toString() } });
    return verifyRange({ kafka: this.kafka, chain: this.config.chain, sourceTopic: this.genesis.topic, prevHash: prev, links, logger: this.logger });
  }

  openSourceReader() {
    return openSourceReader({ kafka: this.kafka, chain: this.config.chain, topic: this.genesis.topic, logger: this.logger });
  }

  /** Graceful stop: hand off leadership first, then leave the worker group, then ZooKeeper. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const steps: [string, () => Promise<unknown>][] = [
        // The next leader may start as soon as this one can write no more.
        ['sequencer writes', () => this.sequencer.stopWrites('replica closing')],
        ['predecessor watch', async () => this.predecessorWatch?.close()],
        ['member watch', async () => this.memberWatch?.close()],
        ['election', () => this.election.close()],
        ['sequencer', () => this.sequencer.close()],
        ['witnesses', async () => this.witnesses?.stop()],
        // Gives the ordered-writer lease up: a peer takes the role at its next check.
        ['ordered', async () => this.ordered?.close()],
        ['api', async () => this.api?.close()],
        ['worker', () => this.worker.close()],
        ['index', () => this.index.close()],
        ['checkpoint tail', async () => this.checkpointTail?.close()],
        ['pause', () => this.pauseWatch.close()],
        ['member', () => this.member.close()],
        ['zookeeper', () => this.zk.close()],
      ];
      this.stopLeaderCard();
      for (const [name, step] of steps) {
        try {
          await step();
        } catch (err) {
          this.logger.warn({ err, step: name }, 'close step failed');
        }
      }
    })();
    return this.closing;
  }
}
