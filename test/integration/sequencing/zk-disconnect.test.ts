import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { ChainFixture, invariantOneViolations } from '../../helpers/chain-fixture.js';
import { TcpProxy, ZK_CONNECT } from '../../helpers/zk.js';

/**
 * docs/DESIGN.md "Losing leadership": a replica that sees ZooKeeper `disconnected` stops sequencing at once (it may have
 * lost leadership without being told) and resumes only after re-confirming leadership, under a
 * new epoch. The leader reaches ZooKeeper through a proxy that the test cuts.
 */
describe('a leader cut off from ZooKeeper', () => {
  let f: ChainFixture;
  let proxy: TcpProxy;

  afterAll(async () => {
    await f?.close();
    await proxy?.stop();
  });

  it('writes no ledger message while disconnected, then resumes under a new epoch with nothing lost or doubled', async () => {
    proxy = await new TcpProxy(ZK_CONNECT).start();
    f = new ChainFixture({ SEQCHAIN_ZK_CONNECT: proxy.connect });
    await f.startSequenced(2, 2_000, 'solo');
    const before = (await f.set.leader())!;

    proxy.cut();
    await sleep(300);
    const ledgerEnd = await f.ledgerEnd();
    // Records keep arriving and the workers keep digesting them (Kafka is reachable) …
    await f.produce(1_000);
    await sleep(2_000); // … but well inside the 4 s session timeout, no cut may be written.
    expect(await f.ledgerEnd()).toBe(ledgerEnd);
    expect(await f.set.sequenced()).toBe(2_000);

    proxy.restore();
    await waitFor('3,000 sequenced', async () => (await f.set.sequenced()) >= 3_000, 60_000, 100);
    const after = (await f.set.leader())!;
    expect(after.replicaId).toBe(before.replicaId);
    expect(after.epoch).toBeGreaterThan(before.epoch);
    const [source, rows] = await Promise.all([f.sourcePositions(), f.ledgerRows()]);
    expect(rows.length).toBe(3_000);
    expect(invariantOneViolations(source, rows)).toEqual([]);
    expect(rows[rows.length - 1]!.epoch).toBe(after.epoch);
  }, 180_000);
});
