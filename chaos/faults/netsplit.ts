/**
 * Network partitions (`--cluster`, chaos/lib/netsplit.ts): the leading replica cut off from
 * ZooKeeper only, or from Kafka only, and a follower cut off from everything, for a while, then
 * healed. The partitioned leader's epoch is recorded like a SIGSTOPped leader's: any cut of it
 * after its successor's first cut is a `zombie-wrote` violation in the history check, and gaps or
 * duplicates are caught there too. Recovery is measured from the cut: the ledger covering what
 * was acknowledged then (the partition still in place, unless recovery needed the heal).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosCluster } from '../lib/cluster.js';
import type { SplitFrom } from '../lib/netsplit.js';
import type { Fault, FaultOutcome } from './types.js';
import { failoverDetail } from './types.js';

/** How long a split lasts beyond the ZooKeeper session timeout, ms: long enough for the session to expire. */
const BEYOND_SESSION_MS = 6_000;
/** How long the driver watches the healed leader for late writes before moving on, ms. */
const WATCH_AFTER_HEAL_MS = 5_000;

async function split(c: ChaosCluster, who: 'leader' | 'follower', from: readonly SplitFrom[]): Promise<FaultOutcome> {
  const ns = c.netsplit;
  if (!ns) throw new Error('network partitions need --cluster (chaos/chaos.sh sets them up)');
  const leader = await c.liveLeader();
  if (!leader) throw new Error('no live leader');
  const epoch = Number(leader.epoch);
  const target = who === 'leader' ? leader.replicaId : c.pick(c.ids.filter((id) => id !== leader.replicaId && !c.stopped.has(id)));
  if (who === 'leader') c.zombieEpochs.add(epoch);
  const ref = c.producer.snapshot();
  const injectedAt = Date.now();
  const holdMs = c.opts.zkSessionTimeoutMs + BEYOND_SESSION_MS;
  let healedAt = injectedAt;
  await ns.cut(target, from);
  const recovered = c.waitRecovered(ref, who === 'leader' && from.includes('zookeeper') ? (s) => s.epoch > epoch : undefined);
  try {
    await sleep(holdMs);
  } finally {
    await ns.heal(target);
    healedAt = Date.now();
  }
  const recoveredAt = await recovered;
  let late = '';
  if (who === 'leader') {
    const lateBefore = c.watcher.lateCuts.length;
    await sleep(WATCH_AFTER_HEAL_MS);
    const n = c.watcher.lateCuts.slice(lateBefore).filter((l) => l.epoch === epoch).length;
    late = n > 0 ? `; ${n} late cut(s) of epoch ${epoch} after the heal` : '; no late cut after the heal';
  }
  const during = recoveredAt === null ? 'not recovered' : recoveredAt <= healedAt ? 'recovered during the split' : 'recovered only after the heal';
  return {
    target: `${target.slice(c.chain.length + 1)} (${who}${who === 'leader' ? `, epoch ${epoch}` : ''}) from ${from.join('+')}`,
    injectedAt,
    referenceAt: injectedAt,
    recoveredAt,
    detail: `split ${healedAt - injectedAt} ms, ${during}; ${failoverDetail(c, epoch, injectedAt)}${late}`,
  };
}

export const netsplitLeaderZookeeper: Fault = (c) => split(c, 'leader', ['zookeeper']);
export const netsplitLeaderKafka: Fault = (c) => split(c, 'leader', ['kafka']);
export const netsplitFollowerAll: Fault = (c) => split(c, 'follower', ['zookeeper', 'kafka', 'redis']);
