/**
 * A proof without `size` is to the latest checkpoint. A replica remembers the last one it saw; a
 * proof asked for a seq beyond it must look again, not answer "beyond the tree size" for as long
 * as nobody asks for /checkpoint (found by the console's browser test in CI: an idle chain, the
 * first request early, then a 400 for a minute).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';

let fixture: ChainFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

describe('inclusion proofs to the latest checkpoint (real Kafka, ZooKeeper, Redis)', () => {
  it('a seq beyond the last checkpoint the replica saw is proved once the index has it, with no other request between', async () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'seqchain-proof-size-')), 'log.key');
    const origin = `example.com/proof-size-${Date.now()}`;
    expect((await runCli(['log-keygen', '--origin', origin, '--out', keyFile])).code).toBe(0);
    fixture = new ChainFixture({ SEQCHAIN_LOG_VIEW_ENABLED: 'true', SEQCHAIN_LOG_VIEW_ORIGIN: origin, SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: keyFile });
    const f = fixture;
    await f.startSequenced(2, 1_000);
    const api = await f.set.apiUrl(`${f.chain}-r1`);
    await waitFor('a proof of seq 1000', async () => (await fetch(`${api}/v1/proofs/inclusion?seq=1000`)).ok, 30_000, 100);

    const early = await fetch(`${api}/v1/proofs/inclusion?seq=1500`);
    expect(early.status).toBe(400);
    expect(((await early.json()) as { message: string }).message).toMatch(/beyond the tree size 1000/);

    await f.produce(1_000);
    await waitFor('2000 sequenced', async () => (await f.set.sequenced()) >= 2_000, 60_000, 100);
    // Only proof requests from here on: the replica's remembered size (1000) must not stick.
    const proved = await waitFor(
      'a proof of seq 1500 to the new checkpoint',
      async () => {
        const res = await fetch(`${api}/v1/proofs/inclusion?seq=1500`);
        return res.ok ? ((await res.json()) as { treeSize: string }) : undefined;
      },
      30_000,
      200,
    );
    expect(Number(proved.treeSize)).toBe(2_000);
  }, 120_000);
});
