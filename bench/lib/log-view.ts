/**
 * Arithmetic of the log-view phase (bench/phases/log-view.ts): the checkpoint lag from a ledger
 * reader's cut times and an API poller's answers, and the index's Redis bytes by kind of key.
 * Pure.
 */

import { lowerBound } from './stats.js';

/** A cut as a read_committed ledger reader saw it. */
export interface CutSeen {
  lastSeq: number;
  /** When the reader received the fetch holding the cut (its transaction had committed), ms. */
  visibleAt: number;
  /** The cut's closedAtMs: when the sequencer took it, before its transaction. */
  closedAt: number;
}

/** One answer of `GET /checkpoint`. */
export interface CheckpointPoll {
  /** When the answer arrived, ms. */
  at: number;
  /** The tree size of the checkpoint it served. */
  size: number;
}

export interface CheckpointLags {
  /** Per covered cut: first answer covering it − the cut visible in the ledger, ms (0 when the API was first). */
  lagMs: number[];
  /** Per covered cut: first answer covering it − the cut closed, ms. */
  fromCloseMs: number[];
  /** Cuts no answer covered (they came after the last poll). */
  uncovered: number;
}

/**
 * For each cut, the first poll (in time order) that served a checkpoint of size ≥ the cut's end:
 * the moment a user of the API could first see the cut covered by a signed checkpoint. The lag is
 * measured from the moment a ledger reader could first see the cut itself. An answer is stamped
 * when it arrived, so each lag may be up to one poll round trip long; a poll that covered the cut
 * before the reader's fetch brought it counts as lag 0.
 */
export function checkpointLags(cuts: readonly CutSeen[], polls: readonly CheckpointPoll[]): CheckpointLags {
  // Each poll's size as "the largest served so far": a size never counts before it was first served.
  const served: number[] = [];
  let max = 0;
  for (const p of polls) {
    max = Math.max(max, p.size);
    served.push(max);
  }
  const lagMs: number[] = [];
  const fromCloseMs: number[] = [];
  let uncovered = 0;
  for (const cut of cuts) {
    const i = lowerBound(served, cut.lastSeq);
    if (i === served.length) {
      uncovered++;
      continue;
    }
    const at = polls[i]!.at;
    lagMs.push(Math.max(0, at - cut.visibleAt));
    fromCloseMs.push(at - cut.closedAt);
  }
  return { lagMs, fromCloseMs, uncovered };
}

/**
 * Kind of a key of a chain's query index (layout 2, src/index-store/keys.ts), from what follows
 * `<prefix>:<chain>:`: `meta` and `lease`, else the incarnation's data keys by their first
 * segment — `e` entries, `p` positions, `d` digests, `dx` digest overflow, `t` hash tiles of the
 * log view, `ck` its checkpoints by size.
 */
export function indexKeyKind(chainPrefix: string, key: string): string {
  if (!key.startsWith(chainPrefix)) return 'other';
  const parts = key.slice(chainPrefix.length).split(':');
  if (parts.length === 1) return parts[0]!;
  return parts[1] ?? 'other';
}

/** The log view's share of the index: hash tiles and checkpoints (kinds `t`, `ck`). */
export const LOG_VIEW_KINDS: readonly string[] = ['t', 'ck'];

export interface IndexBytes {
  /** Every key of the chain's index. */
  total: number;
  /** The log view's keys (hash tiles, checkpoints by size); the meta hash's border and latest checkpoint are left in `total`. */
  logView: number;
  byKind: Record<string, number>;
}

/** Sums MEMORY USAGE per key into totals by kind. */
export function indexBytes(chainPrefix: string, usage: Iterable<readonly [key: string, bytes: number]>): IndexBytes {
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const [key, bytes] of usage) {
    const kind = indexKeyKind(chainPrefix, key);
    byKind[kind] = (byKind[kind] ?? 0) + bytes;
    total += bytes;
  }
  return { total, logView: LOG_VIEW_KINDS.reduce((n, k) => n + (byKind[k] ?? 0), 0), byKind };
}
