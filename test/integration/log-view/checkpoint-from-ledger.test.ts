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
import { openCheckpoint, parseVerifierKey } from '../../../src/tlog/index.js';
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

describe('/checkpoint from the ledger (real Kafka, ZooKeeper, Redis)', () => {
  it('serves the newest committed checkpoint while the index is held off', async () => {
    const origin = `example.com/cp-ledger-${randomBytes(4).toString('hex')}`;
    const keyFile = join(keys, `${origin.replace(/\W/g, '_')}.key`);
    const gen = await runCli(['log-keygen', '--origin', origin, '--out', keyFile]);
    expect(gen.code).toBe(0);
    const verifier = parseVerifierKey(gen.stdout.trim());
    const f = new ChainFixture({ SEQCHAIN_LOG_VIEW_ENABLED: 'true', SEQCHAIN_LOG_VIEW_ORIGIN: origin, SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: keyFile });
    closers.push(() => f.close());
    const FIRST = 2_000;
    const MORE = 1_000;
    await f.startSequenced(2, FIRST);
    const url = await f.set.apiUrl(`${f.chain}-r1`);
    const size = async () => {
      const r = await get(`${url}/checkpoint`);
      return r.status === 200 ? Number(r.text.split('\n')[1]) : 0;
    };
    await waitFor(`the checkpoint of size ${FIRST}`, async () => (await size()) === FIRST, 60_000, 50);

    // Hold the index lease for a replica that does not exist: the index stops at FIRST.
    const redis = createRedis(redisClientOptions(f.set.config), f.logger);
    closers.push(async () => redis.disconnect());
    await waitForRedis(redis, 10_000);
    const lease = chainKeys(f.set.config.redis.keyPrefix, f.chain).lease;
    await redis.set(lease, 'someone-else', 'PX', 120_000);
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
    // Known gap (docs/LOG.md): while the lease is held by a replica that is not running, the
    // index answers as if empty, so proofs are not asserted here until that is mended.
    await redis.del(lease);
  }, 240_000);
});
