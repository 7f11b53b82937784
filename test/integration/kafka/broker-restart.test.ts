/**
 * A Kafka broker restart under a running replica set (docs/CHAOS.md, the two kafkajs failures
 * after a broker restart): no replica exits, every worker digests again, the member znodes say
 * who owns what, and the chain verifies.
 *
 * Runs on a private stack of its own (.stack-crash, ports 31092/31093/31181/31379), which it
 * starts and purges itself, because it stops and starts Kafka.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, waitFor } from '../../../scripts/lib/replica-set.js';
import { expectInvariantOne, expectVerified, perTest, startReplicaSet, waitForOwnership } from '../operations/helpers.js';

const STACK_ENV = {
  SEQCHAIN_STACK_DIR: `${REPO}/.stack-crash`,
  SEQCHAIN_KAFKA_PORT: '31092',
  SEQCHAIN_KAFKA_CONTROLLER_PORT: '31093',
  SEQCHAIN_ZK_PORT: '31181',
  SEQCHAIN_REDIS_PORT: '31379',
};
// The fixture, the replicas and `seqchain verify` all read these (loadConfig, process.env).
Object.assign(process.env, {
  SEQCHAIN_KAFKA_BROKERS: '127.0.0.1:31092',
  SEQCHAIN_ZK_CONNECT: '127.0.0.1:31181',
  SEQCHAIN_REDIS_URL: 'redis://127.0.0.1:31379',
});

/** Long enough for kafkajs to run out of retries finding the group coordinator (8 retries, ≤ 3 s apart). */
const OUTAGE_MS = Number(process.env.BROKER_RESTART_OUTAGE_MS ?? 25_000);
const PARTITIONS = 6;

/** `stack.sh <args>` on the private stack: every component, or Kafka alone. */
function privateStack(args: string[], components = 'zookeeper kafka redis'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['scripts/stack.sh', ...args], {
      cwd: REPO,
      env: { ...process.env, ...STACK_ENV, SEQCHAIN_STACK_COMPONENTS: components },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`stack.sh ${args.join(' ')} exited ${code}`))));
  });
}

const t = perTest();

describe('Kafka broker restart under a running replica set (private stack)', () => {
  beforeAll(() => privateStack(['up']), 180_000);
  afterAll(() => privateStack(['down', '--purge']), 120_000);

  it('no replica exits; workers digest again, ownership is republished, every record is sequenced once and verify passes', async () => {
    const f = t.chain();
    const ids = await startReplicaSet(f, PARTITIONS, 3);
    await f.produce(300);
    await waitFor('300 records sequenced before the restart', async () => (await f.set.sequenced()) >= 300, 60_000, 200);
    const epochBefore = (await f.set.leader())!.epoch;

    const t0 = Date.now();
    await privateStack(['down'], 'kafka');
    await sleep(OUTAGE_MS);
    await privateStack(['up'], 'kafka');
    const upAt = Date.now();

    // Produced after the restart: only a worker that digests again gets these sequenced.
    await waitFor(
      'records produced after the restart',
      async () =>
        f.produce(300).then(
          () => true,
          () => false,
        ),
      60_000,
      1_000,
    );
    await waitFor('600 records sequenced after the restart', async () => (await f.set.sequenced()) >= 600, 120_000, 200);
    const resumedMs = Date.now() - upAt;

    // A worker whose consumer died must not keep claiming partitions: ownership settles over all three.
    await waitForOwnership(f, ids, PARTITIONS, 60_000);
    for (const p of f.set.replicas.values())
      expect({ id: p.id, exitCode: p.child.exitCode, signal: p.child.signalCode }).toEqual({ id: p.id, exitCode: null, signal: null });

    await expectInvariantOne(f, 600);
    await expectVerified(f, 600);

    const logs = [...f.set.replicas.values()].map((p) => readFileSync(p.logFile, 'utf8')).join('\n');
    const seen = {
      workerRecreated: (logs.match(/worker consumer crashed: partitions released/g) ?? []).length,
      digestConsumerCrashed: (logs.match(/digest consumer crashed/g) ?? []).length,
      tailReadRetried: (logs.match(/reading the ledger tail failed; reading it again/g) ?? []).length,
      readerCrashed: (logs.match(/range reader consumer crashed/g) ?? []).length,
      unhandled: (logs.match(/unhandled promise rejection/g) ?? []).length,
    };
    expect(seen.unhandled).toBe(0);
    process.stderr.write(
      `broker restart: ${JSON.stringify({ outageMs: OUTAGE_MS, totalMs: Date.now() - t0, resumedMs, epochBefore: String(epochBefore), epochAfter: String((await f.set.leader())?.epoch), ...seen })}\n`,
    );
  }, 420_000);
});
