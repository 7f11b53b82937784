import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import type { ChainFixture } from '../../helpers/chain-fixture.js';
import type { LoadGenerator } from '../../helpers/load.js';
import { epochsOf, expectInvariantOne, expectVerified, perTest, waitForOwnership } from './helpers.js';

const PARTITIONS = 6;
const t = perTest();

/** Sequencing keeps going: everything acknowledged so far gets sequenced, while the load goes on. */
async function keepsUp(f: ChainFixture, l: LoadGenerator, label: string): Promise<void> {
  const target = l.sent;
  await waitFor(`${label}: the ${target} records produced so far sequenced`, async () => (await f.set.sequenced()) >= target, 45_000, 100);
}

describe('scaling the replica set while producers write (real Kafka, ZooKeeper)', () => {
  it('1 → 3 → 5 → 2 replicas: sequencing continues throughout, nothing lost or doubled, each partition owned once when settled', async () => {
    const f = t.chain();
    await f.init(PARTITIONS);
    const id = (i: number) => `${f.chain}-r${i}`;
    f.set.start(id(1));
    await waitFor('a leader', async () => (await f.set.leader()) ?? undefined, 60_000);
    await waitForOwnership(f, [id(1)], PARTITIONS);

    const load = await t.startLoad(f, 3_000);
    await load.waitFor(2_000);
    await keepsUp(f, load, 'one replica');

    // 1 → 3
    f.set.start(id(2));
    f.set.start(id(3));
    await waitForOwnership(f, [1, 2, 3].map(id), PARTITIONS);
    await load.waitFor(2_000);
    await keepsUp(f, load, 'three replicas');

    // 3 → 5
    f.set.start(id(4));
    f.set.start(id(5));
    await waitForOwnership(f, [1, 2, 3, 4, 5].map(id), PARTITIONS);
    await load.waitFor(2_000);
    await keepsUp(f, load, 'five replicas');

    // 5 → 2: SIGTERM three, the leader among them (graceful hand-off), one after another.
    const leader = (await f.set.leader())!;
    const stopping = [
      leader.replicaId,
      ...[1, 2, 3, 4, 5]
        .map(id)
        .filter((r) => r !== leader.replicaId)
        .slice(0, 2),
    ];
    for (const r of stopping) {
      await f.set.kill(r, 'SIGTERM');
      await load.waitFor(500);
    }
    const remaining = [1, 2, 3, 4, 5].map(id).filter((r) => !stopping.includes(r));
    await waitForOwnership(f, remaining, PARTITIONS);
    await load.waitFor(2_000);
    await keepsUp(f, load, 'two replicas');

    const total = await t.stopLoad();
    const rows = await expectInvariantOne(f, total);
    const successor = (await f.set.leader())!;
    expect(remaining).toContain(successor.replicaId);
    const epochs = epochsOf(rows);
    expect(epochs[0]).toBe(leader.epoch);
    expect(epochs[epochs.length - 1]).toBe(successor.epoch);
    await expectVerified(f, total);
    // Still settled at the end: two members, every partition owned once.
    await waitForOwnership(f, remaining, PARTITIONS, 5_000);
  }, 180_000);
});
