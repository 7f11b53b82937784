import http from 'node:http';
import https from 'node:https';
import { decodeLivenessEvent, type LivenessIdentity } from '../wire/liveness-event.js';

/**
 * The client side of a peer's `GET /v1/liveness` stream (src/wire/liveness-event.ts): one
 * attempt to open it, classified for the predecessor watch.
 *
 * - `open`: the peer answered with its identity; `ended` resolves when the stream stops (the
 *   peer's process died and its kernel closed the socket, or the peer closed it).
 * - `refused`: nothing listens at the address (ECONNREFUSED): the process that served it is gone.
 * - `unknown`: anything else — a timeout, a reset, an HTTP error, a proxy's 502, a malformed
 *   answer. Never a reason to act: the session timeout decides then.
 */
export type LivenessAttempt =
  | { kind: 'open'; identity: LivenessIdentity; ended: Promise<void>; close: () => void }
  | { kind: 'refused' }
  | { kind: 'unknown'; reason: string };

export const LIVENESS_PATH = '/v1/liveness';

/** The largest first event read before giving up on a peer that streams something else. */
const MAX_FIRST_EVENT_BYTES = 4_096;

export function openLiveness(apiAddress: string, timeoutMs: number, signal: AbortSignal): Promise<LivenessAttempt> {
  let url: URL;
  try {
    url = new URL(LIVENESS_PATH, apiAddress);
  } catch {
    return Promise.resolve({ kind: 'unknown', reason: `not a URL: ${apiAddress}` });
  }
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<LivenessAttempt>((resolve) => {
    let settled = false;
    const settle = (attempt: LivenessAttempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (attempt.kind !== 'open') req.destroy();
      resolve(attempt);
    };
    // agent: false: one socket of its own, never pooled (its close is the signal).
    const req = transport.get(url, { agent: false, headers: { accept: 'text/event-stream' }, signal });
    const timer = setTimeout(() => settle({ kind: 'unknown', reason: `no identity within ${timeoutMs} ms` }), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      settle(err.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'unknown', reason: err.code ?? err.message }),
    );
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        settle({ kind: 'unknown', reason: `HTTP ${res.statusCode}` });
        return;
      }
      const ended = new Promise<void>((done) => {
        res.once('close', done);
        res.once('error', () => done());
      });
      let text = '';
      res.setEncoding('utf8');
      const onData = (chunk: string): void => {
        text += chunk;
        let identity: LivenessIdentity | null;
        try {
          identity = decodeLivenessEvent(text);
        } catch (err) {
          settle({ kind: 'unknown', reason: (err as Error).message });
          return;
        }
        if (identity) {
          res.off('data', onData);
          res.resume(); // keepalive comments are read and dropped
          settle({ kind: 'open', identity, ended, close: () => req.destroy() });
        } else if (text.length > MAX_FIRST_EVENT_BYTES) settle({ kind: 'unknown', reason: 'no identity in the first 4 KiB' });
      };
      res.on('data', onData);
      res.once('end', () => settle({ kind: 'unknown', reason: 'stream ended before its identity' }));
    });
  });
}
