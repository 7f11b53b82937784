/**
 * SIGSTOP the leader for longer than the ZooKeeper session timeout, then SIGCONT: a zombie that
 * still believes it leads. Its session expires, another replica bumps the epoch and fences it at
 * the broker (initTransactions on the shared transactional.id). Recovered when a cut of a higher
 * epoch is in the ledger and it covers every record acknowledged at the SIGSTOP. After the
 * SIGCONT the zombie must not commit a single ledger message: its epoch is recorded, and the
 * history check names any cut of that epoch after the first cut of a higher one `zombie-wrote`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fault } from './types.js';
import { failoverDetail } from './types.js';

/** How long the zombie stays stopped beyond the session timeout, ms. */
const BEYOND_SESSION_MS = 4_000;
/** How long the driver watches the zombie after SIGCONT before moving on, ms. */
const WATCH_AFTER_CONT_MS = 5_000;

export const leaderStop: Fault = async (c) => {
  const leader = await c.liveLeader();
  if (!leader) throw new Error('no live leader to stop');
  const proc = c.set.replicas.get(leader.replicaId)!;
  const epoch = Number(leader.epoch);
  c.zombieEpochs.add(epoch);
  const stopMs = c.opts.zkSessionTimeoutMs + BEYOND_SESSION_MS;
  const ref = c.producer.snapshot();
  const injectedAt = Date.now();
  c.stopped.add(leader.replicaId);
  proc.child.kill('SIGSTOP');
  let recoveredAt: number | null;
  try {
    const [rec] = await Promise.all([c.waitRecovered(ref, (s) => s.epoch > epoch), sleep(stopMs)]);
    recoveredAt = rec;
  } finally {
    proc.child.kill('SIGCONT');
    c.stopped.delete(leader.replicaId);
  }
  const contAt = Date.now();
  const lateBefore = c.watcher.lateCuts.length;
  await sleep(WATCH_AFTER_CONT_MS);
  const late = c.watcher.lateCuts.slice(lateBefore).filter((l) => l.epoch === epoch);
  if (late.length > 0)
    c.say(
      `chaos: VIOLATION zombie ${leader.replicaId} (epoch ${epoch}) committed ${late.length} ledger message(s) after SIGCONT, first at ledger offset ${late[0]!.ledgerOffset}`,
    );
  return {
    target: `${leader.replicaId} (epoch ${epoch})`,
    injectedAt,
    referenceAt: injectedAt,
    recoveredAt,
    detail: `stopped ${contAt - injectedAt} ms, session timeout ${c.opts.zkSessionTimeoutMs} ms; ${failoverDetail(c, epoch, injectedAt)}`,
  };
};
