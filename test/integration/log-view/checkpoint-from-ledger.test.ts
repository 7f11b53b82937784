/**
 * `/checkpoint` is served from the ledger (src/indexer/checkpoint-tail.ts), not only from the
 * index: with the index writer held off (another holder in the index lease), a replica still
 * serves the newest checkpoint its ledger holds, while proofs come from the index — to the latest
 * tree the index holds by default, and to the newer size only once the index has it (a proof to it
 * waits, bounded, then says 503 SEQCHAIN_ERR_TIMEOUT).
 */
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { redisClientOptions } from '../../../src/config/slices.js';
import { chainKeys } from '../../../src/index-store/keys.js';
import { createRedis, waitForRedis } from '../../../src/index-store/redis-client.js';
import { openCheckpoint, parseVerifierKey, recordLeafHash, verifyInclusion } from '../../../src/tlog/index.js';
import type { CutMessage } from '../../../src/wire/ledger.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';

const keys = mkdtempSync(join(tmpdir(), 'seqchain-cp-ledger-'));
let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

/** A chain with the log view on, signed by a fresh key. */
async function logViewChain(name: string): Promise<{ f: ChainFixture; origin: string; verifier: ReturnType<typeof parseVerifierKey> }> {
  const origin = `example.com/${name}-${randomBytes(4).toString('hex')}`;
  const keyFile = join(keys, `${origin.replace(/\W/g, '_')}.key`);
  const gen = await runCli(['log-keygen', '--origin', origin, '--out', keyFile]);
  expect(gen.code).toBe(0);
  const verifier = parseVerifierKey(gen.stdout.trim());
  const f = new ChainFixture({ SEQCHAIN_LOG_VIEW_ENABLED: 'true', SEQCHAIN_LOG_VIEW_ORIGIN: origin, SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: keyFile });
  closers.push(() => f.close());
  return { f, origin, verifier };
}

/** Holds the chain's index lease for a replica that does not exist: no replica writes its index. */
async function holdIndexLease(f: ChainFixture): Promise<{ redis: ReturnType<typeof createRedis>; lease: string }> {
  const redis = createRedis(redisClientOptions(f.set.config), f.logger);
  closers.push(async () => redis.disconnect());
  await waitForRedis(redis, 10_000);
  const lease = chainKeys(f.set.config.redis.keyPrefix, f.chain).lease;
  await redis.set(lease, 'someone-else', 'PX', 120_000);
  return { redis, lease };
}

describe('/checkpoint from the ledger (real Kafka, ZooKeeper, Redis)', () => {
  it('serves the newest committed checkpoint while the index is held off; proofs come from the index, and one to the newer size waits for it', async () => {
    const { f, origin, verifier } = await logViewChain('cp-ledger');
    const FIRST = 2_000;
    const MORE = 1_000;
    await f.startSequenced(2, FIRST);
    const url = await f.set.apiUrl(`${f.chain}-r1`);
    const size = async () => {
      const r = await get(`${url}/checkpoint`);
      return r.status === 200 ? Number(r.text.split('\n')[1]) : 0;
    };
    await waitFor(`the checkpoint of size ${FIRST}`, async () => (await size()) === FIRST, 60_000, 50);

    // /checkpoint comes from the ledger: the index is waited for on its own (a loaded machine
    // may index the first cuts seconds after they are committed).
    const indexHead = async () => {
      const r = await fetch(`${url}/v1/head`);
      return r.status === 200 ? Number(((await r.json()) as { seq: string }).seq) : 0;
    };
    await waitFor(`the index at seq ${FIRST}`, async () => (await indexHead()) === FIRST, 60_000, 100);

    // The index stops at FIRST.
    const { redis, lease } = await holdIndexLease(f);
    await waitFor(
      'the replica stops writing the index',
      async () => {
        const status = (await (await fetch(`${url}/v1/status`)).json()) as { index?: { writer?: boolean } };
        return status.index?.writer === false;
      },
      30_000,
      100,
    );

    await f.produce(MORE);
    const ALL = FIRST + MORE;
    await waitFor(`${ALL} sequenced`, async () => (await f.set.sequenced()) >= ALL, 120_000, 100);
    await waitFor(`/checkpoint at ${ALL} from the ledger`, async () => (await size()) === ALL, 30_000, 50);
    const served = openCheckpoint((await get(`${url}/checkpoint`)).text, [verifier], origin).checkpoint;
    expect(served.size).toBe(ALL);
    // The index stayed where the lease was taken from it (asked until the head answers: a loaded Redis may time out once).
    let lastHead = '';
    const head = await waitFor(
      'the index head',
      async () => {
        const r = await fetch(`${url}/v1/head`);
        const text = await r.text();
        lastHead = `${r.status} ${text}`;
        return r.status === 200 ? Number((JSON.parse(text) as { seq: string }).seq) : undefined;
      },
      30_000,
      200,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; last answer: ${lastHead}`);
    });
    expect(head).toBe(FIRST);

    const cuts = (await f.ledgerMessages()).filter((m): m is CutMessage => m.kind === 'cut');
    const digest = (seq: number) => {
      const c = cuts.find((x) => Number(x.firstSeq) <= seq && seq <= Number(x.lastSeq))!;
      return c.entries[seq - Number(c.firstSeq)]!.digest;
    };
    // The default size is the index's latest tree, with its own signed checkpoint.
    const byDefault = (await (await fetch(`${url}/v1/proofs/inclusion?seq=7`)).json()) as { treeSize: string; proof: string[]; checkpoint: string };
    expect(byDefault.treeSize).toBe(String(FIRST));
    const older = openCheckpoint(byDefault.checkpoint, [verifier], origin).checkpoint;
    verifyInclusion(
      recordLeafHash(7n, digest(7)),
      6,
      FIRST,
      byDefault.proof.map((h) => Buffer.from(h, 'base64')),
      older.root,
    );
    // The served size: the index does not hold it, so the proof waits, then says so.
    const t0 = Date.now();
    // Tile 0/008 (leaves 2049–2304) is within the served checkpoint, not in the index: it waits too, then is a 404.
    const lateTile = get(`${url}/tile/0/008`);
    const late = await get(`${url}/v1/proofs/inclusion?seq=7&size=${ALL}`);
    expect(late.status, late.text).toBe(503);
    expect(JSON.parse(late.text).code).toBe('SEQCHAIN_ERR_TIMEOUT');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4_500);
    expect((await lateTile).status).toBe(404);
    // Beyond what the ledger holds: still a 400 naming the parameter.
    const beyond = await get(`${url}/v1/proofs/inclusion?seq=7&size=${ALL + 1}`);
    expect(beyond.status).toBe(400);
    expect(JSON.parse(beyond.text).details.parameter).toBe('size');

    // The lease back: a proof to the served size that is already waiting gets its answer.
    const waiting = fetch(`${url}/v1/proofs/inclusion?seq=${ALL}&size=${ALL}`);
    await redis.del(lease);
    let res = await waiting;
    // The replica takes the lease back at its next check (every 2 s); a proof asked before may still time out.
    if (res.status === 503) res = await fetch(`${url}/v1/proofs/inclusion?seq=${ALL}&size=${ALL}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { treeSize: string; proof: string[]; checkpoint: string };
    expect(body.treeSize).toBe(String(ALL));
    expect((await fetch(`${url}/tile/0/008`)).status).toBe(200);
    verifyInclusion(
      recordLeafHash(BigInt(ALL), digest(ALL)),
      ALL - 1,
      ALL,
      body.proof.map((h) => Buffer.from(h, 'base64')),
      served.root,
    );
  }, 240_000);

  it('with no checkpoint in the index yet, a proof without a size goes to the one /checkpoint serves: it waits for the index, not a 404', async () => {
    const { f, origin, verifier } = await logViewChain('cp-first');
    // Before any replica starts: the index never gets a checkpoint.
    const { redis, lease } = await holdIndexLease(f);
    const RECORDS = 1_000;
    await f.startSequenced(2, RECORDS);
    const url = await f.set.apiUrl(`${f.chain}-r1`);
    await waitFor(
      `/checkpoint at ${RECORDS} from the ledger`,
      async () => {
        const r = await get(`${url}/checkpoint`);
        return r.status === 200 && r.text.split('\n')[1] === String(RECORDS);
      },
      60_000,
      50,
    );
    const served = openCheckpoint((await get(`${url}/checkpoint`)).text, [verifier], origin).checkpoint;

    const t0 = Date.now();
    const late = await get(`${url}/v1/proofs/inclusion?seq=5`);
    expect(late.status, late.text).toBe(503);
    expect(JSON.parse(late.text).code).toBe('SEQCHAIN_ERR_TIMEOUT');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4_500);

    // The lease released: the replica indexes, and the same request is answered against the served tree.
    await redis.del(lease);
    const body = await waitFor(
      'a proof without a size',
      async () => {
        const res = await fetch(`${url}/v1/proofs/inclusion?seq=5`);
        return res.status === 200 ? ((await res.json()) as { treeSize: string; proof: string[] }) : undefined;
      },
      60_000,
      200,
    );
    expect(body.treeSize).toBe(String(RECORDS));
    const cuts = (await f.ledgerMessages()).filter((m): m is CutMessage => m.kind === 'cut');
    const c = cuts.find((x) => x.firstSeq <= 5n && 5n <= x.lastSeq)!;
    verifyInclusion(
      recordLeafHash(5n, c.entries[Number(5n - c.firstSeq)]!.digest),
      4,
      RECORDS,
      body.proof.map((h) => Buffer.from(h, 'base64')),
      served.root,
    );
  }, 180_000);
});
