/**
 * The workers of a crashed replica (src/coordination/member-watch.ts, src/kafka/group-member.ts)
 * on the real stack: worker sessions of 15 s, so that waiting for the broker to expire the dead
 * worker and removing it at once cannot be mistaken for each other.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { removeGroupMember } from '../../../src/kafka/group-member.js';
import { kafkaNames } from '../../../src/kafka/names.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';

const WORKER_SESSION_MS = 15_000;
const PARTITIONS = 6;
let fixture: ChainFixture | null = null;

/** Partitions owned by these replicas' workers, as their member nodes publish them. */
async function ownedBy(f: ChainFixture, which: string[]): Promise<Set<number>> {
  return new Set((await f.set.members()).filter((m) => which.includes(m.replicaId)).flatMap((m) => m.partitions));
}

afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

describe("a crashed replica's worker (real ZooKeeper, Kafka, replica processes)", () => {
  it('its partitions move to the live workers long before its group session would expire, and flow', async () => {
    fixture = new ChainFixture({ SEQCHAIN_WORKER_SESSION_TIMEOUT_MS: String(WORKER_SESSION_MS) });
    const f = fixture;
    await f.startSequenced(PARTITIONS, 600);
    const ids = ['r1', 'r2', 'r3'].map((r) => `${f.chain}-${r}`);
    f.set.start(ids[1]!);
    f.set.start(ids[2]!);
    await waitFor(
      'every replica owns partitions',
      async () => {
        const members = await f.set.members();
        return members.length === 3 && members.every((m) => m.partitions.length > 0 && m.workerMemberId);
      },
      60_000,
      100,
    );
    await sleep(1_500); // every replica follows the others' liveness streams
    const leader = (await f.set.leader())!.replicaId;
    const victim = ids.find((id) => id !== leader)!;
    const survivors = ids.filter((id) => id !== victim);
    const victimMember = (await f.set.members()).find((m) => m.replicaId === victim)!;
    expect(victimMember.partitions.length).toBeGreaterThan(0);

    const killedAt = Date.now();
    await f.set.kill(victim, 'SIGKILL');
    await waitFor('the survivors own every partition', async () => (await ownedBy(f, survivors)).size === PARTITIONS, WORKER_SESSION_MS * 2, 20);
    const movedMs = Date.now() - killedAt;
    // Through the group session this takes at least WORKER_SESSION_MS.
    expect(movedMs).toBeLessThan(WORKER_SESSION_MS / 2);
    console.log(`worker takeover: SIGKILL of ${victim} → its partitions owned by live workers after ${movedMs} ms (worker session ${WORKER_SESSION_MS} ms)`);

    // The moved partitions flow: records produced now, to every partition, are sequenced.
    const before = await f.set.sequenced();
    await f.produce(600);
    await waitFor('the new records sequenced', async () => (await f.set.sequenced()) >= before + 600, WORKER_SESSION_MS / 2, 50);
    const removedBy = survivors.filter((id) => readFileSync(f.set.replicas.get(id)!.logFile, 'utf8').includes(`"memberId":"${victimMember.workerMemberId}"`));
    expect(removedBy.length).toBeGreaterThan(0);
    // Removed once: asking again finds no such member.
    expect(await removeGroupMember(f.kafka, kafkaNames.workerGroup(f.chain), victimMember.workerMemberId!)).toBe('unknown');
    for (const id of removedBy) expect(readFileSync(f.set.replicas.get(id)!.logFile, 'utf8')).toMatch(/peer gone: its worker removed from the worker group/);
  });

  it('a replica restarted at once under the same id removes its previous worker, so its new worker does not wait for that session', async () => {
    fixture = new ChainFixture({ SEQCHAIN_WORKER_SESSION_TIMEOUT_MS: String(WORKER_SESSION_MS) });
    const f = fixture;
    await f.startSequenced(PARTITIONS, 300);
    const id = `${f.chain}-r1`;
    await waitFor('r1 owns every partition', async () => (await ownedBy(f, [id])).size === PARTITIONS, 60_000, 100);
    const before = (await f.set.members()).find((m) => m.replicaId === id)!;
    expect(before.workerMemberId).toBeTruthy();

    const killedAt = Date.now();
    await f.set.kill(id, 'SIGKILL');
    const restarted = f.set.start(id);
    await waitFor(
      'the new worker owns every partition',
      async () => {
        const m = (await f.set.members()).find((x) => x.replicaId === id);
        return m !== undefined && m.pid === restarted.child.pid && m.partitions.length === PARTITIONS && m.workerMemberId !== before.workerMemberId;
      },
      WORKER_SESSION_MS * 2,
      50,
    );
    const ownedMs = Date.now() - killedAt;
    // Through the old member's session this takes at least WORKER_SESSION_MS.
    expect(ownedMs).toBeLessThan(WORKER_SESSION_MS / 2);
    console.log(
      `worker takeover, one replica restarted at once: its new worker owns every partition after ${ownedMs} ms (worker session ${WORKER_SESSION_MS} ms)`,
    );
    expect(readFileSync(restarted.logFile, 'utf8')).toMatch(/restarted after a crash: its worker removed from the worker group/);
  });
});
