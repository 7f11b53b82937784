import type { Logger } from '../log.js';
import { sleep } from '../retry/sleep.js';
import type { LivenessIdentity } from '../wire/liveness-event.js';
import { openLiveness, type LivenessAttempt } from './peer-liveness.js';

/**
 * Following a peer replica process through its `GET /v1/liveness` stream until it is gone, for
 * the predecessor watch (./predecessor-watch.ts) and the member watch (./member-watch.ts). The
 * rules are in the predecessor watch's header: only a refusal, or another session, at an
 * address where the peer's own identity was seen says "gone"; nothing else decides.
 */

export type Verdict = 'alive' | 'gone' | 'unknown';

/** A replica process as ZooKeeper knows it: its id and the session that owns its ephemeral nodes. */
export interface Peer {
  replicaId: string;
  /** The ephemeralOwner of its nodes: its ZooKeeper session id (16 hex digits). */
  owner: string;
}

/** What an attempt says about `peer`; `seenAtAddress`: its identity was seen at this address before. */
export function judgeAttempt(peer: Peer, attempt: LivenessAttempt, seenAtAddress: boolean): Verdict {
  if (attempt.kind === 'open') {
    if (isPeer(peer, attempt.identity)) return 'alive';
    return seenAtAddress ? 'gone' : 'unknown';
  }
  if (attempt.kind === 'refused') return seenAtAddress ? 'gone' : 'unknown';
  return 'unknown';
}

function isPeer(peer: Peer, identity: LivenessIdentity): boolean {
  return identity.session === peer.owner && identity.replicaId === peer.replicaId;
}

/**
 * Attempts that say nothing right after the peer's stream ended are retried this soon, this many
 * times, before `retryMs` applies: a process being killed can still take a connection on its
 * listening socket and reset it (an 'unknown', not a refusal), and a full `retryMs` after that
 * delayed the verdict by a second (docs/PERFORMANCE.md, the 30 leader kills).
 */
const QUICK_RETRIES = 5;
const QUICK_RETRY_MS = 50;

export interface FollowOptions {
  /** The API address the peer's member node gives now, or null (no node, or another session's). */
  addressOf: () => Promise<string | null>;
  attemptTimeoutMs: number;
  retryMs: number;
  logger: Logger;
}

/**
 * Holds `peer`'s liveness stream, asking again each time it ends, until an attempt says the
 * process is gone (resolves true) or `signal` aborts (false). A supervisor may restart the process
 * at once under the same replica id, and its new session replace the member node: the address
 * where the watched one was seen still tells.
 */
export async function followUntilGone(peer: Peer, options: FollowOptions, signal: AbortSignal): Promise<boolean> {
  const { addressOf, attemptTimeoutMs, retryMs, logger } = options;
  let seenAt: string | null = null;
  let quick = 0;
  while (!signal.aborted) {
    const address: string | null = (await addressOf()) ?? seenAt;
    if (signal.aborted) return false;
    if (address === null) {
      await sleep(retryMs, { signal, unref: true });
      continue;
    }
    const attempt = await openLiveness(address, attemptTimeoutMs, signal);
    const verdict = judgeAttempt(peer, attempt, seenAt === address);
    if (verdict === 'alive' && attempt.kind === 'open') {
      if (seenAt !== address) logger.debug({ peer: peer.replicaId, owner: peer.owner, address }, 'following peer liveness');
      seenAt = address;
      const stop = (): void => attempt.close();
      signal.addEventListener('abort', stop, { once: true });
      await attempt.ended;
      signal.removeEventListener('abort', stop);
      quick = QUICK_RETRIES;
      continue; // ask again at once: a dead process refuses now
    }
    if (verdict === 'gone') return !signal.aborted;
    if (attempt.kind === 'unknown') logger.debug({ peer: peer.replicaId, address, reason: attempt.reason }, 'peer liveness unknown; asking again');
    const pause = quick > 0 ? Math.min(retryMs, QUICK_RETRY_MS) : retryMs;
    quick = Math.max(0, quick - 1);
    await sleep(pause, { signal, unref: true });
  }
  return false;
}
