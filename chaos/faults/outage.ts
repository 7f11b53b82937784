/**
 * Stop one component of the stack (scripts/stack.sh down, a graceful SIGTERM) for
 * `opts.outageMs`, then start it again (stack.sh up, which returns once it answers). Recovery is
 * measured from the moment it answers again: until the ledger covers every record acknowledged
 * at that moment (records the producer could not get acknowledged during the outage are sent
 * after it; they count from when they are acknowledged).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosCluster } from '../lib/cluster.js';
import { stackCommand, type Component } from '../lib/stack.js';
import type { Fault, FaultOutcome } from './types.js';

export async function outage(c: ChaosCluster, component: Component): Promise<FaultOutcome> {
  const seqBefore = c.watcher.state.lastSeq;
  const injectedAt = Date.now();
  await stackCommand('down', component);
  const downAt = Date.now();
  await sleep(Math.max(0, c.opts.outageMs - (downAt - injectedAt)));
  const seqDuring = c.watcher.state.lastSeq - seqBefore;
  const upStarted = Date.now();
  await stackCommand('up', component);
  const referenceAt = Date.now();
  const ref = c.producer.snapshot();
  const recoveredAt = await c.waitRecovered(ref);
  return {
    target: component,
    injectedAt,
    referenceAt,
    recoveredAt,
    detail: `down ${upStarted - injectedAt} ms (stop took ${downAt - injectedAt} ms), start took ${referenceAt - upStarted} ms; ${seqDuring} records sequenced while it was down`,
  };
}

export const zookeeperStop: Fault = (c) => outage(c, 'zookeeper');
export const kafkaStop: Fault = (c) => outage(c, 'kafka');
