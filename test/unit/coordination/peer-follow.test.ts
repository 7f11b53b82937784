import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Predecessor } from '../../../src/coordination/election.js';
import { openLiveness, type LivenessAttempt } from '../../../src/coordination/peer-liveness.js';
import { followUntilGone, judgeAttempt } from '../../../src/coordination/peer-follow.js';
import { createLogger } from '../../../src/log.js';
import { encodeLivenessEvent } from '../../../src/wire/liveness-event.js';

const predecessor: Predecessor = { path: '/seqchain/c/election/n_0000000001', owner: '0000018c2f1a0003', replicaId: 'r1' };
const own = { replicaId: 'r1', session: '0000018c2f1a0003', pid: 1 };
const open = (identity: typeof own): LivenessAttempt => ({ kind: 'open', identity, ended: Promise.resolve(), close: () => undefined });

describe('judging a liveness attempt', () => {
  it('the predecessor answering as itself is alive, wherever it was seen before', () => {
    expect(judgeAttempt(predecessor, open(own), false)).toBe('alive');
    expect(judgeAttempt(predecessor, open(own), true)).toBe('alive');
  });

  it('a refusal or another session is "gone" only at an address where its own identity was seen', () => {
    expect(judgeAttempt(predecessor, { kind: 'refused' }, true)).toBe('gone');
    expect(judgeAttempt(predecessor, open({ ...own, session: '0000018c2f1a0004' }), true)).toBe('gone');
    expect(judgeAttempt(predecessor, open({ ...own, replicaId: 'r9' }), true)).toBe('gone');
    // A wrong advertised address must never evict a live leader.
    expect(judgeAttempt(predecessor, { kind: 'refused' }, false)).toBe('unknown');
    expect(judgeAttempt(predecessor, open({ ...own, session: '0000018c2f1a0004' }), false)).toBe('unknown');
  });

  it('a timeout, an HTTP error or a malformed answer never says gone', () => {
    expect(judgeAttempt(predecessor, { kind: 'unknown', reason: 'ETIMEDOUT' }, true)).toBe('unknown');
  });
});

describe('openLiveness against a real HTTP server on loopback', () => {
  let server: Server | null = null;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = null;
  });
  const listen = async (handler: (res: ServerResponse) => void): Promise<string> => {
    server = createServer((_req, res) => handler(res));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const signal = new AbortController().signal;

  it('opens with the identity, and `ended` resolves when the peer drops the connection', async () => {
    let stream: ServerResponse | null = null;
    const url = await listen((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': first a comment\n\n');
      res.write(encodeLivenessEvent(own));
      stream = res;
    });
    const attempt = await openLiveness(url, 2_000, signal);
    expect(attempt.kind).toBe('open');
    if (attempt.kind !== 'open') return;
    expect(attempt.identity).toEqual(own);
    let ended = false;
    void attempt.ended.then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ended).toBe(false);
    stream!.socket!.destroy();
    await attempt.ended;
  });

  it('a port nobody listens on is refused', async () => {
    const url = await listen(() => undefined);
    server!.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await openLiveness(url, 2_000, signal)).toEqual({ kind: 'refused' });
  });

  it('an HTTP error, silence, or a stream that is not a liveness event are unknown, with the reason', async () => {
    const notFound = await listen((res) => res.writeHead(404).end());
    expect(await openLiveness(notFound, 2_000, signal)).toEqual({ kind: 'unknown', reason: 'HTTP 404' });
    await new Promise((resolve) => server!.close(resolve));
    const silent = await listen((res) => res.writeHead(200));
    expect(await openLiveness(silent, 200, signal)).toEqual({ kind: 'unknown', reason: 'no identity within 200 ms' });
    server!.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    const other = await listen((res) => res.writeHead(200).write('event: ping\ndata: {}\n\n'));
    const attempt = await openLiveness(other, 2_000, signal);
    expect(attempt.kind).toBe('unknown');
    expect((attempt as { reason: string }).reason).toMatch(/first event is 'ping'/);
  });
});

describe('followUntilGone against a real HTTP server on loopback', () => {
  const peer = { replicaId: 'r1', owner: own.session };
  const logger = createLogger({ level: 'silent', name: 'test' });
  let server: Server | null = null;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = null;
  });
  const serve = async (identity: typeof own): Promise<{ url: string; streams: ServerResponse[] }> => {
    const streams: ServerResponse[] = [];
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(encodeLivenessEvent(identity));
      streams.push(res);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, streams };
  };
  const options = (url: string | null) => ({ addressOf: async () => url, attemptTimeoutMs: 500, retryMs: 20, logger });

  it('holds the stream while the peer lives, and says gone once it ends and the address refuses', async () => {
    const { url, streams } = await serve(own);
    let gone: boolean | null = null;
    const following = followUntilGone(peer, options(url), new AbortController().signal).then((g) => (gone = g));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gone).toBeNull();
    expect(streams).toHaveLength(1);
    server!.close();
    for (const s of streams) s.socket!.destroy();
    await following;
    expect(gone).toBe(true);
  });

  it('after the stream ends, asks again quickly when an attempt says nothing, not after the full retry time', async () => {
    const streams: ServerResponse[] = [];
    let resets = 0;
    // The peer's stream, then two connections reset as a dying listener can, then nothing listens.
    server = createServer((req, res) => {
      if (streams.length === 0) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(encodeLivenessEvent(own));
        streams.push(res);
        return;
      }
      resets++;
      req.socket.destroy();
      if (resets === 2) server!.close();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const following = followUntilGone(peer, { ...options(url), retryMs: 10_000 }, new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const endedAt = Date.now();
    streams[0]!.socket!.destroy();
    expect(await following).toBe(true);
    expect(resets).toBe(2);
    // Two quick retries and a refusal, far from one 10 s retryMs.
    expect(Date.now() - endedAt).toBeLessThan(5_000);
  });

  it('never says gone about an address where it did not see the peer itself; abort ends it', async () => {
    const { url } = await serve({ ...own, session: '0000018c2f1a0009' });
    const controller = new AbortController();
    const following = followUntilGone(peer, options(url), controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 150));
    controller.abort();
    expect(await following).toBe(false);
  });
});
