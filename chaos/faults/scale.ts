/**
 * Scale the replica set 1 → 5 → 1 under load (SIGTERM to scale down, new replica ids to scale
 * up), each step waiting until partition ownership settled, then back to the configured size.
 * Recovery is measured from the last step down to one replica: until the ledger covers every
 * record acknowledged then, with that single replica doing everything.
 */
import type { ChaosCluster } from '../lib/cluster.js';
import type { Fault } from './types.js';

async function scaleTo(c: ChaosCluster, n: number): Promise<string> {
  const t0 = Date.now();
  while (c.ids.length > n) {
    const id = c.pick(c.ids);
    c.ids = c.ids.filter((x) => x !== id);
    await c.set.kill(id, 'SIGTERM');
  }
  while (c.ids.length < n) {
    const id = c.newId();
    c.ids.push(id);
    c.start(id);
  }
  const ok = await c.waitOwnership(c.ids, 60_000);
  return `${n} ${ok ? `${Date.now() - t0} ms` : 'unsettled'}`;
}

export const scale: Fault = async (c) => {
  const from = c.ids.length;
  const injectedAt = Date.now();
  const steps = [await scaleTo(c, 1), await scaleTo(c, 5)];
  // The last step down: measured.
  const referenceAt = Date.now();
  const ref = c.producer.snapshot();
  steps.push(await scaleTo(c, 1));
  const recoveredAt = await c.waitRecovered(ref);
  steps.push(await scaleTo(c, from));
  return { target: `${from}→1→5→1→${from}`, injectedAt, referenceAt, recoveredAt, detail: `steps: ${steps.join(', ')}` };
};
