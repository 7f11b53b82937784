/**
 * Rolling restart: every replica in turn gets SIGTERM and is started again with the same id,
 * the leader last (so leadership moves at least once); each step waits until partition
 * ownership settled over the full set. Recovery is measured from the restart of the last
 * replica: until the ledger covers every record acknowledged then.
 */
import type { Fault } from './types.js';

export const rollingRestart: Fault = async (c) => {
  const leader = await c.liveLeader();
  const order = [...c.ids.filter((id) => id !== leader?.replicaId), ...c.ids.filter((id) => id === leader?.replicaId)];
  const injectedAt = Date.now();
  const steps: string[] = [];
  let referenceAt = injectedAt;
  let ref = c.producer.snapshot();
  for (const [i, id] of order.entries()) {
    const t0 = Date.now();
    await c.set.kill(id, 'SIGTERM');
    c.start(id);
    if (i === order.length - 1) {
      referenceAt = Date.now();
      ref = c.producer.snapshot();
    } else {
      const ok = await c.waitOwnership(c.ids, 60_000);
      steps.push(`${id.slice(c.chain.length + 1)} ${ok ? Date.now() - t0 : 'unsettled'}`);
    }
  }
  const recoveredAt = await c.waitRecovered(ref);
  return {
    target: order.map((id) => id.slice(c.chain.length + 1)).join('→'),
    injectedAt,
    referenceAt,
    recoveredAt,
    detail: `roll took ${referenceAt - injectedAt} ms; settle ms per step: ${steps.join(', ')}`,
  };
};
