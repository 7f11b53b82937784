import { bindOnce, type Logger } from '../log.js';
import { sleep } from '../retry/sleep.js';
import { apiAddressOf, listMemberNodes, memberOfSession } from './members.js';
import type { ChainPaths } from './paths.js';
import { followUntilGone, type Peer } from './peer-follow.js';
import type { ZkSession } from './zk-session.js';

/** A peer process found gone, with the last worker member id its member node published. */
export interface GoneMember extends Peer {
  workerMemberId: string | null;
}

export interface MemberWatchOptions {
  session: ZkSession;
  paths: ChainPaths;
  /** This replica: never watched. */
  replicaId: string;
  /** Called once per peer process found gone. */
  onGone: (member: GoneMember) => void;
  logger?: Logger;
  /** How often the member list is read for new peers, ms. @defaultValue 1000 */
  pollMs?: number;
  /** As PredecessorWatchOptions. @defaultValue 1000 */
  attemptTimeoutMs?: number;
  /** As PredecessorWatchOptions. @defaultValue 1000 */
  retryMs?: number;
}

/**
 * The workers of a crashed replica (docs/DESIGN.md, "Workers of a crashed replica"): a SIGKILLed
 * replica's worker stays a member of the worker group until the broker expires its session
 * (`worker.sessionTimeoutMs`, at least the broker's `group.min.session.timeout.ms`), and its
 * partitions wait that long. So every replica follows each peer's liveness stream, as a
 * candidate follows its predecessor's (./predecessor-watch.ts, same rules: only a refusal or
 * another session at an address where the peer's own identity was seen counts), and reports a
 * peer found gone with the worker member id it last published; the replica then removes that
 * member from the group, which rebalances at once. A wrong verdict would cost a rebalance, never
 * a record: workers are at-least-once and the sequencer drops repeats.
 */
export class MemberWatch {
  private readonly logger: Logger;
  private readonly pollMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly retryMs: number;
  /**
   * Followed peers by `<replicaId>/<owner>`; a gone one stays here until its node is gone, so it is
   * reported once. `absent`: member list reads since its node was last seen.
   */
  private readonly followed = new Map<string, { controller: AbortController; absent: number }>();
  private readonly stopped = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(private readonly options: MemberWatchOptions) {
    this.logger = bindOnce(options.logger ?? options.session.logger, { component: 'member-watch' });
    this.pollMs = options.pollMs ?? 1_000;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 1_000;
    this.retryMs = options.retryMs ?? 1_000;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.stopped.abort();
    for (const f of this.followed.values()) f.controller.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.stopped.signal;
    while (!signal.aborted) {
      try {
        const nodes = await listMemberNodes(this.options.session, this.options.paths);
        const present = new Set<string>();
        for (const { member, owner } of nodes) {
          if (member.replicaId === this.options.replicaId) continue;
          const key = `${member.replicaId}/${owner}`;
          present.add(key);
          if (!this.followed.has(key)) this.follow({ replicaId: member.replicaId, owner }, member.workerMemberId ?? null, key);
        }
        for (const [key, followed] of this.followed) {
          if (present.has(key)) {
            followed.absent = 0;
            continue;
          }
          // Its node is gone (a clean stop, an expired session, or a restart that replaced it).
          // The follow runs one more read first: a crash's verdict comes within milliseconds of
          // the stream's end, and a restarted process may replace the node just after that.
          if (++followed.absent < 2) continue;
          followed.controller.abort();
          this.followed.delete(key);
        }
      } catch (err) {
        if (!signal.aborted) this.logger.debug({ err }, 'member list not read; trying again');
      }
      await sleep(this.pollMs, { signal, unref: true }).catch(() => undefined);
    }
  }

  private follow(peer: Peer, workerMemberId: string | null, key: string): void {
    const controller = new AbortController();
    this.followed.set(key, { controller, absent: 0 });
    let lastWorkerMemberId = workerMemberId;
    const { session, paths } = this.options;
    const addressOf = async (): Promise<string | null> => {
      const member = await memberOfSession(session, paths, peer.replicaId, peer.owner);
      if (member?.workerMemberId) lastWorkerMemberId = member.workerMemberId;
      return apiAddressOf(member);
    };
    const { attemptTimeoutMs, retryMs, logger } = this;
    followUntilGone(peer, { addressOf, attemptTimeoutMs, retryMs, logger }, controller.signal)
      .then((gone) => {
        if (gone) this.options.onGone({ ...peer, workerMemberId: lastWorkerMemberId });
      })
      .catch((err: unknown) => {
        // A ZooKeeper error while reading its node: its session timeout decides; followed again at the next poll.
        if (!controller.signal.aborted) this.logger.debug({ err, peer: peer.replicaId }, 'peer watch stopped; following it again');
        if (this.followed.get(key)?.controller === controller) this.followed.delete(key);
      });
  }
}
