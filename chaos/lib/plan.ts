/**
 * The order of faults of a chaos run: first each fault kind in its own scenario (the leader kill
 * repeated), then a mixed phase of faults drawn from the seeded PRNG. Pure: the same options and
 * seed give the same plan.
 */
import type { Prng } from './prng.js';

export const FAULT_NAMES = [
  'leader-kill',
  'leader-stop',
  'worker-kill',
  'rolling-restart',
  'scale',
  'zookeeper-stop',
  'kafka-stop',
  'redis-stop',
  'partition-expansion',
] as const;

/** Faults only the cluster stack can take (`--cluster`): they pick one of three brokers or ZooKeeper servers, or split the network. */
export const CLUSTER_FAULT_NAMES = [
  'broker-kill-ledger-leader',
  'broker-kill-txn-coordinator',
  'broker-kill-group-coordinator',
  'broker-rolling-restart',
  'brokers-two-down',
  'zookeeper-kill-leader',
  'zookeeper-quorum-loss',
  'netsplit-leader-zookeeper',
  'netsplit-leader-kafka',
  'netsplit-follower-all',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number] | (typeof CLUSTER_FAULT_NAMES)[number];

/** Scenario names `--scenarios` accepts: every fault name, and `mixed`. */
export const SCENARIOS = [...FAULT_NAMES, ...CLUSTER_FAULT_NAMES, 'mixed'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface PlanOptions {
  scenarios: readonly Scenario[];
  /** What the mixed phase draws from: the fault kinds the stack can take (FAULT_NAMES, plus CLUSTER_FAULT_NAMES with --cluster). */
  pool: readonly FaultName[];
  /** Leader kills in the leader-kill scenario. */
  kills: number;
  /** Faults of the mixed phase. */
  mixedFaults: number;
  /** At most this many partition expansions in the whole run (each adds partitions for good). */
  maxExpansions: number;
}

export interface PlannedFault {
  name: FaultName;
  /** The scenario it belongs to (its own name, or `mixed`). */
  phase: Scenario;
  /** Pause before injecting it, ms: fixed in the scenarios, drawn from the PRNG when mixed. */
  pauseMs: number;
}

/** Draw weights of the mixed phase: cheap, frequent faults more often than full outages. */
const MIXED_WEIGHTS: Record<FaultName, number> = {
  'leader-kill': 4,
  'leader-stop': 2,
  'worker-kill': 3,
  'rolling-restart': 1,
  scale: 1,
  'zookeeper-stop': 1,
  'kafka-stop': 1,
  'redis-stop': 1,
  'partition-expansion': 1,
  'broker-kill-ledger-leader': 2,
  'broker-kill-txn-coordinator': 1,
  'broker-kill-group-coordinator': 1,
  'broker-rolling-restart': 1,
  'brokers-two-down': 1,
  'zookeeper-kill-leader': 2,
  'zookeeper-quorum-loss': 1,
  'netsplit-leader-zookeeper': 2,
  'netsplit-leader-kafka': 1,
  'netsplit-follower-all': 1,
};

export function buildPlan(opts: PlanOptions, prng: Prng): PlannedFault[] {
  const plan: PlannedFault[] = [];
  let expansions = 0;
  for (const s of opts.scenarios) {
    if (s === 'mixed') continue;
    const times = s === 'leader-kill' ? opts.kills : 1;
    if (s === 'partition-expansion') {
      if (expansions >= opts.maxExpansions) continue;
      expansions++;
    }
    for (let i = 0; i < times; i++) plan.push({ name: s, phase: s, pauseMs: 1_000 });
  }
  if (opts.scenarios.includes('mixed')) {
    const names = opts.pool.filter((n) => n !== 'partition-expansion' || expansions < opts.maxExpansions);
    for (let i = 0; i < opts.mixedFaults; i++) {
      let name = weighted(prng, names);
      if (name === 'partition-expansion' && ++expansions > opts.maxExpansions) name = 'leader-kill';
      plan.push({ name, phase: 'mixed', pauseMs: prng.int(0, 3_000) });
    }
  }
  return plan;
}

function weighted(prng: Prng, names: readonly FaultName[]): FaultName {
  const total = names.reduce((n, f) => n + MIXED_WEIGHTS[f], 0);
  let x = prng.next() * total;
  for (const f of names) {
    x -= MIXED_WEIGHTS[f];
    if (x < 0) return f;
  }
  return names[names.length - 1]!;
}
