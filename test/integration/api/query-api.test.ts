import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { Redis } from 'ioredis';
import { linkHash } from '../../../src/chain/link.js';
import { ENTRY_BYTES } from '../../../src/index-store/entry-codec.js';
import type { CutMessage } from '../../../src/wire/ledger-v1.js';
import { ChainFixture, type LedgerRow } from '../../helpers/chain-fixture.js';
import { PrivateRedis, freePort } from '../../helpers/redis-server.js';

const TOKEN = 'query-api-test-token-0123456789';
const RECORDS = 5_000;
let redis: PrivateRedis;
let f: ChainFixture;
let rows: LedgerRow[];
let cuts: CutMessage[];
let api: string[];

// biome-ignore lint/suspicious/noExplicitAny: a JSON body read loosely in a test
type Json = Record<string, any>;
async function get(url: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Json) : { text } };
}

async function indexedSeq(url: string): Promise<bigint> {
  const head = await get(`${url}/v1/head`);
  return head.status === 200 ? BigInt(head.body.seq) : -1n;
}

beforeAll(async () => {
  redis = new PrivateRedis(await freePort());
  await redis.start();
  f = new ChainFixture({ SEQCHAIN_API_TOKEN: TOKEN, SEQCHAIN_REDIS_URL: redis.url });
  await f.init(4);
  f.set.start(`${f.chain}-r1`);
  f.set.start(`${f.chain}-r2`);
  api = await Promise.all([f.set.apiUrl(`${f.chain}-r1`), f.set.apiUrl(`${f.chain}-r2`)]);
  await f.produce(RECORDS);
  await waitFor('all records sequenced', async () => (await f.set.sequenced()) >= RECORDS, 120_000, 100);
  await waitFor('both indexes caught up', async () => (await Promise.all(api.map(indexedSeq))).every((s) => s === BigInt(RECORDS)), 60_000, 100);
  rows = await f.ledgerRows();
  cuts = (await f.ledgerMessages()).filter((m): m is CutMessage => m.kind === 'cut');
}, 240_000);

afterAll(async () => {
  await f?.close();
  await redis?.stop();
});

/** The chain recomputed from the ledger alone: hash of every seq, by seq. */
function ledgerHashes(): Buffer[] {
  const hashes: Buffer[] = [f.genesis.hash];
  for (const cut of cuts)
    cut.entries.forEach((e, i) => {
      hashes.push(linkHash(hashes[hashes.length - 1]!, cut.firstSeq + BigInt(i), e.digest));
    });
  return hashes;
}

describe('query API on every replica (real Kafka, ZooKeeper, Redis)', () => {
  it('head, record, position and digest lookups agree with the ledger and the chain math on every replica', async () => {
    const hashes = ledgerHashes();
    const counter = (await f.set.counter())!;
    const leader = (await f.set.leader())!;
    for (const url of api) {
      const head = await get(`${url}/v1/head`);
      expect(head.status).toBe(200);
      expect(head.body).toMatchObject({
        seq: String(RECORDS),
        hash: counter.headHash.toString('hex'),
        leader: { replicaId: leader.replicaId, epoch: leader.epoch.toString() },
      });
      expect(Date.parse(head.body.updatedAt)).toBeGreaterThan(0);
      for (const seq of [1, 2, 1234, RECORDS]) {
        const row = rows[seq - 1]!;
        const cut = cuts.find((c) => c.firstSeq <= row.seq && row.seq <= c.lastSeq)!;
        const expected = {
          seq: String(seq),
          position: { partition: row.partition, offset: row.offset.toString() },
          digest: cut.entries[Number(row.seq - cut.firstSeq)]!.digest.toString('hex'),
          hash: hashes[seq]!.toString('hex'),
          prevHash: hashes[seq - 1]!.toString('hex'),
          epoch: row.epoch.toString(),
          cutId: cut.cutId.toString(),
        };
        const bySeq = await get(`${url}/v1/records/${seq}`);
        expect(bySeq.status).toBe(200);
        expect(bySeq.body).toMatchObject(expected);
        expect((await get(`${url}/v1/positions/${row.partition}/${row.offset}`)).body).toEqual(bySeq.body);
        expect((await get(`${url}/v1/digests/${expected.digest.toUpperCase()}`)).body).toEqual(bySeq.body);
      }
    }
  });

  it('pages the whole chain through /v1/chain in ledger order', async () => {
    const seen: Json[] = [];
    let next: string | null = '1';
    let pages = 0;
    while (next !== null) {
      const page = await get(`${api[1]}/v1/chain?from=${next}`);
      expect(page.status).toBe(200);
      expect(page.body.entries.length).toBeLessThanOrEqual(1_000);
      seen.push(...page.body.entries);
      next = page.body.next;
      pages++;
    }
    expect(pages).toBe(Math.ceil(RECORDS / 1_000));
    expect(seen.map((e) => `${e.position.partition}:${e.position.offset}`)).toEqual(rows.map((r) => `${r.partition}:${r.offset}`));
    const bounded = await get(`${api[0]}/v1/chain?from=10&to=19`);
    expect(bounded.body).toMatchObject({ from: '10', to: '19', next: null });
    expect(bounded.body.entries.map((e: Json) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => String(10 + i)));
  });

  it('verifies a range from the source topic and reports it intact', async () => {
    const all = await get(`${api[0]}/v1/verify?from=1&to=${RECORDS}`);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ ok: true, from: '1', to: String(RECORDS), records: RECORDS, checked: RECORDS, unverifiable: 0, firstBreak: null });
    const middle = await get(`${api[1]}/v1/verify?from=2001&to=2100`);
    expect(middle.body).toMatchObject({ ok: true, records: 100, checked: 100 });
  });

  it('answers bad arguments with 400 naming the parameter, unknown things with 404', async () => {
    const cases: [string, number, RegExp][] = [
      ['/v1/records/0', 400, /path parameter 'seq' must be a global sequence number.*got "0"/],
      ['/v1/records/abc', 400, /'seq'.*got "abc"/],
      ['/v1/records/99999999', 404, /seq 99999999 is not in the index/],
      ['/v1/positions/x/1', 400, /path parameter 'partition'/],
      ['/v1/positions/0/-5', 400, /path parameter 'offset'/],
      ['/v1/positions/0/99999999', 404, /partition 0 offset 99999999 is not sequenced/],
      ['/v1/digests/zz', 400, /path parameter 'hex' must be a record digest: 64 hex digits/],
      [`/v1/digests/${'ab'.repeat(32)}`, 404, /no record with digest/],
      ['/v1/chain?from=5&to=2', 400, /query parameter 'to' must not be below 'from'/],
      ['/v1/chain?from=abc', 400, /query parameter 'from'/],
      ['/v1/chain?fro=1', 400, /query parameter 'fro' is not a parameter of this route/],
      ['/v1/verify?from=1&to=99999999', 404, /beyond the indexed head/],
      ['/v1/nope', 404, /no route GET \/v1\/nope/],
    ];
    for (const [path, status, message] of cases) {
      const res = await get(`${api[0]}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(res.body.message).toMatch(message);
      expect(res.body.code).toMatch(/^SEQCHAIN_ERR_/);
    }
    const huge = await fetch(`${api[0]}/v1/ops/pause`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'x'.repeat(100_000) }),
    });
    expect(huge.status).toBe(413);
    expect((await f.set.counter())!.nextSeq).toBe(BigInt(RECORDS) + 1n);
  });

  it('serves health, readiness, status, metrics and the OpenAPI document', async () => {
    expect((await get(`${api[0]}/healthz`)).body).toEqual({ ok: true });
    const ready = await get(`${api[0]}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ready: true, checks: { zookeeper: { ok: true }, kafka: { ok: true }, redis: { ok: true }, index: { ok: true } } });

    // The leader publishes its last cut in the leader znode at most once a second.
    const status = await waitFor(
      'the last cut in status',
      async () => {
        const s = await get(`${api[1]}/v1/status`);
        return s.body.lastCut ? s : undefined;
      },
      10_000,
      200,
    );
    expect(status.body.members.map((m: Json) => m.replicaId).sort()).toEqual([`${f.chain}-r1`, `${f.chain}-r2`]);
    const owned = status.body.members.flatMap((m: Json) => m.partitions).sort();
    expect(owned).toEqual([0, 1, 2, 3]);
    expect(status.body.partitions.map((p: Json) => p.lag)).toEqual(['0', '0', '0', '0']);
    expect(status.body.head.seq).toBe(String(RECORDS));
    expect(status.body.index).toMatchObject({ seq: String(RECORDS), lag: '0', redis: 'up' });
    // The two replicas share one Redis: exactly one writes the index, and not the leader.
    const writers = [];
    for (const url of api) {
      const s = await get(`${url}/v1/status`);
      if (s.body.index.writer) writers.push(s.body.replicaId);
    }
    expect(writers).toHaveLength(1);
    expect(writers[0]).not.toBe(status.body.leader.replicaId);
    expect(status.body.lastCut).toMatchObject({ cutId: cuts.at(-1)!.cutId.toString() });
    expect(status.body.lastCut.latencyMs).toBeGreaterThanOrEqual(0);

    const leaderApi = (await f.set.leader())!.apiAddress;
    const metrics = await (await fetch(`${leaderApi}/metrics`)).text();
    const sequenced = Number(/^seqchain_records_sequenced_total\{[^}]*\} (\d+)/m.exec(metrics)?.[1]);
    expect(sequenced).toBe(RECORDS);
    for (const name of [
      'seqchain_cuts_total',
      'seqchain_cut_records_bucket',
      'seqchain_cut_latency_seconds_bucket',
      'seqchain_partition_lag_records',
      'seqchain_leader_epoch',
      'seqchain_elections_total',
      'seqchain_fencing_events_total',
      'seqchain_verification_failures_total',
      'seqchain_index_lag_records',
    ]) {
      expect(metrics, name).toContain(name);
    }

    const doc = (await get(`${api[0]}/openapi.json`)).body;
    expect(doc.openapi).toBe('3.0.3');
    for (const path of [
      '/v1/head',
      '/v1/records/{seq}',
      '/v1/positions/{partition}/{offset}',
      '/v1/digests/{hex}',
      '/v1/chain',
      '/v1/verify',
      '/v1/status',
      '/v1/ops/resign',
      '/v1/ops/pause',
      '/v1/ops/resume',
      '/v1/ops/reindex',
      '/healthz',
      '/readyz',
      '/metrics',
    ]) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    expect(doc.paths['/v1/ops/pause'].post.security).toEqual([{ bearer: [] }]);
  });

  it('status and metrics read the head the replica knows (sequencer or indexer), never a throw-away consumer group', async () => {
    // Every replica here knows the head: the leader through its sequencer, the other through the
    // index it writes. A status read that fell back to the ledger would join a group named
    // seqchain.<chain>.status.<uuid> for a few hundred ms: watch the broker's group list meanwhile.
    const admin = f.kafka.admin();
    await admin.connect();
    const seen = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const g of (await admin.listGroups()).groups) seen.add(g.groupId);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      for (let i = 0; i < 5; i++) {
        for (const url of api) {
          const s = await get(`${url}/v1/status`);
          expect(s.status).toBe(200);
          expect(s.body.head).toMatchObject({ seq: String(RECORDS), hash: ledgerHashes()[RECORDS]!.toString('hex') });
          expect(s.body.partitions.map((p: Json) => p.lag)).toEqual(['0', '0', '0', '0']);
        }
      }
    } finally {
      watching = false;
      await watcher;
      await admin.disconnect();
    }
    const statusGroup = `seqchain.${f.chain}.status`;
    expect([...seen].filter((g) => g.startsWith(statusGroup))).toEqual([]);
    // The watcher did see this chain's own groups, so it was looking at the right broker.
    expect([...seen]).toContain(`seqchain.${f.chain}.workers`);
  });

  it('Redis down: queries answer 503 and readiness fails while sequencing goes on; the index catches up when Redis returns', async () => {
    await redis.stop();
    const down = await get(`${api[0]}/v1/records/1`);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'SEQCHAIN_ERR_UNREACHABLE' });
    expect((await get(`${api[0]}/readyz`)).status).toBe(503);

    await f.produce(1_000);
    await waitFor('sequencing goes on without Redis', async () => (await f.set.sequenced()) >= RECORDS + 1_000, 60_000, 100);
    expect((await get(`${api[1]}/v1/head`)).status).toBe(503);

    await redis.start(); // comes back empty: the index is rebuilt from the ledger by itself
    await waitFor(
      'both indexes caught up again',
      async () => (await Promise.all(api.map(indexedSeq))).every((s) => s === BigInt(RECORDS + 1_000)),
      60_000,
      200,
    );
    const last = await get(`${api[0]}/v1/records/${RECORDS + 1_000}`);
    expect(last.body.hash).toBe((await f.set.counter())!.headHash.toString('hex'));
    expect((await get(`${api[0]}/readyz`)).status).toBe(200);
  }, 120_000);

  it('names a tampered index entry in /v1/verify and counts the failure in metrics', async () => {
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys(`seqchain:${f.chain}:*:e:0`);
      expect(keys.length).toBe(1);
      // seq 500's digest, inside the first entry bucket (entries are ENTRY_BYTES apart; the digest at byte 20).
      await client.setrange(keys[0]!, 500 * ENTRY_BYTES + 20, Buffer.alloc(32, 0xee));
    } finally {
      client.disconnect();
    }
    const report = await get(`${api[0]}/v1/verify?from=401&to=600`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ ok: false, checked: 99, firstBreak: { kind: 'record-hash', seq: '500' } });
    const metrics = await (await fetch(`${api[0]}/metrics`)).text();
    expect(metrics).toMatch(/^seqchain_verification_failures_total\{[^}]*\} 1$/m);
  });

  it('POST /v1/ops/reindex needs the token and rebuilds the index from the ledger', async () => {
    expect((await fetch(`${api[0]}/v1/ops/reindex`, { method: 'POST' })).status).toBe(401);
    const row = rows[499]!;
    const cut = cuts.find((c) => c.firstSeq <= row.seq && row.seq <= c.lastSeq)!;
    const ledgerDigest = cut.entries[Number(row.seq - cut.firstSeq)]!.digest.toString('hex');
    const res = await fetch(`${api[0]}/v1/ops/reindex`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(202);
    const total = BigInt(await f.set.sequenced());
    await waitFor('index rebuilt', async () => (await indexedSeq(api[0]!)) === total, 60_000, 100);
    // The tampered entry of the test before is gone: rebuilt from the ledger.
    expect((await get(`${api[0]}/v1/records/500`)).body).toMatchObject({
      seq: '500',
      digest: ledgerDigest,
      position: { partition: row.partition, offset: row.offset.toString() },
    });
    expect((await get(`${api[0]}/v1/verify?from=401&to=600`)).body).toMatchObject({ ok: true, checked: 200 });
  }, 120_000);

  it('query latency against one replica (a figure for the notes, not a timed assertion)', async () => {
    const samples: number[] = [];
    const total = await f.set.sequenced();
    const worker = async () => {
      for (let i = 0; i < 250; i++) {
        const seq = 1 + Math.floor(Math.random() * total);
        const started = performance.now();
        const res = await fetch(`${api[0]}/v1/records/${seq}`);
        await res.arrayBuffer();
        samples.push(performance.now() - started);
        expect(res.status).toBe(200);
      }
    };
    const began = performance.now();
    await Promise.all(Array.from({ length: 8 }, worker));
    const elapsed = (performance.now() - began) / 1000;
    samples.sort((a, b) => a - b);
    const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(2);
    console.log(
      `[figure] GET /v1/records/{seq}: ${samples.length} requests, 8 concurrent, ${(samples.length / elapsed).toFixed(0)} req/s, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`,
    );
    expect(samples.length).toBe(2_000);
  }, 120_000);
});
