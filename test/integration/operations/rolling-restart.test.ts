import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { epochsOf, expectInvariantOne, expectVerified, perTest, startReplicaSet, waitForOwnership } from './helpers.js';

const PARTITIONS = 6;
const t = perTest();

describe('rolling restart under load (real Kafka, ZooKeeper)', () => {
  it('restarts every replica one by one (SIGTERM, then a fresh process with the same id): nothing lost or doubled, sequencing resumes each time', async () => {
    const f = t.chain();
    const ids = await startReplicaSet(f, PARTITIONS, 3);
    const firstLeader = (await f.set.leader())!;

    const load = await t.startLoad(f, 2_000);
    await load.waitFor(2_000);

    const timings: Record<string, number> = {};
    // The leader last, so leadership moves at least once (and twice when it lands on a restarted one).
    const order = [...ids.filter((id) => id !== firstLeader.replicaId), firstLeader.replicaId];
    for (const id of order) {
      const t0 = Date.now();
      await f.set.kill(id, 'SIGTERM');
      await waitForOwnership(
        f,
        ids.filter((r) => r !== id),
        PARTITIONS,
      );
      f.set.start(id);
      await waitForOwnership(f, ids, PARTITIONS);
      await waitFor('a leader', async () => (await f.set.leader()) ?? undefined, 30_000);
      // Sequencing resumed: what was produced before the restart is sequenced, and the load goes on.
      const target = load.sent;
      await waitFor(`records produced before restarting ${id} sequenced`, async () => (await f.set.sequenced()) >= target, 45_000, 100);
      timings[id.slice(f.chain.length + 1)] = Date.now() - t0;
      await load.waitFor(1_000);
    }

    const total = await t.stopLoad();
    const rows = await expectInvariantOne(f, total);
    const epochs = epochsOf(rows);
    expect(epochs[0]).toBe(firstLeader.epoch);
    expect(epochs.length).toBeGreaterThanOrEqual(2);
    expect((await f.set.leader())!.epoch).toBe(epochs[epochs.length - 1]);
    await expectVerified(f, total);
    process.stderr.write(`rolling restart: ${JSON.stringify({ records: total, epochs: epochs.map(String), restartMs: timings })}\n`);
  }, 180_000);
});
