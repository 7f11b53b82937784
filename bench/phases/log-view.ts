/**
 * The log view's figures (issue 12, "Speed"), all in the same run as the rest of the benchmark:
 *
 * - backlog, view off and on: two seqchain runs over the same source topic (the seqchain
 *   phase's), one with `logView.enabled` off and one on, in alternating order from one
 *   repetition to the next; records/s as in the seqchain phase (middle 80%).
 * - after each backlog run, before its replicas stop: the index caught up (the API's head, and
 *   with the view on its `/checkpoint`, at the backlog's size), then the Redis bytes of the
 *   chain's index (MEMORY USAGE of every key, by kind), and with the view on the inclusion and
 *   consistency proof latency from one replica's API at that size.
 * - after both runs: the ledger's bytes per record (every cut message's size, SCM1 or SCM2), and
 *   the two chains' index keys deleted.
 * - checkpoint lag: a chain with the view on under a live load (a latency session); a ledger
 *   reader notes when each cut becomes visible, a child process polls `/checkpoint` of a replica
 *   that does not lead (bench/child/checkpoint-poll.ts), and the lag of a cut is the first answer
 *   that covers it minus the moment the reader saw it (bench/lib/log-view.ts).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../scripts/lib/replica-set.js';
import { loadConfig } from '../../src/config/load.js';
import { kafkaClientOptions, redisClientOptions } from '../../src/config/slices.js';
import { createRedis, waitForRedis } from '../../src/index-store/redis-client.js';
import { chainKeys } from '../../src/index-store/keys.js';
import { createKafka } from '../../src/kafka/client.js';
import { kafkaNames } from '../../src/kafka/names.js';
import { topicOffsets, withAdmin } from '../../src/kafka/offsets.js';
import { readRanges } from '../../src/kafka/range-reader.js';
import type { Logger } from '../../src/log.js';
import { NoteSigner } from '../../src/tlog/note-key.js';
import { decodeLedgerMessage } from '../../src/wire/ledger.js';
import type { PollMessage } from '../child/checkpoint-poll.js';
import { cutMessageBytes } from '../lib/ledger-size.js';
import { checkpointLags, indexBytes, type IndexBytes } from '../lib/log-view.js';
import type { RecordFactory } from '../lib/records.js';
import { summarizeLatencies, type LatencySummary } from '../lib/stats.js';
import { runLatencySession } from './seqchain-latency.js';
import { runSeqchainBacklog } from './seqchain-throughput.js';
import { leaderPid, type BenchReplicas } from './replicas.js';

const POLLER = fileURLToPath(new URL('../child/checkpoint-poll.js', import.meta.url));

/** A signing key of the run's own, in a private folder, and the replica environment that switches the view on with it. */
export interface LogViewKey {
  origin: string;
  verifierKey: string;
  env: Record<string, string>;
  remove(): void;
}

export function createLogViewKey(run: string): LogViewKey {
  const origin = `bench.seqchain.invalid/${run}`;
  const signer = NoteSigner.generate(origin);
  const dir = mkdtempSync(join(tmpdir(), 'seqchain-bench-log-'));
  const file = join(dir, 'log.key');
  writeFileSync(file, `${signer.format()}\n`, { mode: 0o600, flag: 'wx' });
  return {
    origin,
    verifierKey: signer.verifierKey,
    env: { SEQCHAIN_LOG_VIEW_ENABLED: 'true', SEQCHAIN_LOG_VIEW_ORIGIN: origin, SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: file },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface LedgerBytes {
  cuts: number;
  records: number;
  /** Cut message bytes (the Kafka record values) per record. */
  bytesPerRecord: number;
  recordsPerCut: number;
  /** Mean bytes an SCM2 cut carries beyond its SCM1 form (signed checkpoint, border); null without SCM2 cuts. */
  logViewBytesPerCut: number | null;
}

export interface ProofLatency {
  treeSize: number;
  inclusion: LatencySummary;
  consistency: LatencySummary;
}

export interface BacklogSide {
  rps: number;
  fromReadyRps: number;
  /** CPU of the leader replica from the set ready to the last record, cores: where the view's hashing and signing run. */
  leaderCores: number;
  /** CPU of every process of the run (replicas, Kafka, Redis, ZooKeeper) from ready, µs per record. */
  cpuUsPerRecord: number;
  /** From the last record sequenced to the index serving it (and, with the view on, its checkpoint), ms. */
  indexCatchUpMs: number;
  redis: IndexBytes;
  ledger: LedgerBytes;
  /** With the view on only. */
  proofs: ProofLatency | null;
}

export interface LogViewBacklog {
  on: BacklogSide;
  off: BacklogSide;
  /** Which ran first in this repetition. */
  first: 'on' | 'off';
}

export async function runLogViewBacklog(opts: {
  label: string;
  /** Chain names of the two runs. */
  chains: { on: string; off: string };
  topic: string;
  partitions: number;
  replicas: number;
  total: number;
  key: LogViewKey;
  /** Order of the two runs: alternated from one repetition to the next. */
  first: 'on' | 'off';
  /** Inclusion proofs to time (a quarter as many consistency proofs). */
  proofs: number;
  /** Delete the chains' index keys from Redis once measured. */
  dropIndex: boolean;
  /** Profile the replicas of both runs (`--cpu-prof`): into `<dir>/on` and `<dir>/off`. */
  cpuProfDir: string | null;
  logger: Logger;
}): Promise<LogViewBacklog> {
  const sides: Partial<Record<'on' | 'off', Omit<BacklogSide, 'ledger'>>> = {};
  for (const mode of opts.first === 'on' ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
    const chain = opts.chains[mode];
    let after: { indexCatchUpMs: number; redis: IndexBytes; proofs: ProofLatency | null } | null = null;
    const s = await runSeqchainBacklog({
      label: `${opts.label} view ${mode}`,
      chain,
      topic: opts.topic,
      partitions: opts.partitions,
      replicas: opts.replicas,
      total: opts.total,
      logger: opts.logger,
      cpuProfDir: opts.cpuProfDir === null ? null : join(opts.cpuProfDir, mode),
      readLedgerShape: false,
      timeoutMs: 1_800_000,
      ...(mode === 'on' ? { env: opts.key.env } : {}),
      afterSequenced: async (r) => {
        const sequencedAt = Date.now();
        const url = await r.set.apiUrl(await notLeading(r));
        await waitIndexed(url, opts.total, mode === 'on');
        const indexCatchUpMs = Date.now() - sequencedAt;
        const redis = await measureIndexBytes(chain, opts.logger);
        const proofs = mode === 'on' ? await timeProofs(url, opts.total, opts.proofs) : null;
        after = { indexCatchUpMs, redis, proofs };
      },
    });
    const measured = after as { indexCatchUpMs: number; redis: IndexBytes; proofs: ProofLatency | null } | null;
    if (!measured) throw new Error(`${opts.label} view ${mode}: the run ended before its index was measured`);
    sides[mode] = { rps: s.rps, fromReadyRps: s.fromReadyRps, leaderCores: s.cpu.leader, cpuUsPerRecord: s.cpuUsPerRecord, ...measured };
  }
  // Read back and clean up only after both runs: Redis frees UNLINKed keys in a background
  // thread, and neither that nor the ledger read may slow the second run of the pair.
  const both = {} as Record<'on' | 'off', BacklogSide>;
  for (const mode of ['on', 'off'] as const) {
    both[mode] = { ...sides[mode]!, ledger: await measureLedgerBytes(opts.chains[mode], opts.logger) };
    if (opts.dropIndex) await dropIndex(opts.chains[mode], opts.logger);
  }
  return { ...both, first: opts.first };
}

/** A replica that does not lead (the first one when there is only one): the API a reader would ask. */
async function notLeading(r: BenchReplicas): Promise<string> {
  const leader = await leaderPid(r);
  return r.ids.find((id) => id !== leader.id) ?? r.ids[0]!;
}

/** Waits until the API's head (and, with the view on, its checkpoint) is at `size`. */
async function waitIndexed(url: string, size: number, checkpoint: boolean, timeoutMs = 600_000): Promise<void> {
  await waitFor(
    `${url} indexes ${size} records${checkpoint ? ' and serves their checkpoint' : ''}`,
    async () => {
      const head = (await (await fetch(`${url}/v1/head`)).json()) as { seq?: string };
      if (Number(head.seq) < size) return false;
      if (!checkpoint) return true;
      const res = await fetch(`${url}/checkpoint`);
      const text = await res.text();
      return res.status === 200 && Number(text.split('\n')[1]) >= size;
    },
    timeoutMs,
    20,
  );
}

/** Warm-up requests before the timed ones: the connection and the route's first (JIT) calls. */
const PROOF_WARMUP = 20;

/**
 * Inclusion proofs of uniformly random seqs, then consistency proofs from random sizes, at `size`,
 * one request at a time. Timed with node:http and a keep-alive agent, not fetch: the probe
 * (bench/probes/proof-latency.ts) showed fetch (undici) adding about 6 ms at p99 in this process,
 * which is the timing client's, not the route's.
 */
async function timeProofs(url: string, size: number, n: number): Promise<ProofLatency> {
  const random = () => 1 + Math.floor(Math.random() * size);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      httpGet(`${url}${path}`, { agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      }).on('error', reject);
    });
  const time = async (path: string, check: (body: Record<string, unknown>) => boolean): Promise<number> => {
    const t0 = performance.now();
    const res = await get(path);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    const ms = performance.now() - t0;
    if (res.status !== 200 || !check(body)) throw new Error(`GET ${path}: ${res.status} ${res.body.slice(0, 300)}`);
    return ms;
  };
  const inclusion = async () => {
    const seq = random();
    return time(`/v1/proofs/inclusion?seq=${seq}`, (b) => b.treeSize === String(size) && b.seq === String(seq) && Array.isArray(b.proof));
  };
  const consistency = async () => time(`/v1/proofs/consistency?from=${random()}`, (b) => b.to === String(size) && Array.isArray(b.proof));
  for (let i = 0; i < PROOF_WARMUP; i++) await inclusion();
  const inc: number[] = [];
  for (let i = 0; i < n; i++) inc.push(await inclusion());
  for (let i = 0; i < PROOF_WARMUP; i++) await consistency();
  const cons: number[] = [];
  for (let i = 0; i < Math.max(1, Math.round(n / 4)); i++) cons.push(await consistency());
  agent.destroy();
  return { treeSize: size, inclusion: summarizeLatencies(inc), consistency: summarizeLatencies(cons) };
}

/** MEMORY USAGE (SAMPLES 0: every element counted) of every key of the chain's index, summed by kind. */
async function measureIndexBytes(chain: string, logger: Logger): Promise<IndexBytes> {
  const config = loadConfig({ overrides: { chain } });
  const keys = chainKeys(config.redis.keyPrefix, chain);
  const redis = createRedis(redisClientOptions(config), logger, 'bench-memory');
  try {
    await waitForRedis(redis, 10_000);
    const usage: [string, number][] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', keys.pattern, 'COUNT', 1000);
      cursor = next;
      if (batch.length === 0) continue;
      const pipeline = redis.pipeline();
      for (const key of batch) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
      const results = (await pipeline.exec()) ?? [];
      batch.forEach((key, i) => {
        const [err, bytes] = results[i] ?? [null, null];
        if (!err && bytes !== null) usage.push([key, Number(bytes)]);
      });
    } while (cursor !== '0');
    return indexBytes(keys.chainPrefix, usage);
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key of the chain's index (UNLINK), so that the benchmark leaves no index behind. */
async function dropIndex(chain: string, logger: Logger): Promise<void> {
  const config = loadConfig({ overrides: { chain } });
  const keys = chainKeys(config.redis.keyPrefix, chain);
  const redis = createRedis(redisClientOptions(config), logger, 'bench-drop');
  try {
    await waitForRedis(redis, 10_000);
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', keys.pattern, 'COUNT', 1000);
      cursor = next;
      if (batch.length > 0) await redis.unlink(...batch);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Every cut message of the chain's ledger: its size as written (the Kafka record's value), records, the log view's part. */
export async function measureLedgerBytes(chain: string, logger: Logger): Promise<LedgerBytes> {
  const topic = kafkaNames.ledgerTopic(chain);
  const kafka = createKafka(kafkaClientOptions(loadConfig({ overrides: { chain } })), logger, 'bench-ledger-bytes');
  const [end] = await withAdmin(kafka, (admin) => topicOffsets(admin, topic));
  let cuts = 0;
  let records = 0;
  let bytes = 0;
  let signed = 0;
  let logViewBytes = 0;
  await readRanges({
    kafka,
    topic,
    ranges: new Map([[0, { from: 0n, to: end!.high }]]),
    groupPrefix: kafkaNames.readerGroup(chain, 'bench-ledger'),
    logger,
    onMessages: (_p, messages) => {
      for (const m of messages) {
        if (!m.value) continue;
        const msg = decodeLedgerMessage(m.value);
        if (msg.kind !== 'cut') continue;
        cuts++;
        records += msg.entries.length;
        bytes += m.value.length;
        if (msg.log) {
          signed++;
          logViewBytes += m.value.length - cutMessageBytes(msg.coverage.length, msg.entries.length);
        }
      }
    },
  });
  return {
    cuts,
    records,
    bytesPerRecord: bytes / Math.max(1, records),
    recordsPerCut: records / Math.max(1, cuts),
    logViewBytesPerCut: signed === 0 ? null : logViewBytes / signed,
  };
}

export interface CheckpointLagResult {
  offeredRps: number;
  sentRps: number;
  /** Cut visible in the ledger → `/checkpoint` serves a size ≥ its end, ms. */
  lag: LatencySummary;
  /** Cut closed → the same answer, ms. */
  fromClose: LatencySummary;
  /** Produce → cut visible in the ledger, ms, with the view on. */
  e2e: LatencySummary;
  cuts: number;
  uncovered: number;
  /** Cuts of the run that carried no signed checkpoint in the ledger (SCM1); 0 when every cut is covered in its own transaction. */
  unsignedCuts: number;
  /** Time between two answers of the poller, ms: the lag's resolution. */
  pollEveryMs: LatencySummary;
  pollFailures: number;
}

/** A chain with the view on under `rate` records/s for `seconds`, its checkpoint lag measured as in the header. */
export async function runCheckpointLag(
  factory: RecordFactory,
  opts: {
    label: string;
    chain: string;
    topic: string;
    partitions: number;
    replicas: number;
    rate: number;
    seconds: number;
    warmupSeconds: number;
    key: LogViewKey;
    dropIndex: boolean;
    logger: Logger;
  },
): Promise<CheckpointLagResult> {
  const session = await runLatencySession(factory, {
    label: opts.label,
    chain: opts.chain,
    topic: opts.topic,
    partitions: opts.partitions,
    replicas: opts.replicas,
    loads: [opts.rate],
    seconds: opts.seconds,
    warmupSeconds: opts.warmupSeconds,
    logger: opts.logger,
    rssEveryMs: 0,
    progress: true,
    env: opts.key.env,
    cutTimes: true,
    sidecar: async (_chain, ledgerRecords, r) => {
      const url = await r.set.apiUrl(await notLeading(r));
      const stop = await startPoller(url);
      return async () => {
        // The session stops its sidecar once every record is visible in the ledger; the poller
        // keeps asking until the API covers them too, else the slowest cuts would go unmeasured.
        await waitIndexed(url, ledgerRecords(), true, 60_000).catch(() => undefined);
        return stop();
      };
    },
  });
  if (opts.dropIndex) await dropIndex(opts.chain, opts.logger);
  const run = session.runs[0]!;
  const polls = session.sidecar as Extract<PollMessage, { type: 'polls' }>;
  const t = run.cutTimes!;
  const cuts = t.lastSeq.map((lastSeq, i) => ({ lastSeq, visibleAt: t.visibleAt[i]!, closedAt: t.closedAt[i]! }));
  const lags = checkpointLags(
    cuts,
    polls.at.map((at, i) => ({ at, size: polls.size[i]! })),
  );
  return {
    offeredRps: opts.rate,
    sentRps: run.sentRps,
    lag: summarizeLatencies(lags.lagMs),
    fromClose: summarizeLatencies(lags.fromCloseMs),
    e2e: run.e2e,
    cuts: cuts.length,
    uncovered: lags.uncovered,
    unsignedCuts: t.unsigned,
    pollEveryMs: summarizeLatencies(polls.at.slice(1).map((at, i) => at - polls.at[i]!)),
    pollFailures: polls.failures,
  };
}

/** Starts the poller child; the returned function stops it and gives its answers. */
async function startPoller(url: string): Promise<() => Promise<Extract<PollMessage, { type: 'polls' }>>> {
  const child = fork(POLLER, [], { env: { ...process.env, BENCH_URL: url }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const answer = new Promise<Extract<PollMessage, { type: 'polls' }>>((res, rej) => {
    child.on('message', (m: PollMessage) => {
      if (m.type === 'polls') res(m);
    });
    child.once('exit', (code) => rej(new Error(`the checkpoint poller exited with code ${code} before answering`)));
  });
  // Awaited only at the stop; until then an early exit must not count as an unhandled rejection.
  answer.catch(() => undefined);
  // Its first requests establish the connection before the load starts.
  await sleep(200);
  return async () => {
    child.send({ type: 'stop' });
    try {
      return await answer;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  };
}
