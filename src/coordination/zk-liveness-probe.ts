import type { Client } from 'node-zookeeper-client';
import type { Logger } from '../log.js';

/**
 * How often the session checks on its connection, and how long an answer (or a reconnect
 * handshake) may take: a third and two thirds of the session timeout, so a silent server is
 * reported well before the session could expire on the server. `abandonAfterMs`: how long it may
 * stay disconnected before it is given up for a new one (five session timeouts, at least 30 s):
 * by then the ensemble has expired it, or has been down all along and a new session costs nothing.
 */
export function probeTiming(sessionTimeoutMs: number): { intervalMs: number; deadlineMs: number; abandonAfterMs: number } {
  return {
    intervalMs: Math.max(100, Math.floor(sessionTimeoutMs / 3)),
    deadlineMs: Math.max(200, Math.floor((sessionTimeoutMs * 2) / 3)),
    abandonAfterMs: Math.max(30_000, sessionTimeoutMs * 5),
  };
}

/**
 * The liveness probe. node-zookeeper-client only notices a dead server when the socket closes
 * (it has no read timeout: behaviour 2 in zk-client-workarounds.ts), so a silent partition could
 * leave a leader acting for ever. Each probe is a cheap read of '/'; one that gets no answer
 * within the deadline means the connection is lost, whatever the socket says.
 */
export class LivenessProbe {
  private inFlight = false;

  constructor(
    private readonly deadlineMs: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Sends a probe on `client` unless one is still out. `onSilent` runs when no answer came within
   * the deadline and `stillWatched()` says the client is still the session's, still connected.
   */
  send(client: Client, stillWatched: () => boolean, onSilent: () => void): void {
    if (this.inFlight) return;
    this.inFlight = true;
    let answered = false;
    const timer = setTimeout(() => {
      if (answered || !stillWatched()) return;
      this.logger.warn({ deadlineMs: this.deadlineMs }, 'zookeeper server silent; treating the connection as lost');
      onSilent();
    }, this.deadlineMs);
    // Any answer counts, an error too: the server (or the library, on a dropped socket) replied.
    client.exists('/', () => {
      answered = true;
      this.inFlight = false;
      clearTimeout(timer);
    });
  }
}
