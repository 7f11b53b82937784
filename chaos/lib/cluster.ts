/**
 * Everything a fault acts on and measures with: the replica processes (scripts/lib/replica-set),
 * the producer, the ledger watcher, the znode view, the seeded PRNG, and the run-time violation
 * log. Also the shared waits: a live leader, settled partition ownership, and recovery (the
 * ledger covering every record acknowledged at a reference moment).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { ReplicaProcess, ReplicaSet } from '../../scripts/lib/replica-set.js';
import type { LeaderInfo } from '../../src/coordination/leader.js';
import { kafkaNames } from '../../src/kafka/names.js';
import { withAdmin } from '../../src/kafka/offsets.js';
import type { MemberInfo } from '../../src/coordination/members.js';
import type { Logger } from '../../src/log.js';
import { chainTopics, waitInSync } from './kafka-roles.js';
import type { StackLayout } from './layout.js';
import type { LedgerState, LedgerWatcher } from './ledger-watch.js';
import type { NetSplit } from './netsplit.js';
import type { ChaosOptions } from './options.js';
import type { ChaosProducer } from './producer.js';
import type { Prng } from './prng.js';
import type { ViolationLog } from './report.js';
import { nodeCommand } from './stack.js';
import type { ZkView } from './zk-view.js';

export interface UnexpectedExit {
  replicaId: string;
  code: number | null;
  signal: string | null;
  logFile: string;
  /** The fault running when it was noticed. */
  during: string;
}

export class ChaosCluster {
  /** Replica ids that should be running between faults. */
  ids: string[] = [];
  /** Source partitions the topic has (grown by the partition-expansion fault). */
  partitions: number;
  /** Epochs of leaders that were SIGSTOPped: the history check names their late writes `zombie-wrote`. */
  readonly zombieEpochs = new Set<number>();
  /** Replicas SIGSTOPped right now (never picked as a target, never restarted). */
  readonly stopped = new Set<string>();
  readonly unexpectedExits: UnexpectedExit[] = [];
  /** Findings that are not history violations (a replica that lost its membership, …). */
  readonly warnings: string[] = [];
  /** The fault running now, and the last one that finished (for log lines). */
  current = 'start';
  last = 'none';
  /** Where the stack listens, and (cluster runs) the network partitions. */
  layout: StackLayout | null = null;
  netsplit: NetSplit | null = null;
  /** Stack nodes (kafka-2, zookeeper-1…) a fault stopped and has not started again. */
  readonly downNodes = new Set<string>();
  private nextIndex = 1;

  constructor(
    readonly opts: Readonly<ChaosOptions>,
    readonly chain: string,
    readonly topic: string,
    readonly kafka: Kafka,
    readonly set: ReplicaSet,
    readonly zk: ZkView,
    readonly watcher: LedgerWatcher,
    readonly producer: ChaosProducer,
    readonly prng: Prng,
    readonly violations: ViolationLog,
    readonly logger: Logger,
    readonly say: (line: string) => void,
  ) {
    this.partitions = opts.partitions;
  }

  /** A replica id not used before in this run. */
  newId(): string {
    return `${this.chain}-r${this.nextIndex++}`;
  }

  start(id: string): ReplicaProcess {
    const p = this.set.start(id);
    // At once, before the new process opens a socket (a socket keeps the cgroup it was made in).
    if (this.netsplit && p.child.pid !== undefined) this.netsplit.place(id, p.child.pid);
    return p;
  }

  /** Stops one stack node (SIGKILL with kill); settle() starts it again if the fault does not. */
  async stopNode(node: string, kill: boolean): Promise<void> {
    this.downNodes.add(node);
    await nodeCommand('stop', node, { kill });
  }

  /** Starts one stack node; resolves once it is up (a broker registered, a ZooKeeper server serving). */
  async startNode(node: string): Promise<void> {
    await nodeCommand('start', node);
    this.downNodes.delete(node);
  }

  /**
   * Cluster runs: every replica of the chain's topics back in sync (a restarted broker caught
   * up), so the next fault starts from a healthy cluster. Returns the wait, or null after the timeout.
   */
  waitKafkaInSync(timeoutMs = 60_000): Promise<number | null> {
    return waitInSync(this.kafka, chainTopics(this.chain, this.topic), timeoutMs);
  }

  alive(id: string): boolean {
    const p = this.set.replicas.get(id);
    return p !== undefined && p.child.exitCode === null && p.child.signalCode === null;
  }

  /**
   * Starts any stack node a fault left stopped, and restarts every expected replica that exited
   * by itself (both are findings).
   */
  async ensureAlive(): Promise<void> {
    for (const node of [...this.downNodes]) {
      this.warn(`stack node ${node} was left stopped by ${this.last}; starting it`);
      await this.startNode(node);
    }
    for (const id of this.ids) {
      if (this.stopped.has(id) || this.alive(id)) continue;
      const p = this.set.replicas.get(id);
      if (p) {
        const exit: UnexpectedExit = {
          replicaId: id,
          code: p.child.exitCode,
          signal: p.child.signalCode,
          logFile: p.logFile,
          during: `${this.last} or ${this.current}`,
        };
        this.unexpectedExits.push(exit);
        this.warn(`replica ${id} exited by itself (code ${exit.code}, signal ${exit.signal}) after ${this.last}; log ${exit.logFile}; restarting it`);
      }
      this.start(id);
    }
  }

  /**
   * The leader that is alive and current: its znode names a running, not stopped, expected
   * replica, and its epoch is at least the last epoch that wrote a cut (a SIGKILLed leader's
   * znode lingers until its session expires, and a restarted process has the same id).
   */
  async liveLeader(timeoutMs = 60_000): Promise<LeaderInfo | null> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const l = await this.zk.leader();
      if (l && this.ids.includes(l.replicaId) && this.alive(l.replicaId) && !this.stopped.has(l.replicaId) && Number(l.epoch) >= this.watcher.state.epoch)
        return l;
      await sleep(100);
    }
    return null;
  }

  /** Waits until exactly `ids` are members and together own every partition once. */
  async waitOwnership(ids: readonly string[], timeoutMs = 60_000): Promise<MemberInfo[] | null> {
    const want = [...ids].sort().join(',');
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const members = await this.zk.members();
      if (
        members &&
        members
          .map((m) => m.replicaId)
          .sort()
          .join(',') === want
      ) {
        const owned = members.flatMap((m) => m.partitions).sort((a, b) => a - b);
        if (owned.length === this.partitions && owned.every((p, i) => p === i)) return members;
      }
      await sleep(200);
    }
    return null;
  }

  /**
   * When the chain moved past `ref` on every source partition: the ledger covers every record
   * acknowledged at the reference moment AND, on each partition, at least one acknowledged
   * after it (so a partition whose owner died counts only once it flows again), and `extra`
   * holds. ms since the Unix epoch; null after the recovery timeout.
   */
  waitRecovered(ref: readonly number[], extra: (s: LedgerState) => boolean = () => true, timeoutMs = this.opts.recoveryTimeoutMs): Promise<number | null> {
    const want = Array.from({ length: this.partitions }, (_, p) => (ref[p] ?? 0) + 1);
    return this.watcher.waitFor((s) => this.watcher.covers(want) && extra(s), timeoutMs);
  }

  /** A finding that is not a history violation (printed, counted in the JSON). */
  warn(message: string): void {
    this.warnings.push(`${this.current}: ${message}`);
    this.say(`chaos: WARNING ${message}`);
  }

  /**
   * Between scenario faults: every stack node and expected replica running, (cluster) every
   * topic replica back in sync, a live leader, ownership settled,
   * and the chain moved past what was acknowledged when settling began. What does not happen in
   * time is a warning, not a violation: the next fault's recovery is what is judged. A replica
   * that runs but is not a member (it lost ZooKeeper for good) is restarted, as a supervisor
   * watching /readyz would.
   */
  async settle(timeoutMs = 45_000): Promise<void> {
    await this.ensureAlive();
    if (this.layout?.cluster && (await this.waitKafkaInSync(timeoutMs)) === null)
      this.warn(`the chain's topics did not get every replica back in sync within ${timeoutMs} ms`);
    const ref = this.producer.snapshot();
    if (!(await this.liveLeader(timeoutMs))) this.warn(`no live leader ${timeoutMs} ms after ${this.current}`);
    if (!(await this.waitOwnership(this.ids, timeoutMs))) {
      const list = (await this.zk.members()) ?? [];
      const members = new Set(list.map((m) => m.replicaId));
      const lost = this.ids.filter((id) => !members.has(id) && this.alive(id));
      const inGroup = await this.workerGroupClients();
      const deadWorkers = inGroup === null ? [] : this.ids.filter((id) => members.has(id) && this.alive(id) && !inGroup.has(`seqchain-${id}-replica`));
      const claims = list.map((m) => `${m.replicaId.slice(this.chain.length + 1)}:[${m.partitions.join(',')}]`).join(' ');
      this.warn(
        `partition ownership did not settle over [${this.ids.join(', ')}] within ${timeoutMs} ms (members claim ${claims || 'nothing'})` +
          `${lost.length ? `; running but not a member: ${lost.join(', ')} (restarting)` : ''}` +
          `${deadWorkers.length ? `; a member but not in the worker group (its consumer is gone): ${deadWorkers.join(', ')} (restarting)` : ''}`,
      );
      for (const id of [...lost, ...deadWorkers]) {
        await this.set.kill(id, 'SIGKILL');
        this.start(id);
      }
      if (lost.length + deadWorkers.length > 0 && !(await this.waitOwnership(this.ids, timeoutMs)))
        this.warn(`ownership still not settled after restarting ${[...lost, ...deadWorkers].join(', ')}`);
    }
    if ((await this.waitRecovered(ref, undefined, timeoutMs)) === null)
      this.warn(`the chain did not move past the acknowledged records within ${timeoutMs} ms`);
  }

  /** Kafka client ids of the worker group's members (`seqchain-<replicaId>-replica`); null if Kafka did not answer. */
  private async workerGroupClients(): Promise<Set<string> | null> {
    try {
      const { groups } = await withAdmin(this.kafka, (admin) => admin.describeGroups([kafkaNames.workerGroup(this.chain)]));
      return new Set((groups[0]?.members ?? []).map((m) => m.clientId));
    } catch {
      return null;
    }
  }

  /** A random element, from the run's seeded PRNG. */
  pick<T>(items: readonly T[]): T {
    return this.prng.pick(items);
  }
}
