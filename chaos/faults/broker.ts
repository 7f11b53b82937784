/**
 * Faults of the Kafka cluster (`--cluster`): SIGKILL of the broker playing a role for the chain
 * (the ledger partition's leader, the sequencer's transaction coordinator, the worker group's
 * coordinator), a rolling restart of all three brokers, and two brokers down at once. A killed
 * broker stays down at least `outageMs` and is started again before the fault returns; the
 * cluster must get every replica back in sync before the next fault (settle).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosCluster } from '../lib/cluster.js';
import { brokerFor, type BrokerRole } from '../lib/kafka-roles.js';
import { kafkaNode } from '../lib/layout.js';
import type { Fault, FaultOutcome } from './types.js';
import { failoverDetail, holdDown } from './types.js';

/** After two brokers die, what the ledger may still show of cuts committed before (the watcher reads on), ms. */
const TWO_DOWN_GRACE_MS = 3_000;

function brokerIds(c: ChaosCluster): number[] {
  return (c.layout?.kafkaPorts ?? []).map((_, i) => i + 1);
}

/**
 * SIGKILL of the broker that plays `role`. Recovered (measured from the kill, with the broker
 * still down) when the ledger covers every record acknowledged at the kill.
 */
async function killRoleBroker(c: ChaosCluster, role: BrokerRole): Promise<FaultOutcome> {
  const broker = await brokerFor(c.kafka, c.chain, role);
  const node = kafkaNode(broker);
  const epoch = c.watcher.state.epoch;
  const ref = c.producer.snapshot();
  const injectedAt = Date.now();
  await c.stopNode(node, true);
  const [recoveredAt] = await Promise.all([c.waitRecovered(ref), sleep(c.opts.outageMs)]);
  const after = await brokerFor(c.kafka, c.chain, role).catch(() => null);
  const startAt = Date.now();
  await c.startNode(node);
  const startedAt = Date.now();
  const synced = await c.waitKafkaInSync();
  return {
    target: `${node} (${role})`,
    injectedAt,
    referenceAt: injectedAt,
    recoveredAt,
    detail:
      `${role} on kafka-${after ?? '?'} in the metadata before the restart; ${c.watcher.state.epoch > epoch ? failoverDetail(c, epoch, injectedAt) : 'same sequencer epoch'}; ` +
      `down ${startAt - injectedAt} ms, start took ${startedAt - startAt} ms, replicas in sync ${synced === null ? 'NOT within 60 s' : `${synced} ms later`}`,
  };
}

export const brokerKillLedgerLeader: Fault = (c) => killRoleBroker(c, 'ledger-leader');
export const brokerKillTxnCoordinator: Fault = (c) => killRoleBroker(c, 'txn-coordinator');
export const brokerKillGroupCoordinator: Fault = (c) => killRoleBroker(c, 'group-coordinator');

/**
 * Every broker in turn gets SIGTERM (a controlled shutdown: it hands its leaderships over) and
 * is started again, the ledger's leader last; the next one waits until every replica is back in
 * sync, as an operator's rolling restart does. Sequencing goes on throughout (min ISR 2 of 3).
 * Recovery is measured from the last broker's start.
 */
export const brokerRollingRestart: Fault = async (c) => {
  const leader = await brokerFor(c.kafka, c.chain, 'ledger-leader');
  const order = [...brokerIds(c).filter((b) => b !== leader), leader];
  const injectedAt = Date.now();
  const seqBefore = c.watcher.state.lastSeq;
  const steps: string[] = [];
  for (const b of order) {
    const t0 = Date.now();
    await c.stopNode(kafkaNode(b), false);
    await c.startNode(kafkaNode(b));
    const synced = await c.waitKafkaInSync();
    steps.push(`kafka-${b} ${synced === null ? 'not in sync' : Date.now() - t0}`);
  }
  const referenceAt = Date.now();
  const recoveredAt = await c.waitRecovered(c.producer.snapshot());
  return {
    target: order.map(kafkaNode).join('→'),
    injectedAt,
    referenceAt,
    recoveredAt,
    detail: `roll took ${referenceAt - injectedAt} ms (ms per broker until back in sync: ${steps.join(', ')}); ${c.watcher.state.lastSeq - seqBefore} records sequenced during the roll`,
  };
};

/**
 * Two of three brokers SIGKILLed for `outageMs`: no partition can meet min.insync.replicas=2
 * (and the KRaft quorum is gone), so nothing may be sequenced past a short grace for what was
 * committed before (a violation `sequenced-below-min-isr` otherwise); then both start again and
 * sequencing must resume by itself. Recovery is measured from the second start.
 */
export const brokersTwoDown: Fault = async (c) => {
  const ids = brokerIds(c);
  const keep = c.pick(ids);
  const victims = ids.filter((b) => b !== keep);
  const { injectedAt, upAt, referenceAt } = await holdDown(c, victims.map(kafkaNode), async (downAt) => {
    await sleep(TWO_DOWN_GRACE_MS);
    const seqAtGrace = c.watcher.state.lastSeq;
    await sleep(Math.max(0, c.opts.outageMs - (Date.now() - downAt)));
    const grew = c.watcher.state.lastSeq - seqAtGrace;
    if (grew > 0)
      c.violations.add(
        'sequenced-below-min-isr',
        `${grew} records were sequenced while only kafka-${keep} ran (from ${TWO_DOWN_GRACE_MS} ms after ${victims.map(kafkaNode).join(' and ')} died)`,
      );
  });
  const recoveredAt = await c.waitRecovered(c.producer.snapshot());
  return {
    target: victims.map(kafkaNode).join('+'),
    injectedAt,
    referenceAt,
    recoveredAt,
    detail: `down ${upAt - injectedAt} ms with only kafka-${keep} running, start took ${referenceAt - upAt} ms`,
  };
};
