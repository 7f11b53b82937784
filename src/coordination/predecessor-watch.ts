import { bindOnce, type Logger } from '../log.js';
import type { LeaderElection, Predecessor } from './election.js';
import { apiAddressOf, memberOfSession } from './members.js';
import type { ChainPaths } from './paths.js';
import { followUntilGone } from './peer-follow.js';
import type { ZkSession } from './zk-session.js';

/**
 * Fast takeover after a crash (docs/DESIGN.md "Losing leadership", docs/OPERATIONS.md): a
 * SIGKILLed leader keeps its election node until ZooKeeper expires its session
 * (`zookeeper.sessionTimeoutMs`). Its kernel, though, closes its sockets at once. So each
 * candidate holds its predecessor's `GET /v1/liveness` stream open; when that stream ends and
 * the address then refuses connections, or answers with another ZooKeeper session, that
 * process is gone and the candidate deletes its election node: the queue moves on in
 * milliseconds instead of seconds.
 *
 * Nothing else counts as gone: a timeout, a stall (a partition, a stopped process), an HTTP
 * error or a proxy's 502 leave the node to its session timeout, as before. A refusal counts only
 * at an address where this watch has seen the predecessor's own identity, so a wrong advertised
 * address can never evict a live leader. And a live process wrongly evicted would still be safe:
 * its successor bumps the epoch and fences it at the broker, the zombie path every leader change
 * already takes.
 */

export interface PredecessorWatchOptions {
  election: LeaderElection;
  session: ZkSession;
  paths: ChainPaths;
  logger?: Logger;
  /** Connect and first-event timeout of one attempt, ms. @defaultValue 1000 */
  attemptTimeoutMs?: number;
  /** Pause after an attempt that said nothing (unknown), ms. @defaultValue 1000 */
  retryMs?: number;
}

export class PredecessorWatch {
  private readonly logger: Logger;
  private readonly attemptTimeoutMs: number;
  private readonly retryMs: number;
  private current: AbortController | null = null;
  private following: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly onPredecessor = (predecessor: Predecessor | null): void => this.follow(predecessor);

  constructor(private readonly options: PredecessorWatchOptions) {
    this.logger = bindOnce(options.logger ?? options.session.logger, { component: 'predecessor-watch' });
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 1_000;
    this.retryMs = options.retryMs ?? 1_000;
  }

  start(): void {
    this.options.election.on('predecessor', this.onPredecessor);
    this.follow(this.options.election.predecessor);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.options.election.off('predecessor', this.onPredecessor);
    this.current?.abort();
    await this.following;
  }

  private follow(predecessor: Predecessor | null): void {
    this.current?.abort();
    this.current = null;
    if (!predecessor || this.closed) return;
    const controller = new AbortController();
    this.current = controller;
    const previous = this.following;
    this.following = previous.then(() =>
      this.watch(predecessor, controller.signal).catch((err: unknown) => {
        // A ZooKeeper error while reading or deleting: the session timeout still decides.
        if (!controller.signal.aborted) this.logger.warn({ err, node: predecessor.path }, 'predecessor watch stopped; its session timeout decides');
      }),
    );
  }

  private async watch(predecessor: Predecessor, signal: AbortSignal): Promise<void> {
    const { attemptTimeoutMs, retryMs, logger } = this;
    const gone = await followUntilGone(predecessor, { addressOf: () => this.apiAddressOf(predecessor), attemptTimeoutMs, retryMs, logger }, signal);
    if (gone) await this.options.election.evictPredecessor(predecessor);
  }

  /** The API address in the predecessor's member node, when that node belongs to the same session. */
  private async apiAddressOf(predecessor: Predecessor): Promise<string | null> {
    return apiAddressOf(await memberOfSession(this.options.session, this.options.paths, predecessor.replicaId, predecessor.owner));
  }
}
