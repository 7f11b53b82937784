/**
 * SIGKILL the leader, and restart the process at once with the same replica id (as a
 * supervisor would). Recovered when a cut of a higher epoch is in the ledger and the ledger
 * covers every record acknowledged at the kill.
 */
import type { Fault } from './types.js';
import { failoverDetail } from './types.js';

export const leaderKill: Fault = async (c) => {
  const leader = await c.liveLeader();
  if (!leader) throw new Error('no live leader to kill');
  const epoch = Number(leader.epoch);
  const ref = c.producer.snapshot();
  const injectedAt = Date.now();
  await c.set.kill(leader.replicaId, 'SIGKILL');
  c.start(leader.replicaId);
  const recoveredAt = await c.waitRecovered(ref, (s) => s.epoch > epoch);
  return { target: `${leader.replicaId} (epoch ${epoch})`, injectedAt, referenceAt: injectedAt, recoveredAt, detail: failoverDetail(c, epoch, injectedAt) };
};
