import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import type { ChainStatus } from '../../../src/ops/chain-status.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';

describe('seqchain init, status and run on SIGTERM (CLI as users run it)', () => {
  const f = new ChainFixture();
  const env = { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' };
  let firstGenesis = '';

  beforeAll(async () => {
    const out = await runCli(['init', '--topic', f.topic, '--partitions', '4', '--json'], env);
    expect(out.code).toBe(0);
    firstGenesis = (JSON.parse(out.stdout) as { genesisHash: string }).genesisHash;
  }, 120_000);

  afterAll(async () => {
    await f.close();
  });

  it('refuses to overwrite an existing chain without --force, naming the chain', async () => {
    const again = await runCli(['init', '--topic', f.topic], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('SEQCHAIN_ERR_CHAIN_EXISTS');
    expect(again.stderr).toContain(`chain "${f.chain}" already exists`);
  }, 60_000);

  it('replaces the chain with --force: a new genesis, and the sequencing starts over from it', async () => {
    const forced = await runCli(['init', '--topic', f.topic, '--force', '--json'], env);
    expect(forced.code).toBe(0);
    const genesis = (JSON.parse(forced.stdout) as { genesisHash: string }).genesisHash;
    expect(genesis).toMatch(/^[0-9a-f]{64}$/);
    expect(genesis).not.toBe(firstGenesis);
  }, 120_000);

  it('status shows leader, members, partition ownership, head and zero lag once everything is sequenced', async () => {
    f.set.start(`${f.chain}-a`);
    f.set.start(`${f.chain}-b`);
    await waitFor(
      'two assigned members',
      async () => {
        const m = await f.set.members();
        return m.length === 2 && m.every((x) => x.partitions.length > 0);
      },
      60_000,
    );
    await f.produce(4_000);
    await waitFor('4,000 sequenced', async () => (await f.set.sequenced()) >= 4_000, 60_000, 100);

    const out = await runCli(['status', '--json'], env);
    expect(out.code).toBe(0);
    const s = JSON.parse(out.stdout) as ChainStatus;
    expect(s.leader?.replicaId).toMatch(new RegExp(`^${f.chain}-[ab]$`));
    expect(s.members.map((m) => m.replicaId).sort()).toEqual([`${f.chain}-a`, `${f.chain}-b`]);
    expect(s.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    expect(s.partitions.every((p) => p.owner !== null && p.lag === '0')).toBe(true);
    expect(s.head.seq).toBe('4000');
    expect(s.totalLag).toBe('0');

    const table = await runCli(['status'], env);
    expect(table.stdout).toContain(`leader   ${s.leader!.replicaId}`);
    expect(table.stdout).toMatch(/total lag 0/);
    // At the default level a one-shot command prints warnings only (none here), never JSON lines.
    const quiet = await runCli(['status'], { ...env, SEQCHAIN_LOG_LEVEL: '' });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  }, 120_000);

  it('a SIGTERMed leader exits 0 and hands off before its ZooKeeper session could even expire', async () => {
    const leader = (await f.set.leader())!;
    const proc = f.set.replicas.get(leader.replicaId)!;
    const stoppedAt = Date.now();
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    f.set.replicas.delete(leader.replicaId);
    const next = await waitFor(
      'a new leader',
      async () => {
        const l = await f.set.leader();
        return l && l.replicaId !== leader.replicaId ? l : undefined;
      },
      30_000,
      20,
    );
    expect(next.epoch).toBeGreaterThan(leader.epoch);
    // Without the hand-off, the successor would wait for the session to expire first.
    expect(Date.now() - stoppedAt).toBeLessThan(f.set.config.zookeeper.sessionTimeoutMs);

    await f.produce(1_000);
    await waitFor('5,000 sequenced', async () => (await f.set.sequenced()) >= 5_000, 60_000, 100);
    expect((await f.ledgerRows()).length).toBe(5_000);
  }, 120_000);
});
