import type { CounterValue } from '../coordination/counter.js';

export type { CounterValue };

/**
 * What the sequencer needs from ZooKeeper, as one narrow interface (built in src/replica/replica.ts from
 * src/coordination), so the role reads as the protocol of docs/DESIGN.md and nothing more.
 */
export interface SequencerCoordination {
  /** Increments the epoch znode by CAS; the new epoch. */
  bumpEpoch(): Promise<bigint>;
  readCounter(): Promise<{ value: CounterValue; version: number } | null>;
  /** CAS by version; a failure means another leader moved it: step down. Returns the new version. */
  casCounter(value: CounterValue, version: number): Promise<number>;
  /** Creates the counter when the chain has none yet (fails if another leader created it). */
  createCounter(value: CounterValue): Promise<number>;
  publishLeader(epoch: bigint): Promise<void>;
}
