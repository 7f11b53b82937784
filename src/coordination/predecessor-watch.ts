import { sleep } from '../retry/sleep.js';
import { bindOnce, type Logger } from '../log.js';
import type { LivenessIdentity } from '../wire/liveness-event.js';
import type { LeaderElection, Predecessor } from './election.js';
import { decodeMember } from './members.js';
import type { ChainPaths } from './paths.js';
import { openLiveness, type LivenessAttempt } from './peer-liveness.js';
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

export type Verdict = 'alive' | 'gone' | 'unknown';

/** What an attempt says about `predecessor`; `seenAtAddress`: its identity was seen at this address before. */
export function judgeAttempt(predecessor: Predecessor, attempt: LivenessAttempt, seenAtAddress: boolean): Verdict {
  if (attempt.kind === 'open') {
    if (isPredecessor(predecessor, attempt.identity)) return 'alive';
    return seenAtAddress ? 'gone' : 'unknown';
  }
  if (attempt.kind === 'refused') return seenAtAddress ? 'gone' : 'unknown';
  return 'unknown';
}

function isPredecessor(predecessor: Predecessor, identity: LivenessIdentity): boolean {
  return identity.session === predecessor.owner && identity.replicaId === predecessor.replicaId;
}

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
    let seenAt: string | null = null;
    while (!signal.aborted) {
      // A supervisor may restart the process at once under the same replica id, and its new
      // session replace the member node: the address where the watched one was seen still tells.
      const address: string | null = (await this.apiAddressOf(predecessor)) ?? seenAt;
      if (signal.aborted) return;
      if (address === null) {
        await sleep(this.retryMs, { signal, unref: true });
        continue;
      }
      const attempt = await openLiveness(address, this.attemptTimeoutMs, signal);
      const verdict = judgeAttempt(predecessor, attempt, seenAt === address);
      if (verdict === 'alive' && attempt.kind === 'open') {
        if (seenAt !== address) this.logger.debug({ node: predecessor.path, predecessor: predecessor.replicaId, address }, 'following predecessor liveness');
        seenAt = address;
        const stop = (): void => attempt.close();
        signal.addEventListener('abort', stop, { once: true });
        await attempt.ended;
        signal.removeEventListener('abort', stop);
        continue; // ask again at once: a dead process refuses now
      }
      if (verdict === 'gone') {
        if (!signal.aborted) await this.options.election.evictPredecessor(predecessor);
        return;
      }
      if (attempt.kind === 'unknown')
        this.logger.debug({ node: predecessor.path, address, reason: attempt.reason }, 'predecessor liveness unknown; asking again');
      await sleep(this.retryMs, { signal, unref: true });
    }
  }

  /** The API address in the predecessor's member node, when that node belongs to the same session. */
  private async apiAddressOf(predecessor: Predecessor): Promise<string | null> {
    const path = this.options.paths.member(predecessor.replicaId);
    const got = await this.options.session.getData(path);
    if (got === null || got.stat.ephemeralOwner !== predecessor.owner) return null;
    const address = decodeMember(got.data, path).apiAddress;
    return address === '' ? null : address;
  }
}
