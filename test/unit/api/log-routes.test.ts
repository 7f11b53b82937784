import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogPort, QueryPort, ReplicaPort } from '../../../src/api/ports.js';
import { buildApi } from '../../../src/api/server.js';
import { createLogger } from '../../../src/log.js';
import { SeqchainMetrics } from '../../../src/metrics/metrics.js';
import {
  NoteSigner,
  TILE_WIDTH,
  consistencyProof,
  inclusionProof,
  signCheckpoint,
  treeRoot,
  verifyInclusion,
  recordLeafHash,
} from '../../../src/tlog/index.js';
import { buildTree, vectorDigest } from '../tlog/fixtures.js';

// The HTTP layer of the log view alone, over seqchain's own LogPort backed by the in-memory
// reference tree (the Redis side is tested on the real stack: test/integration/log-view/log-api.test.ts).
const query = {
  head: async () => null,
  record: async () => null,
  byPosition: async () => null,
  byDigest: async () => null,
  range: async () => [],
} as QueryPort;
const replica = { replicaId: 'r1', leader: async () => null } as unknown as ReplicaPort;
const ORIGIN = 'log.example/unit';
const SIZE = 1000;
const signer = NoteSigner.generate(ORIGIN);
const { store } = buildTree(SIZE);
const note = signCheckpoint({ origin: ORIGIN, size: SIZE, root: treeRoot(store, SIZE) }, signer);

const port: LogPort = {
  origin: ORIGIN,
  verifierKeys: [signer.verifierKey],
  latest: async () => ({ size: SIZE, note }),
  knownSize: () => SIZE,
  tile: async (level, index, width) => (Math.floor(SIZE / TILE_WIDTH ** level) - index * TILE_WIDTH >= width ? store.tile({ level, index, width }) : null),
  entries: async () => null,
  inclusionAt: async (index, asked) => {
    const size = asked ?? SIZE;
    return { size, proof: index < size ? inclusionProof(store, index, size) : null, checkpoint: size === SIZE ? note : null };
  },
  consistencyAt: async (from, asked) => {
    const size = asked ?? SIZE;
    return { size, proof: from <= size ? consistencyProof(store, from, size) : null };
  },
};

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function api(log: LogPort | null): Promise<FastifyInstance> {
  app = await buildApi(
    { query, replica, metrics: new SeqchainMetrics({ chain: 'c', replicaId: 'r1' }), log },
    {
      logger: createLogger({ level: 'silent' }),
      token: null,
      bodyLimitBytes: 1024,
      rateLimit: { max: 0, opsMax: 0, windowMs: 60_000 },
      maxPageSize: 10,
      maxVerifyRange: 10,
      maxStreamRange: 10,
      version: 'test',
    },
  );
  return app;
}

describe('log view routes (HTTP layer)', () => {
  it('with the view off, every log route is a 404 SEQCHAIN_ERR_LOG_VIEW_OFF', async () => {
    const a = await api(null);
    for (const url of ['/checkpoint', '/tile/0/000', '/tile/entries/000.p/1', '/v1/log/key', '/v1/proofs/inclusion?seq=1', '/v1/proofs/consistency?from=1']) {
      const r = await a.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().code, url).toBe('SEQCHAIN_ERR_LOG_VIEW_OFF');
    }
  });

  it('serves the checkpoint as text, tiles as bytes with cache headers, and proofs in base64 that verify', async () => {
    const a = await api(port);
    const cp = await a.inject({ method: 'GET', url: '/checkpoint' });
    expect(cp.headers['content-type']).toMatch(/^text\/plain/);
    expect(cp.body).toBe(note);
    const full = await a.inject({ method: 'GET', url: '/tile/0/001' });
    expect(full.headers['content-type']).toBe('application/octet-stream');
    expect(full.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(full.rawPayload.equals(store.tile({ level: 0, index: 1, width: 256 }))).toBe(true);
    const partial = await a.inject({ method: 'GET', url: '/tile/0/003.p/232' });
    expect(partial.headers['cache-control']).toBe('public, max-age=10');
    expect(partial.rawPayload.length).toBe(232 * 32);
    expect((await a.inject({ method: 'GET', url: '/tile/0/003' })).statusCode).toBe(404);
    expect((await a.inject({ method: 'GET', url: '/v1/log/key' })).json()).toEqual({
      origin: ORIGIN,
      verifierKey: signer.verifierKey,
      verifierKeys: [signer.verifierKey],
    });
    const inc = (await a.inject({ method: 'GET', url: '/v1/proofs/inclusion?seq=500' })).json();
    expect(inc).toMatchObject({ seq: '500', leafIndex: '499', treeSize: String(SIZE), checkpoint: note });
    verifyInclusion(
      recordLeafHash(500n, vectorDigest(500)),
      499,
      SIZE,
      (inc.proof as string[]).map((h) => Buffer.from(h, 'base64')),
      treeRoot(store, SIZE),
    );
    expect((await a.inject({ method: 'GET', url: '/v1/proofs/inclusion?seq=5&size=7' })).json().checkpoint).toBeNull();
  });

  it('bad input is a 400 SEQCHAIN_ERR_USAGE naming the parameter or the path', async () => {
    const a = await api(port);
    const cases: [string, string][] = [
      ['/v1/proofs/inclusion?seq=0', 'seq'],
      ['/v1/proofs/inclusion?seq=1001', 'seq'],
      ['/v1/proofs/inclusion?seq=9&size=8', 'seq'],
      ['/v1/proofs/inclusion?seq=1&size=1001', 'size'],
      ['/v1/proofs/inclusion?seq=1&size=99999999999999999', 'size'],
      ['/v1/proofs/inclusion?seq=1&sise=3', 'sise'],
      ['/v1/proofs/consistency?from=9&to=8', 'from'],
      ['/v1/proofs/consistency?from=1&to=1001', 'to'],
      ['/v1/proofs/consistency', 'from'],
      ['/tile/0/1', 'path'],
      ['/tile/x/000', 'path'],
      ['/tile/0/000.p/0', 'path'],
      ['/tile/entries/x000/001', 'path'],
    ];
    for (const [url, parameter] of cases) {
      const r = await a.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().code, url).toBe('SEQCHAIN_ERR_USAGE');
      expect(r.json().details.parameter, url).toBe(parameter);
      expect(r.json().message, url).toContain(parameter);
    }
  });

  it('the OpenAPI document lists the log routes', async () => {
    const a = await api(port);
    const doc = (await a.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    for (const p of ['/checkpoint', '/tile/{*}', '/v1/log/key', '/v1/proofs/inclusion', '/v1/proofs/consistency']) expect(Object.keys(doc.paths)).toContain(p);
  });
});
