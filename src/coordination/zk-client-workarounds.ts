import type { Client, Transaction } from 'node-zookeeper-client';

/**
 * Where seqchain works around node-zookeeper-client 1.1.3, and the only module that reaches into
 * its private fields (`connectionManager.socket`, `Transaction.ops`); a library upgrade starts
 * here. The upstream behaviours, and what answers each:
 *
 * 1. No new session after expiry: once the server says SESSION_EXPIRED the client goes to
 *    CLOSED for good. ZkSession reports 'expired', abandons that client and opens a new one
 *    with backoff, then reports 'session' (zk-session.ts, `renew`).
 * 2. No read timeout: a dead server is noticed only when the socket closes, and its pings have
 *    no deadline. Across a silent partition the session looks connected for ever; and when the
 *    socket does close, only `disconnected` fires: expiry is learned from the server on the
 *    next reconnect, never locally. ZkSession's liveness probe reports 'disconnected' when the
 *    server stops answering and drops the socket (zk-liveness-probe.ts, with `dropSocket`);
 *    owners stop acting on 'disconnected', never waiting for 'expired'.
 * 3. A reconnect whose handshake is never answered waits for ever: the connect timeout is
 *    cleared as soon as TCP connects, and the ConnectResponse has no deadline. A restarting
 *    ZooKeeper 3.8 accepted the socket and never read it (chaos suite, zookeeper-stop; see
 *    docs/CHAOS.md): the session stayed 'disconnected' with no reconnect and no 'expired'. The
 *    reconnect watchdog drops such a socket so the library retries on a new one
 *    (zk-reconnect-watchdog.ts, with `socketOf`).
 * 4. `close()` only queues CLOSE_SESSION: on a client with no live connection it never ends and
 *    the socket stays (`abandonClient`).
 * 5. `Transaction` does `version = version || -1`, which turns an expected version 0 into "any
 *    version" (`pinTransactionVersion`).
 * 6. No public access to the socket (`socketOf`, `dropSocket`).
 *
 * Absent private fields are tolerated: each helper then does nothing.
 */

/** The library's socket, private to its ConnectionManager. */
export interface ZkClientSocket {
  destroy(): void;
  readonly readyState?: string;
}

interface ClientInternals {
  connectionManager?: { socket?: ZkClientSocket };
}

/** The client's current socket (behaviour 6). */
export function socketOf(client: Client): ZkClientSocket | undefined {
  return (client as unknown as ClientInternals).connectionManager?.socket;
}

/**
 * Destroys the client's socket. On a live client the library reconnects, then reports
 * 'connected' (same session) or 'expired' (behaviours 2 and 3).
 */
export function dropSocket(client: Client): void {
  socketOf(client)?.destroy();
}

/** Ends a client that has no live session (expired, never connected): close() alone would not (behaviour 4). */
export function abandonClient(client: Client): void {
  try {
    client.close();
  } catch {
    /* an expired client may refuse; it is dropped either way */
  }
  dropSocket(client);
}

/** Puts `version` back on the operation just added to `tx`, which the library may have made -1 (behaviour 5). */
export function pinTransactionVersion(tx: Transaction, version: number): void {
  const ops = (tx as unknown as { ops?: { version?: number }[] }).ops;
  const last = ops?.[ops.length - 1];
  if (last && typeof last.version === 'number') last.version = version;
}
