/**
 * SIGKILL a replica that is not the leader, and restart it at once with the same id. Its source
 * partitions wait until the worker group notices (worker.sessionTimeoutMs) and moves them.
 * Recovered when the ledger covers every record acknowledged at the kill.
 */
import type { Fault } from './types.js';

export const workerKill: Fault = async (c) => {
  const leader = await c.liveLeader();
  const candidates = c.ids.filter((id) => id !== leader?.replicaId && c.alive(id) && !c.stopped.has(id));
  if (candidates.length === 0) throw new Error('no worker (non-leader replica) to kill');
  const victim = c.pick(candidates);
  const owned = (await c.zk.members())?.find((m) => m.replicaId === victim)?.partitions ?? [];
  const ref = c.producer.snapshot();
  const injectedAt = Date.now();
  await c.set.kill(victim, 'SIGKILL');
  c.start(victim);
  const recoveredAt = await c.waitRecovered(ref);
  return { target: victim, injectedAt, referenceAt: injectedAt, recoveredAt, detail: `owned partitions [${owned.join(',')}]` };
};
