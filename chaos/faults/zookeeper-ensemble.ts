/**
 * Faults of the ZooKeeper ensemble (`--cluster`): SIGKILL of the server that leads it (the
 * other two elect a new leader; sessions survive an election shorter than their timeout), and
 * two of three servers down for `outageMs` (the quorum is lost: no session can be served, so no
 * replica may act as leader until it is back).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosCluster } from '../lib/cluster.js';
import { zookeeperNode } from '../lib/layout.js';
import { zkLeaderIndex } from '../lib/zk-roles.js';
import type { Fault } from './types.js';
import { failoverDetail, holdDown } from './types.js';

function serverIndexes(c: ChaosCluster): number[] {
  return (c.layout?.zkPorts ?? []).map((_, i) => i + 1);
}

/** Recovered (from the kill, the server still down) when the ledger covers what was acknowledged at the kill. */
export const zookeeperKillLeader: Fault = async (c) => {
  const ports = c.layout?.zkPorts ?? [];
  const leader = await zkLeaderIndex(ports);
  if (leader === null) throw new Error('no ZooKeeper server reports Mode: leader');
  const node = zookeeperNode(leader);
  const epoch = c.watcher.state.epoch;
  const ref = c.producer.snapshot();
  const injectedAt = Date.now();
  let electedMs: number | null = null;
  await c.stopNode(node, true);
  const elected = (async () => {
    for (let t0 = Date.now(); Date.now() - t0 < c.opts.outageMs; await sleep(100))
      if ((await zkLeaderIndex(ports)) !== null) return (electedMs = Date.now() - injectedAt);
    return null;
  })();
  const [recoveredAt] = await Promise.all([c.waitRecovered(ref), sleep(c.opts.outageMs), elected]);
  const newLeader = await zkLeaderIndex(ports);
  await c.startNode(node);
  return {
    target: node,
    injectedAt,
    referenceAt: injectedAt,
    recoveredAt,
    detail: `ensemble led by zookeeper-${newLeader ?? '?'} ${electedMs === null ? 'not within the outage' : `${electedMs} ms after the kill`}; ${c.watcher.state.epoch > epoch ? failoverDetail(c, epoch, injectedAt) : 'same sequencer epoch'}`,
  };
};

/** Two servers (one of them the leader) stopped for `outageMs`; recovery from the second start. */
export const zookeeperQuorumLoss: Fault = async (c) => {
  const all = serverIndexes(c);
  const leader = (await zkLeaderIndex(c.layout?.zkPorts ?? [])) ?? c.pick(all);
  const other = c.pick(all.filter((i) => i !== leader));
  const victims = [leader, other].map(zookeeperNode);
  const seqBefore = c.watcher.state.lastSeq;
  const { injectedAt, upAt, referenceAt } = await holdDown(c, victims, (downAt) => sleep(Math.max(0, c.opts.outageMs - (Date.now() - downAt))));
  const seqDuring = c.watcher.state.lastSeq - seqBefore;
  const recoveredAt = await c.waitRecovered(c.producer.snapshot());
  return {
    target: victims.join('+'),
    injectedAt,
    referenceAt,
    recoveredAt,
    detail: `quorum lost ${upAt - injectedAt} ms, start took ${referenceAt - upAt} ms; ${seqDuring} records sequenced meanwhile`,
  };
};
