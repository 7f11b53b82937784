import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueryPort, ReplicaPort } from '../../../src/api/ports.js';
import { buildApi } from '../../../src/api/server.js';
import { createLogger } from '../../../src/log.js';
import { SeqchainMetrics } from '../../../src/metrics/metrics.js';

// The HTTP layer alone: the ports behind it are trivial stand-ins of seqchain's own interfaces
// (no Kafka, ZooKeeper or Redis is involved in counting requests).
const TOKEN = 'rate-limit-test-token-0123';
const query: QueryPort = {
  head: async () => null,
  record: async () => null,
  byPosition: async () => null,
  byDigest: async () => null,
  range: async () => [],
};
let resumes = 0;
const replica = {
  replicaId: 'r1',
  leader: async () => null,
  status: async () => ({}),
  refreshGauges: async () => undefined,
  readiness: async () => ({ ready: true, checks: {} }),
  resume: async () => {
    resumes += 1;
    return false;
  },
} as unknown as ReplicaPort;

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function api(limits: { max: number; opsMax: number }): Promise<FastifyInstance> {
  app = await buildApi(
    { query, replica, metrics: new SeqchainMetrics({ chain: 'c', replicaId: 'r1' }), log: null },
    {
      logger: createLogger({ level: 'silent' }),
      token: TOKEN,
      bodyLimitBytes: 1024,
      rateLimit: { ...limits, windowMs: 60_000 },
      maxPageSize: 10,
      maxVerifyRange: 10,
      maxStreamRange: 10,
      version: 'test',
    },
  );
  return app;
}

const resume = (a: FastifyInstance, token: string) => a.inject({ method: 'POST', url: '/v1/ops/resume', headers: { authorization: `Bearer ${token}` } });

describe('API rate limits (per client address)', () => {
  it('answers 429 SEQCHAIN_ERR_RATE_LIMITED with Retry-After once a client passes the limit', async () => {
    const a = await api({ max: 5, opsMax: 0 });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await a.inject({ method: 'GET', url: '/v1/head' })).statusCode);
    expect(codes).toEqual([404, 404, 404, 404, 404, 429, 429]);
    const limited = await a.inject({ method: 'GET', url: '/v1/head' });
    expect(limited.json()).toMatchObject({ code: 'SEQCHAIN_ERR_RATE_LIMITED', details: { limit: 5, windowMs: 60_000 } });
    expect(limited.json().message).toMatch(/rate limit of 5 requests per 1 minute exceeded by 127\.0\.0\.1/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another client address has its own budget.
    expect((await a.inject({ method: 'GET', url: '/v1/head', remoteAddress: '127.0.0.2' })).statusCode).toBe(404);
  });

  it('never throttles liveness, readiness or metrics (probes must not see a healthy replica as down)', async () => {
    const a = await api({ max: 2, opsMax: 0 });
    for (let i = 0; i < 5; i++) {
      expect((await a.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await a.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      const m = await a.inject({ method: 'GET', url: '/metrics' });
      expect(m.statusCode, m.body).toBe(200);
    }
  });

  it('limits the ops routes separately and counts failed tokens, so a token cannot be guessed at speed', async () => {
    const a = await api({ max: 1_000, opsMax: 3 });
    resumes = 0;
    const wrong = [];
    for (let i = 0; i < 3; i++) wrong.push((await resume(a, 'not-the-token-at-all-xyz')).statusCode);
    expect(wrong).toEqual([401, 401, 401]);
    // Even the right token is refused now, and the route was not run.
    const right = await resume(a, TOKEN);
    expect(right.statusCode).toBe(429);
    expect(right.json().code).toBe('SEQCHAIN_ERR_RATE_LIMITED');
    expect(resumes).toBe(0);
    // Queries keep their own, larger budget.
    expect((await a.inject({ method: 'GET', url: '/v1/head' })).statusCode).toBe(404);
  });

  it('0 switches a limit off', async () => {
    const a = await api({ max: 0, opsMax: 0 });
    resumes = 0;
    for (let i = 0; i < 100; i++) expect((await a.inject({ method: 'GET', url: '/v1/head' })).statusCode).toBe(404);
    for (let i = 0; i < 100; i++) expect((await resume(a, TOKEN)).statusCode).toBe(200);
    expect(resumes).toBe(100);
  });
});
