import { MalformedMessageError } from '../errors.js';

/**
 * The first event of `GET /v1/liveness`, a server-sent event stream (WHATWG HTML, "Server-sent
 * events") that a replica keeps open for as long as its process lives:
 *
 *   event: alive
 *   data: {"v":1,"replicaId":"r1","session":"0000018c2f1a0003","pid":1234}
 *
 * then a comment line (`: keepalive`) every few seconds. `session` is the replica's ZooKeeper
 * session id (16 hex digits), the `ephemeralOwner` of its election and member nodes: a peer that
 * saw this identity at an address, then lost the stream and finds the address refusing
 * connections or answering with another session, knows that process is gone
 * (src/coordination/predecessor-watch.ts).
 */
export const LIVENESS_FORMAT = 'liveness event v1';
export const LIVENESS_EVENT = 'alive';

export interface LivenessIdentity {
  replicaId: string;
  /** ZooKeeper session id, 16 lower-case hex digits. */
  session: string;
  pid: number;
}

/** The stream's first event, as written on the wire (ends with the blank line that dispatches it). */
export function encodeLivenessEvent(identity: LivenessIdentity): string {
  const data = JSON.stringify({ v: 1, replicaId: identity.replicaId, session: identity.session, pid: identity.pid });
  return `event: ${LIVENESS_EVENT}\ndata: ${data}\n\n`;
}

/** A comment line: keeps idle proxies from closing the stream; a client ignores it. */
export const LIVENESS_KEEPALIVE = ': keepalive\n\n';

/**
 * The identity in the first event of a stream's text, or null while that event is not complete
 * (no blank line yet). Comments before it are skipped; an event of another type, or one whose
 * data is not a v1 identity, is a MalformedMessageError naming the field.
 */
export function decodeLivenessEvent(text: string): LivenessIdentity | null {
  const normalized = text.replace(/\r\n?/g, '\n');
  let start = 0;
  for (;;) {
    const end = normalized.indexOf('\n\n', start);
    if (end < 0) return null;
    const block = normalized.slice(start, end);
    start = end + 2;
    const fields = parseBlock(block);
    if (fields.data === undefined && fields.event === undefined) continue; // comments only
    if ((fields.event ?? 'message') !== LIVENESS_EVENT) {
      throw new MalformedMessageError(LIVENESS_FORMAT, `first event is '${fields.event ?? 'message'}', not '${LIVENESS_EVENT}'`, { field: 'event' });
    }
    return parseIdentity(fields.data ?? '');
  }
}

function parseBlock(block: string): { event?: string; data?: string } {
  const out: { event?: string; data?: string } = {};
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'event') out.event = value;
    // Several data lines join with a newline (the SSE rule).
    else if (name === 'data') out.data = out.data === undefined ? value : `${out.data}\n${value}`;
  }
  return out;
}

function parseIdentity(data: string): LivenessIdentity {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new MalformedMessageError(LIVENESS_FORMAT, 'data is not JSON', { field: 'data' });
  }
  const o = (parsed ?? {}) as Record<string, unknown>;
  if (o.v !== 1) throw new MalformedMessageError(LIVENESS_FORMAT, `unknown version ${JSON.stringify(o.v)}`, { field: 'v' });
  if (typeof o.replicaId !== 'string' || o.replicaId === '')
    throw new MalformedMessageError(LIVENESS_FORMAT, 'replicaId must be a non-empty string', { field: 'replicaId' });
  if (typeof o.session !== 'string' || !/^[0-9a-f]{16}$/.test(o.session)) {
    throw new MalformedMessageError(LIVENESS_FORMAT, 'session must be 16 lower-case hex digits', { field: 'session' });
  }
  if (!Number.isSafeInteger(o.pid) || (o.pid as number) < 0)
    throw new MalformedMessageError(LIVENESS_FORMAT, 'pid must be a non-negative integer', { field: 'pid' });
  return { replicaId: o.replicaId, session: o.session, pid: o.pid as number };
}
