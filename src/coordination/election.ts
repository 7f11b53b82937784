import { EventEmitter } from 'node:events';
import { SeqchainError } from '../errors.js';
import { bindOnce, type Logger } from '../log.js';
import { ELECTION_NODE_PREFIX, validateZnodeName, type ChainPaths } from './paths.js';
import { isZkError, type ZkSession } from './zk-session.js';

/**
 * Leader election (ZooKeeper recipe): every candidate creates an ephemeral-sequential
 * `<election>/n_<seq>` node whose data is its replica id; the lowest sequence leads. Each
 * candidate watches only its direct predecessor (no herd effect when the leader goes).
 *
 * Safety (docs/DESIGN.md "Losing leadership"): on 'disconnected' a leader emits 'lost' AT ONCE —
 * it may have lost leadership without being told. After 'connected' (same session) it checks that
 * its node still exists and is the lowest before emitting 'elected' again. After a new session
 * it creates a new node (at the back of the queue) and runs again.
 *
 * Events: 'elected' (this replica leads now), 'lost' (reason: 'disconnected' | 'expired' |
 * 'resigned' | 'closed' | 'node-deleted'), 'predecessor' (the node this candidate now waits
 * behind, or null: src/coordination/predecessor-watch.ts watches that process's liveness).
 */

export type LostReason = 'disconnected' | 'expired' | 'resigned' | 'closed' | 'node-deleted';

export interface LeaderElectionEvents {
  elected: [];
  lost: [reason: LostReason];
  predecessor: [predecessor: Predecessor | null];
}

/** The candidate this one waits behind: its node, the session that owns it and its replica id. */
export interface Predecessor {
  path: string;
  /** The node's ephemeralOwner: that candidate's ZooKeeper session id (16 hex digits). */
  owner: string;
  replicaId: string;
}

export interface Candidate {
  /** Node name, e.g. n_0000000003 */
  node: string;
  path: string;
  sequence: number;
  /** The node's data: the candidate's replica id ('' when unreadable). */
  replicaId: string;
}

export interface LeaderElectionOptions {
  session: ZkSession;
  paths: ChainPaths;
  replicaId: string;
  logger?: Logger;
  /** Pause before re-running after a failed ZooKeeper call, ms. @defaultValue 200 */
  retryDelayMs?: number;
}

function sequenceOf(node: string): number {
  const m = /(\d{10})$/.exec(node);
  return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
}

function sortCandidates(nodes: string[]): string[] {
  return nodes.filter((n) => n.startsWith(ELECTION_NODE_PREFIX)).sort((a, b) => sequenceOf(a) - sequenceOf(b));
}

/** Every candidate of a chain's election in order (the first leads), with its replica id: for any session, not only a candidate's. */
export async function listCandidates(session: ZkSession, paths: ChainPaths): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const node of sortCandidates((await session.getChildren(paths.election)) ?? [])) {
    const path = `${paths.election}/${node}`;
    const got = await session.getData(path);
    if (got === null) continue;
    out.push({ node, path, sequence: sequenceOf(node), replicaId: got.data.toString('utf8') });
  }
  return out;
}

export class LeaderElection extends EventEmitter<LeaderElectionEvents> {
  private readonly session: ZkSession;
  private readonly paths: ChainPaths;
  private readonly replicaId: string;
  private readonly logger: Logger;
  private readonly retryDelayMs: number;

  private started = false;
  private closed = false;
  private leader = false;
  private ownNode: string | null = null;
  private watched: string | null = null;
  private predecessorValue: Predecessor | null = null;
  /** Bumped on every new session: work begun in an older one is discarded. */
  private generation = 0;
  private running = false;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  private readonly onDisconnected = (): void => {
    this.setPredecessor(null);
    this.setLeader(false, 'disconnected');
  };
  private readonly onConnected = (): void => this.schedule();
  private readonly onExpired = (): void => {
    this.generation++;
    this.ownNode = null;
    this.setPredecessor(null);
    this.setLeader(false, 'expired');
  };
  private readonly onSession = (): void => {
    this.generation++;
    this.ownNode = null;
    this.schedule();
  };

  constructor(options: LeaderElectionOptions) {
    super();
    this.session = options.session;
    this.paths = options.paths;
    this.replicaId = validateZnodeName('replicaId', options.replicaId);
    this.logger = bindOnce(options.logger ?? options.session.logger, { component: 'election', replicaId: options.replicaId });
    this.retryDelayMs = options.retryDelayMs ?? 200;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** Full path of this candidate's node, or null while it has none. */
  get nodePath(): string | null {
    return this.ownNode;
  }

  /** The predecessor node this candidate watches (null while leading or not joined). */
  get watching(): string | null {
    return this.watched;
  }

  /** The candidate this one waits behind, or null while leading, disconnected or not joined. */
  get predecessor(): Predecessor | null {
    return this.predecessorValue;
  }

  /**
   * Deletes the predecessor's node when it is still the one `predecessor` named (same path, same
   * owning session): the predecessor watch found that process gone, so the queue moves on now
   * instead of after its session timeout. Safe against a process that is in fact alive: it stops
   * leading when a successor bumps the epoch and fences it, as any zombie leader does
   * (docs/DESIGN.md "Losing leadership"). False when there was nothing to delete.
   */
  async evictPredecessor(predecessor: Predecessor): Promise<boolean> {
    if (this.closed || this.predecessorValue?.path !== predecessor.path) return false;
    const stat = await this.session.exists(predecessor.path);
    if (stat === null || stat.ephemeralOwner !== predecessor.owner) return false;
    const removed = await this.session.remove(predecessor.path, stat.version);
    if (removed) {
      this.logger.warn(
        { node: predecessor.path, predecessor: predecessor.replicaId, session: predecessor.owner },
        'predecessor process is gone: its election node deleted without waiting for its session timeout',
      );
    }
    return removed;
  }

  /**
   * Deletes the election nodes of a session whose process a peer's member watch found gone
   * (./member-watch.ts, the same rule as the predecessor watch's): the queue moves on at the first
   * replica's verdict, not only at the successor's, whose event loop can be the busiest of the set
   * (it may have just taken the index lease). Same safety as evictPredecessor. Returns how many
   * nodes it deleted (none when the successor got there first).
   */
  async evictSession(peer: Readonly<Pick<Predecessor, 'owner' | 'replicaId'>>): Promise<number> {
    if (this.closed) return 0;
    let removed = 0;
    for (const node of sortCandidates((await this.session.getChildren(this.paths.election)) ?? [])) {
      const path = `${this.paths.election}/${node}`;
      if (path === this.ownNode) continue;
      const stat = await this.session.exists(path);
      if (stat === null || stat.ephemeralOwner !== peer.owner || !(await this.session.remove(path, stat.version))) continue;
      removed++;
      this.logger.warn(
        { node: path, peer: peer.replicaId, session: peer.owner },
        'peer process is gone: its election node deleted without waiting for its session timeout',
      );
    }
    return removed;
  }

  /** Joins the election. Resolves once this candidate's node exists and the first check ran. */
  async start(): Promise<void> {
    if (this.started) throw new SeqchainError('SEQCHAIN_ERR_ALREADY_STARTED', `election for ${this.replicaId} already started`);
    this.started = true;
    this.session.on('disconnected', this.onDisconnected);
    this.session.on('connected', this.onConnected);
    this.session.on('expired', this.onExpired);
    this.session.on('session', this.onSession);
    await this.session.mkdirp(this.paths.election);
    await this.checkOnce(this.generation);
    this.schedule(); // settles anything that changed meanwhile
  }

  /**
   * Hands leadership off: deletes this candidate's node and re-joins at the back of the queue.
   * When other candidates wait, the next one in order becomes leader.
   */
  async resign(): Promise<void> {
    if (!this.started || this.closed) return;
    const node = this.ownNode;
    this.ownNode = null;
    this.setLeader(false, 'resigned');
    if (node !== null) await this.session.remove(node);
    this.schedule();
  }

  /** Leaves the election for good: deletes the node; emits 'lost' if it was leading. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.setPredecessor(null);
    this.setLeader(false, 'closed');
    this.session.off('disconnected', this.onDisconnected);
    this.session.off('connected', this.onConnected);
    this.session.off('expired', this.onExpired);
    this.session.off('session', this.onSession);
    const node = this.ownNode;
    this.ownNode = null;
    if (node !== null && this.session.isConnected) {
      try {
        await this.session.remove(node);
      } catch (err) {
        this.logger.warn({ err, node }, 'could not delete election node (it goes with the session)');
      }
    }
  }

  /** Every candidate in order (the first leads), with its replica id. */
  async candidates(): Promise<Candidate[]> {
    return listCandidates(this.session, this.paths);
  }

  /** The candidate holding the lowest node (the leader, as ZooKeeper sees it), or null. */
  async currentLeaderNode(): Promise<Candidate | null> {
    return (await this.candidates())[0] ?? null;
  }

  private setLeader(value: boolean, reason: LostReason = 'node-deleted'): void {
    if (this.leader === value) return;
    this.leader = value;
    if (value) {
      this.logger.info({ node: this.ownNode }, 'elected leader');
      this.emit('elected');
    } else {
      this.logger.warn({ reason }, 'leadership lost');
      this.emit('lost', reason);
    }
  }

  private setPredecessor(value: Predecessor | null): void {
    const old = this.predecessorValue;
    if (old?.path === value?.path && old?.owner === value?.owner) return;
    this.predecessorValue = value;
    this.emit('predecessor', value);
  }

  /** Runs checkOnce serially; a request while running makes it run once more. */
  private schedule(): void {
    if (!this.started || this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void (async () => {
      try {
        do {
          this.again = false;
          try {
            await this.checkOnce(this.generation);
          } catch (err) {
            this.logger.warn({ err }, 'election check failed; retrying');
            if (this.retryTimer) clearTimeout(this.retryTimer);
            this.retryTimer = setTimeout(() => this.schedule(), this.retryDelayMs);
            this.retryTimer.unref();
          }
        } while (this.again && !this.closed);
      } finally {
        this.running = false;
      }
    })();
  }

  /**
   * One pass of the recipe: make sure this candidate has a node, list the candidates, lead when
   * lowest, otherwise watch the direct predecessor.
   */
  private async checkOnce(gen: number): Promise<void> {
    if (this.closed || !this.session.isConnected) return; // 'connected' / 'session' re-runs it
    const stale = (): boolean => gen !== this.generation || this.closed;

    if (this.ownNode === null) {
      const node = await this.adoptOrCreate();
      if (stale()) {
        this.again = true;
        return;
      }
      this.ownNode = node;
      this.logger.debug({ node }, 'joined election');
    }
    const own = this.ownNode.slice(this.paths.election.length + 1);
    const names = sortCandidates((await this.session.getChildren(this.paths.election)) ?? []);
    if (stale()) {
      this.again = true;
      return;
    }
    const idx = names.indexOf(own);
    if (idx < 0) {
      // our node is gone (deleted by someone, or the session that held it ended): join again
      this.ownNode = null;
      this.setLeader(false, 'node-deleted');
      this.again = true;
      return;
    }
    this.watched = null;
    if (idx === 0) {
      this.setPredecessor(null);
      // watch our own node: if anyone deletes it, we stop leading
      const stat = await this.session.exists(this.ownNode, (e) => {
        if (e.type === 'deleted' || e.type === 'dataChanged') this.schedule();
      });
      if (stale()) {
        this.again = true;
        return;
      }
      if (stat === null) {
        this.ownNode = null;
        this.setLeader(false, 'node-deleted');
        this.again = true;
        return;
      }
      if (this.session.isConnected) this.setLeader(true);
      return;
    }
    this.setLeader(false, 'node-deleted');
    const predecessor = `${this.paths.election}/${names[idx - 1] as string}`;
    // getData, not exists: the node's data names the replica whose liveness the watch follows.
    const got = await this.session.getData(predecessor, (e) => {
      if (e.type === 'deleted') this.schedule();
    });
    if (stale()) {
      this.again = true;
      return;
    }
    if (got === null)
      this.again = true; // it went between the listing and the watch
    else {
      this.watched = predecessor;
      this.setPredecessor({ path: predecessor, owner: got.stat.ephemeralOwner, replicaId: got.data.toString('utf8') });
      this.logger.debug({ predecessor }, 'watching predecessor');
    }
  }

  /**
   * A create whose answer was lost may have left a node of this session in the queue; adopt it
   * rather than wait behind our own ghost. Otherwise create a new node.
   */
  private async adoptOrCreate(): Promise<string> {
    const sessionId = this.session.sessionId;
    const names = sortCandidates((await this.session.getChildren(this.paths.election)) ?? []);
    for (const node of names) {
      const path = `${this.paths.election}/${node}`;
      const got = await this.session.getData(path);
      if (got !== null && got.stat.ephemeralOwner === sessionId && got.data.toString('utf8') === this.replicaId) return path;
    }
    try {
      return await this.session.create(this.paths.electionPrefix, Buffer.from(this.replicaId, 'utf8'), 'ephemeral_sequential');
    } catch (err) {
      if (!isZkError(err, 'NO_NODE')) throw err;
      await this.session.mkdirp(this.paths.election);
      return this.session.create(this.paths.electionPrefix, Buffer.from(this.replicaId, 'utf8'), 'ephemeral_sequential');
    }
  }
}
