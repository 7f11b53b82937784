import type { Client } from 'node-zookeeper-client';
import type { Logger } from '../log.js';
import { socketOf } from './zk-client-workarounds.js';

/**
 * node-zookeeper-client clears its connect timeout as soon as TCP connects and then waits for
 * the handshake answer with no deadline (behaviour 3 in zk-client-workarounds.ts). A server that
 * accepts the connection but never reads it (ZooKeeper 3.8 restarting: the socket sits in its
 * accept queue with the ConnectRequest unread) leaves the session 'disconnected' forever: no
 * reconnect, no 'expired'. Found by the chaos suite (zookeeper-stop). A reconnect that has not
 * completed within `deadlineMs` gets its socket dropped, and the library tries again on a fresh
 * one (harmless while the server is down: every attempt there fails at once anyway).
 */
export class ReconnectWatchdog {
  /** The reconnect socket being watched (TCP open, handshake pending), and since when. */
  private watched: { socket: object; since: number } | null = null;

  constructor(
    private readonly deadlineMs: number,
    private readonly logger: Logger,
  ) {}

  /** The session is not reconnecting (connected, expired, closed): forget any watched socket. */
  reset(): void {
    this.watched = null;
  }

  /** Called on every tick while the session is 'disconnected'. */
  check(client: Client, now = Date.now()): void {
    const socket = socketOf(client);
    // Only a TCP connection that is open and still unanswered; a connect in progress has the
    // library's own timeout, and a refused one is retried by the library at once.
    if (socket?.readyState !== 'open') {
      this.watched = null;
      return;
    }
    if (this.watched?.socket !== socket) {
      this.watched = { socket, since: now };
      return;
    }
    if (now - this.watched.since < this.deadlineMs) return;
    this.watched = null;
    this.logger.warn({ deadlineMs: this.deadlineMs }, 'zookeeper reconnect stalled (connected, no handshake answer); retrying on a new socket');
    socket.destroy();
  }
}
