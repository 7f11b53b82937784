import { hostname } from 'node:os';
import type { Kafka } from 'kafkajs';
import type { Config } from './config/schema.js';
import { casCounter, createCounter, readCounter } from './coordination/counter.js';
import { LeaderElection } from './coordination/election.js';
import { bumpEpoch } from './coordination/epoch.js';
import { readGenesis, type GenesisRecord } from './coordination/genesis-store.js';
import { clearLeader, publishLeader } from './coordination/leader.js';
import { MemberRegistration } from './coordination/members.js';
import { chainPaths, type ChainPaths } from './coordination/paths.js';
import { ZkSession } from './coordination/zk-session.js';
import { createKafka } from './kafka/client.js';
import type { Logger } from './log.js';
import type { SequencerCoordination } from './sequencer/coordination-port.js';
import { Sequencer } from './sequencer/sequencer.js';
import { Worker } from './worker/worker.js';

/** Opens the ZooKeeper session described by the configuration. */
export function connectZk(config: Readonly<Config>, logger: Logger): Promise<ZkSession> {
  const zk = config.zookeeper;
  return ZkSession.connect({
    connect: zk.connect,
    sessionTimeoutMs: zk.sessionTimeoutMs,
    connectTimeoutMs: zk.connectTimeoutMs,
    acl: zk.acl,
    logger: logger.child({ component: 'zookeeper' }),
    ...(zk.auth ? { auth: { scheme: 'digest' as const, credentials: zk.auth } } : {}),
  });
}

export function sequencerCoordination(session: ZkSession, paths: ChainPaths, replicaId: string): SequencerCoordination {
  return {
    bumpEpoch: () => bumpEpoch(session, paths),
    readCounter: () => readCounter(session, paths),
    casCounter: (value, version) => casCounter(session, paths, value, version),
    createCounter: (value) => createCounter(session, paths, value),
    publishLeader: (epoch) => publishLeader(session, paths, { replicaId, epoch, apiAddress: '', since: Date.now() }),
  };
}

/**
 * One replica: the composition root that owns start and close order. Every replica runs a
 * worker; the one holding ZooKeeper leadership also runs the sequencer.
 */
export class Replica {
  private closing: Promise<void> | null = null;
  private halted = false;

  private constructor(
    readonly config: Readonly<Config>,
    private readonly logger: Logger,
    private readonly zk: ZkSession,
    readonly genesis: GenesisRecord,
    private readonly kafka: Kafka,
    private readonly member: MemberRegistration,
    private readonly worker: Worker,
    readonly sequencer: Sequencer,
    private readonly election: LeaderElection,
  ) {}

  static async start(config: Readonly<Config>, logger: Logger): Promise<Replica> {
    const log = logger.child({ replicaId: config.replicaId, chain: config.chain });
    const zk = await connectZk(config, log);
    try {
      const paths = chainPaths(config.zookeeper.root, config.chain);
      const genesis = await readGenesis(zk, paths);
      const kafka = createKafka(config, log, 'replica');
      const member = new MemberRegistration(zk, paths, { replicaId: config.replicaId, pid: process.pid, host: hostname(), startedAt: Date.now(), apiAddress: '', partitions: [] });
      const worker = new Worker({ config, kafka, logger: log.child({ role: 'worker' }), sourceTopic: genesis.topic });
      const sequencer = new Sequencer({ config, kafka, logger: log, coordination: sequencerCoordination(zk, paths, config.replicaId), genesis: { hash: genesis.hash, start: genesis.start }, sourceTopic: genesis.topic });
      const election = new LeaderElection({ session: zk, paths, replicaId: config.replicaId, logger: log.child({ component: 'election' }) });
      const replica = new Replica(config, log, zk, genesis, kafka, member, worker, sequencer, election);
      await replica.wire(paths);
      return replica;
    } catch (err) {
      await zk.close().catch(() => undefined);
      throw err;
    }
  }

  private async wire(paths: ChainPaths): Promise<void> {
    const { member, worker, sequencer, election, logger } = this;
    await member.register();
    worker.on('worker:assigned', (partitions) => {
      member.update({ partitions }).catch((err: unknown) => logger.warn({ err }, 'could not publish partition ownership'));
    });
    election.on('elected', () => {
      if (!this.halted && !this.closing) sequencer.lead();
    });
    election.on('lost', (reason) => {
      void sequencer.stop(`leadership lost: ${reason}`);
    });
    sequencer.on('sequencer:halted', (err) => {
      // Stop sequencing for good on this replica: it must not write a chain it cannot trust.
      this.halted = true;
      logger.fatal({ code: err.code, details: err.details }, 'replica stops sequencing; it keeps running as a worker');
      void election.close();
    });
    sequencer.on('sequencer:stopped', ({ reason, failed }) => {
      // A term that failed while this replica still holds the election (fenced, Kafka error):
      // hand leadership on, so a healthy replica (or this one, later) takes over.
      if (failed && !this.halted && !this.closing && election.isLeader) {
        logger.warn({ reason }, 'sequencer term ended while leading: resigning');
        void clearLeader(this.zk, paths).catch(() => undefined);
        void election.resign().catch((err: unknown) => logger.error({ err }, 'resign failed'));
      }
    });
    await worker.start();
    await election.start();
  }

  /** Graceful stop: hand off leadership first, then leave the worker group, then ZooKeeper. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const steps: [string, () => Promise<unknown>][] = [
        ['sequencer', () => this.sequencer.stop('replica closing')],
        ['election', () => this.election.close()],
        ['worker', () => this.worker.close()],
        ['member', () => this.member.close()],
        ['zookeeper', () => this.zk.close()],
      ];
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

