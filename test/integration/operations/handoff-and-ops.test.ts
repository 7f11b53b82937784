import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import type { CutMessage } from '../../../src/wire/ledger-v1.js';
import type { ChainFixture } from '../../helpers/chain-fixture.js';
import type { LoadGenerator } from '../../helpers/load.js';
import { expectInvariantOne, perTest, waitForOwnership } from './helpers.js';

const TOKEN = 'handoff-test-token-0123456789';
const t = perTest();

async function threeReplicasUnderLoad(rate: number): Promise<{ f: ChainFixture; load: LoadGenerator }> {
  const f = t.chain({ SEQCHAIN_API_TOKEN: TOKEN });
  await f.init(6);
  for (let i = 1; i <= 3; i++) f.set.start(`${f.chain}-r${i}`);
  await waitForOwnership(
    f,
    [1, 2, 3].map((i) => `${f.chain}-r${i}`),
    6,
    60_000,
  );
  const load = await t.startLoad(f, rate);
  await waitFor('records flowing through the chain', async () => (await f.set.sequenced()) >= rate, 60_000, 50);
  return { f, load };
}

/** Stops the load, waits until all of it is sequenced, checks invariant 1; the ledger's cuts. */
async function drainAndCheck(f: ChainFixture): Promise<CutMessage[]> {
  await expectInvariantOne(f, await t.stopLoad());
  return (await f.ledgerMessages()).filter((m): m is CutMessage => m.kind === 'cut');
}

/** ms between the last cut of `epoch` and the first cut of any later epoch (closedAtMs of each). */
function handOffGapMs(cuts: CutMessage[], epoch: bigint): number {
  const lastOld = cuts.filter((c) => c.epoch === epoch).at(-1)!;
  const firstNew = cuts.find((c) => c.epoch > epoch)!;
  expect(lastOld).toBeDefined();
  expect(firstNew).toBeDefined();
  return Number(firstNew.closedAtMs - lastOld.closedAtMs);
}

const post = (url: string, token?: string, body?: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

describe('leader hand-off and operations (real Kafka, ZooKeeper; replicas as processes)', () => {
  it('SIGTERM: the leader finishes its cut and resigns; a follower sequences within 1 s, nothing lost or doubled', async () => {
    const { f, load: l } = await threeReplicasUnderLoad(2_000);
    const old = (await f.set.leader())!;
    await f.set.kill(old.replicaId, 'SIGTERM');
    await waitFor(
      'a new leader',
      async () => {
        const leader = await f.set.leader();
        return leader !== null && leader.epoch > old.epoch;
      },
      30_000,
      20,
    );
    await l.waitFor(2_000);
    const cuts = await drainAndCheck(f);
    const gap = handOffGapMs(cuts, old.epoch);
    console.log(`[figure] SIGTERM hand-off gap (last cut of epoch ${old.epoch} → first cut of the next): ${gap} ms`);
    expect(gap).toBeLessThanOrEqual(1_000);
  }, 180_000);

  it('POST /v1/ops/resign needs the token, is refused by a follower with the leader named, and hands off within 1 s', async () => {
    const { f, load: l } = await threeReplicasUnderLoad(2_000);
    const old = (await f.set.leader())!;
    const follower = (await f.set.members()).find((m) => m.replicaId !== old.replicaId)!;
    const leaderApi = await f.set.apiUrl(old.replicaId);

    const noToken = await post(`${leaderApi}/v1/ops/resign`);
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ code: 'SEQCHAIN_ERR_UNAUTHORIZED' });
    const wrongToken = await post(`${leaderApi}/v1/ops/resign`, `${TOKEN}-wrong`);
    expect(wrongToken.status).toBe(401);
    expect((await f.set.leader())!.epoch).toBe(old.epoch);

    const onFollower = await post(`${follower.apiAddress}/v1/ops/resign`, TOKEN);
    expect(onFollower.status).toBe(409);
    expect(await onFollower.json()).toMatchObject({ code: 'SEQCHAIN_ERR_NOT_LEADER', details: { leader: old.replicaId, leaderApi } });

    const resigned = await post(`${leaderApi}/v1/ops/resign`, TOKEN);
    expect(resigned.status).toBe(200);
    expect(await resigned.json()).toEqual({ resigned: old.replicaId, epoch: old.epoch.toString() });
    await waitFor('a new leader', async () => ((await f.set.leader())?.epoch ?? 0n) > old.epoch, 30_000, 20);
    await l.waitFor(2_000);
    const cuts = await drainAndCheck(f);
    const gap = handOffGapMs(cuts, old.epoch);
    console.log(`[figure] resign hand-off gap: ${gap} ms`);
    expect(gap).toBeLessThanOrEqual(1_000);
    const logs = await Promise.all([...f.set.replicas.values()].map((r) => import('node:fs/promises').then((fs) => fs.readFile(r.logFile, 'utf8'))));
    for (const log of logs) expect(log).not.toContain(TOKEN);
  }, 180_000);

  it('pause stops every cut (the leader keeps leading) and resume sequences everything exactly once', async () => {
    const { f, load: l } = await threeReplicasUnderLoad(2_000);
    const leader = (await f.set.leader())!;
    const anyApi = await f.set.apiUrl((await f.set.members()).find((m) => m.replicaId !== leader.replicaId)!.replicaId);
    expect((await post(`${anyApi}/v1/ops/pause`, undefined, { reason: 'test' })).status).toBe(401);
    const paused = await post(`${anyApi}/v1/ops/pause`, TOKEN, { reason: 'maintenance window' });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ paused: true, reason: 'maintenance window' });

    await sleep(500); // the leader's current cut, if any, completes
    const frozen = await f.set.sequenced();
    await l.waitFor(3_000);
    expect(await f.set.sequenced()).toBe(frozen);
    const status = (await (await fetch(`${anyApi}/v1/status`)).json()) as { paused: { reason: string } | null; leader: { replicaId: string } };
    expect(status.paused?.reason).toBe('maintenance window');
    expect(status.leader.replicaId).toBe(leader.replicaId);

    const resumed = await post(`${anyApi}/v1/ops/resume`, TOKEN);
    expect(await resumed.json()).toEqual({ paused: false, wasPaused: true });
    await waitFor('sequencing resumes', async () => (await f.set.sequenced()) > frozen, 30_000, 50);
    await drainAndCheck(f);
  }, 180_000);
});
