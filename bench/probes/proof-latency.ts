/**
 * Probe for docs/PERFORMANCE.md (the log view's proof latency tail, issue 12): ONE replica with
 * the log view on a chain of `records` records, its index caught up and the replica idle, then
 * `proofs` inclusion proofs of random seqs, one at a time, timed four ways so the time splits:
 *
 * - fetch: Node's fetch (undici, keep-alive), as bench/phases/log-view.ts times them;
 * - http: node:http with a keep-alive agent (a second client: is the tail the client's?);
 * - store: LogViewStore.latest() + inclusion() in this process on its own Redis connection (Redis
 *   round trips and the proof's hashing, without HTTP, Fastify or the replica's event loop);
 * - compute: inclusionProof over tiles read beforehand (hashing alone), with its SHA-256 count.
 *
 * The replica runs with a hook (--import) that writes its event-loop delay and GC pauses every
 * 250 ms, so each phase also reports what the replica's loop did while it was timed.
 *
 *   node dist/bench/probes/proof-latency.js [records, default 300000] [proofs, default 3000] [rounds, default 1]
 *   PROBE_CHAIN=<chain> reuses the chain of an earlier run (its key in .stack/probes/<chain>/).
 *   PROBE_PHASES=fetch,http,store,compute: the phases to run (default all).
 *   PROBE_NODE_OPTIONS: more Node options for the replica (e.g. --max-semi-space-size=64).
 *   PROBE_DROP=1: at the end, delete the chain's index keys (UNLINK) and its topics (about 170 MB
 *   of Redis at 1,000,000 records); its ZooKeeper znodes stay.
 */
import { randomUUID } from 'node:crypto';
import { Agent, get as httpGet } from 'node:http';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO, ReplicaSet, waitFor } from '../../scripts/lib/replica-set.js';
import { produce } from '../../src/cli/commands/produce.js';
import { loadConfig } from '../../src/config/load.js';
import { kafkaClientOptions, redisClientOptions } from '../../src/config/slices.js';
import { connectZk } from '../../src/coordination/connect.js';
import { readGenesis } from '../../src/coordination/genesis-store.js';
import { chainPaths } from '../../src/coordination/paths.js';
import { IndexStore } from '../../src/index-store/index-store.js';
import { chainKeys } from '../../src/index-store/keys.js';
import { createKafka } from '../../src/kafka/client.js';
import { kafkaNames } from '../../src/kafka/names.js';
import { withAdmin } from '../../src/kafka/offsets.js';
import { LogViewStore } from '../../src/index-store/log-store.js';
import { createRedis, waitForRedis } from '../../src/index-store/redis-client.js';
import { createLogger } from '../../src/log.js';
import { initChain } from '../../src/ops/init-chain.js';
import { HASH_BYTES, TILE_WIDTH, TileBytesSource, inclusionProof, tileKey, tilesRead, type SubtreeHashes } from '../../src/tlog/index.js';
import { NoteSigner } from '../../src/tlog/note-key.js';
import { summarizeLatencies } from '../lib/stats.js';

const records = Number(process.argv[2] ?? 300_000);
const proofs = Number(process.argv[3] ?? 3_000);
const rounds = Number(process.argv[4] ?? 1);
const logger = createLogger({ level: 'warn', name: 'probe' });

const reuse = process.env.PROBE_CHAIN;
const chain = reuse ?? `probe-${randomUUID().slice(0, 8)}`;
const dir = join(REPO, '.stack', 'probes', chain);
mkdirSync(dir, { recursive: true });
const keyFile = join(dir, 'log.key');
const originFile = join(dir, 'origin');
if (!reuse) {
  const origin = `probe.seqchain.invalid/${chain}`;
  writeFileSync(keyFile, `${NoteSigner.generate(origin).format()}\n`, { mode: 0o600, flag: 'wx' });
  writeFileSync(originFile, origin);
}
const origin = readFileSync(originFile, 'utf8');

// The replica's hook: event-loop delay and GC pauses, one JSON line per 250 ms.
const loopFile = join(dir, `loop-${Date.now()}.jsonl`);
const hook = join(dir, 'loop-hook.mjs');
writeFileSync(
  hook,
  `import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { appendFileSync } from 'node:fs';
const file = process.env.PROBE_LOOP_FILE;
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
let gc = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) gc.push([Math.round(e.startTime + performance.timeOrigin), +e.duration.toFixed(2), e.detail?.kind ?? 0]); }).observe({ entryTypes: ['gc'] });
setInterval(() => {
  appendFileSync(file, JSON.stringify({ t: Date.now(), p99: h.percentile(99) / 1e6, max: h.max / 1e6, gc }) + '\\n');
  h.reset();
  gc = [];
}, 250).unref();
`,
);

const env: Record<string, string> = {
  SEQCHAIN_LOG_VIEW_ENABLED: 'true',
  SEQCHAIN_LOG_VIEW_ORIGIN: origin,
  SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: keyFile,
  NODE_OPTIONS: `--import=${hook} ${process.env.PROBE_NODE_OPTIONS ?? ''}`,
  PROBE_LOOP_FILE: loopFile,
  ...(process.env.PROBE_REPLICA_ENV ? (JSON.parse(process.env.PROBE_REPLICA_ENV) as Record<string, string>) : {}),
};
const config = loadConfig({ env: { ...process.env, ...env }, overrides: { chain } });
const set = new ReplicaSet({ chain, logDir: dir, env, logger });
const replica = `${chain}-r1`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (xs: number[]) => {
  const s = summarizeLatencies(xs);
  const sorted = [...xs].sort((a, b) => a - b);
  const p90 = sorted[Math.ceil(0.9 * sorted.length) - 1]!;
  return `p50 ${s.p50.toFixed(2)} p90 ${p90.toFixed(2)} p99 ${s.p99.toFixed(2)} max ${s.max.toFixed(2)} ms (n ${s.count}, >5 ms: ${xs.filter((x) => x > 5).length})`;
};

/** What the replica's loop did in [from, to]: worst 250 ms window's p99 and max delay, GC pauses. */
function loopIn(from: number, to: number): string {
  if (!existsSync(loopFile)) return 'no loop file';
  const rows = readFileSync(loopFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { t: number; p99: number; max: number; gc: [number, number, number][] })
    .filter((r) => r.t >= from && r.t <= to + 250);
  const gc = rows.flatMap((r) => r.gc).filter(([t]) => t >= from && t <= to);
  const pauses = gc.map(([, d]) => d).sort((a, b) => b - a);
  const kinds = new Map<number, number>();
  for (const [, , k] of gc) kinds.set(k, (kinds.get(k) ?? 0) + 1);
  return `replica loop: max delay ${Math.max(0, ...rows.map((r) => r.max)).toFixed(1)} ms; GC ${gc.length} pauses (kinds ${[...kinds].map(([k, n]) => `${k}:${n}`).join(' ')}), total ${pauses.reduce((a, b) => a + b, 0).toFixed(1)} ms, longest ${pauses.slice(0, 5).join(', ')} ms`;
}

const zk = await connectZk(config.zookeeper, logger);
const redis = createRedis(redisClientOptions(config), logger, 'probe');
try {
  if (!reuse) await initChain(config, logger, { topic: `${chain}.source`, partitions: 6, start: 'earliest', force: false });
  const genesis = await readGenesis(zk, chainPaths(config.zookeeper.root, chain));
  set.start(replica);
  await waitFor('a leader', async () => (await set.leader()) ?? undefined, 60_000);
  if (!reuse) {
    const t0 = Date.now();
    await produce(set.config, logger, {
      topic: `${chain}.source`,
      count: records,
      rate: 0,
      size: 100,
      keys: 100,
      headers: 2,
      transactional: false,
      batchSize: 1000,
      quiet: true,
    });
    out(`produced ${records} in ${Date.now() - t0} ms`);
  }
  const url = await set.apiUrl(replica);
  const size = await waitFor(
    `${url} serves a checkpoint of every sequenced record`,
    async () => {
      const sequenced = await set.sequenced();
      if (sequenced < records) return false;
      const res = await fetch(`${url}/checkpoint`);
      const n = res.status === 200 ? Number((await res.text()).split('\n')[1]) : 0;
      return n >= sequenced ? n : false;
    },
    1_800_000,
    500,
  );
  out(`chain ${chain}: tree size ${size}, replica ${url}`);
  await sleep(2_000);

  const random = () => 1 + Math.floor(Math.random() * size);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const viaHttp = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      httpGet(`${url}${path}`, { agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - t0;
          if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`));
          else resolve(ms);
        });
      }).on('error', reject);
    });
  const viaFetch = async (path: string) => {
    const t0 = performance.now();
    const res = await fetch(`${url}${path}`);
    const body = await res.json();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`);
    return ms;
  };
  const store = new LogViewStore(new IndexStore(redis, config.redis.keyPrefix, chain, genesis.hash), origin, []);
  await waitForRedis(redis, 10_000);
  const viaStore = async (seq: number) => {
    const t0 = performance.now();
    const cp = await store.latest();
    await store.inclusion(seq - 1, cp!.size);
    return performance.now() - t0;
  };
  const index = new IndexStore(redis, config.redis.keyPrefix, chain, genesis.hash);
  let hashes = 0;
  const compute = async (seq: number) => {
    const run = (src: SubtreeHashes) => inclusionProof(src, seq - 1, size);
    const tiles = tilesRead(run);
    const t1 = performance.now();
    const values = await index.read(
      'probe',
      {},
      (tx, keys) => {
        for (const t of tiles) {
          const { key, byteOffset } = keys.tile(t.level, t.index);
          tx.getrangeBuffer(key, byteOffset, byteOffset + TILE_WIDTH * HASH_BYTES - 1);
        }
      },
      (_meta, v) => v as Buffer[],
    );
    const redisMs = performance.now() - t1;
    const src = new TileBytesSource(new Map(tiles.map((t, i) => [tileKey(t.level, t.index), values![i]!])));
    const counting: SubtreeHashes = {
      subtree: (level, i) => {
        hashes += 2 ** (level % 8) - 1;
        return src.subtree(level, i);
      },
    };
    run(counting);
    const t0 = performance.now();
    run(src);
    return { computeMs: performance.now() - t0, redisMs, tiles: tiles.length };
  };

  const clientLoop = monitorEventLoopDelay({ resolution: 1 });
  const only = process.env.PROBE_PHASES?.split(',');
  const phase = async (name: string, one: () => Promise<number>) => {
    if (only && !only.includes(name)) return;
    for (let i = 0; i < 50; i++) await one();
    clientLoop.reset();
    clientLoop.enable();
    const from = Date.now();
    const xs: number[] = [];
    for (let i = 0; i < proofs; i++) xs.push(await one());
    const to = Date.now();
    clientLoop.disable();
    out(`${name.padEnd(8)} ${fmt(xs)} in ${((to - from) / 1000).toFixed(1)} s`);
    out(`         ${loopIn(from, to)}; probe loop max ${(clientLoop.max / 1e6).toFixed(1)} ms`);
  };
  for (let r = 0; r < rounds; r++) {
    if (rounds > 1) out(`round ${r + 1}`);
    await phase('fetch', () => viaFetch(`/v1/proofs/inclusion?seq=${random()}`));
    await phase('http', () => viaHttp(`/v1/proofs/inclusion?seq=${random()}`));
    await phase('store', () => viaStore(random()));
    const red: number[] = [];
    let tiles = 0;
    hashes = 0;
    await phase('compute', async () => {
      const c = await compute(random());
      red.push(c.redisMs);
      tiles += c.tiles;
      return c.computeMs;
    });
    if (red.length > 50)
      out(
        `redis    ${fmt(red.slice(50))} (one MULTI of the tiles, ${(tiles / red.length).toFixed(1)} tiles); SHA-256 per proof ≈ ${(hashes / red.length).toFixed(0)}`,
      );
  }
  agent.destroy();
} finally {
  await set.close();
  if (process.env.PROBE_DROP === '1') {
    const { pattern } = chainKeys(config.redis.keyPrefix, chain);
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (batch.length > 0) await redis.unlink(...batch);
    } while (cursor !== '0');
    const kafka = createKafka(kafkaClientOptions(config), logger, 'probe');
    await withAdmin(kafka, (admin) => admin.deleteTopics({ topics: [`${chain}.source`, kafkaNames.ledgerTopic(chain), kafkaNames.digestTopic(chain)] })).catch(
      (err: Error) => out(`topics not deleted: ${err.message}`),
    );
    out(`dropped ${chain}: index keys and topics`);
  }
  redis.disconnect();
  await zk.close();
}
