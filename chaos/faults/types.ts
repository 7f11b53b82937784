/** What every fault module returns: whom it hit, when, and when the chain had recovered. */
import type { ChaosCluster } from '../lib/cluster.js';

export interface FaultOutcome {
  target: string;
  /** When the fault was injected, ms since the Unix epoch. */
  injectedAt: number;
  /** Recovery is measured from here: the injection, or the restart of what was stopped. */
  referenceAt: number;
  /** When the recovery condition first held (null: not within the recovery timeout). */
  recoveredAt: number | null;
  detail: string;
}

export type Fault = (c: ChaosCluster) => Promise<FaultOutcome>;

/** "failover to epoch N in X ms" from the watcher's record of epochs, or '' when none came. */
export function failoverDetail(c: ChaosCluster, fromEpoch: number, since: number): string {
  const next = c.watcher.firstCutAfter(fromEpoch);
  return next ? `first cut of epoch ${next.epoch} closed ${next.closedAtMs - since} ms after` : 'no new epoch';
}

/**
 * Several stack nodes SIGKILLed together, `whileDown(injectedAt)` run while they are down (it
 * decides how long that is), then started again one by one (the first, with the survivors,
 * already makes a quorum again). Returns when the last one is up: that is the reference moment
 * of recovery.
 */
export async function holdDown(
  c: ChaosCluster,
  nodes: readonly string[],
  whileDown: (injectedAt: number) => Promise<void>,
): Promise<{ injectedAt: number; upAt: number; referenceAt: number }> {
  const injectedAt = Date.now();
  let upAt = injectedAt;
  try {
    await Promise.all(nodes.map((n) => c.stopNode(n, true)));
    await whileDown(injectedAt);
  } finally {
    upAt = Date.now();
    for (const n of nodes) await c.startNode(n);
  }
  return { injectedAt, upAt, referenceAt: Date.now() };
}
