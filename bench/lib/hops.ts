/**
 * Per-hop latency of a sample of records (issue 14): where produce → cut visible goes, hop by
 * hop, from times the pipeline already writes down — no instrumentation in seqchain:
 *
 *   produced        the record's timestamp (the load generator's intended send time)
 *   digest sent     the Kafka timestamp of the first digest batch covering the record (CreateTime:
 *                   kafkajs stamps it when the worker calls send, right after digesting)
 *   cut closed      the cut's closedAtMs (the sequencer took the record into a cut)
 *   ledger sent     the Kafka timestamp of the cut's ledger message (the transactional send)
 *   visible         when a read_committed reader of the ledger received it (the commit, then a fetch)
 *
 * Each hop's share is its mean over the mean of the whole (means add up; percentiles do not).
 * Same machine, same clock. Pure.
 */
import { summarizeLatencies } from './stats.js';

export const HOPS = ['produce → worker sent digests', 'digest topic → cut closed', 'cut closed → ledger write sent', 'ledger write → commit visible'] as const;
export type Hop = (typeof HOPS)[number];

/** What the ledger watcher keeps of a sampled record. */
export interface HopSample {
  partition: number;
  offset: number;
  producedAt: number;
  closedAt: number;
  ledgerSentAt: number;
  visibleAt: number;
}

/** A digest batch: the source range it covers and when the worker sent it. */
export interface DigestSend {
  partition: number;
  from: number;
  to: number;
  sentAt: number;
}

export interface HopSummary {
  /** Samples traced (a record whose digest batch was not found is left out). */
  samples: number;
  /** Mean of produce → visible over the samples, ms. */
  meanMs: number;
  hops: Record<Hop, { share: number; meanMs: number; p50: number; p99: number }>;
}

/** Batches looked back over for a redelivered copy covering an offset. */
const REDELIVERY_WINDOW = 64;

/** The earliest send of a digest batch covering (partition, offset) per sample; batches may repeat (workers are at-least-once). */
export function digestSentAt(sends: readonly DigestSend[]): (partition: number, offset: number) => number | undefined {
  const byPartition = new Map<number, DigestSend[]>();
  for (const s of sends) {
    let list = byPartition.get(s.partition);
    if (!list) byPartition.set(s.partition, (list = []));
    list.push(s);
  }
  for (const list of byPartition.values()) list.sort((a, b) => a.from - b.from || a.sentAt - b.sentAt);
  return (partition, offset) => {
    const list = byPartition.get(partition);
    if (!list) return undefined;
    // The last batch that starts at or below the offset.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.from <= offset) lo = mid + 1;
      else hi = mid;
    }
    let best: number | undefined;
    // The batch just below covers the offset in a partition's in-order stream; a redelivered copy
    // (after a rebalance) starts lower, within a few batches: look back that far only.
    for (let i = lo - 1; i >= 0 && i >= lo - REDELIVERY_WINDOW; i--) {
      const s = list[i]!;
      if (offset < s.to && (best === undefined || s.sentAt < best)) best = s.sentAt;
    }
    return best;
  };
}

export function hopShares(samples: readonly HopSample[], sends: readonly DigestSend[]): HopSummary | null {
  const sentAt = digestSentAt(sends);
  const per: Record<Hop, number[]> = Object.fromEntries(HOPS.map((h) => [h, []])) as unknown as Record<Hop, number[]>;
  let total = 0;
  let n = 0;
  for (const s of samples) {
    const digest = sentAt(s.partition, s.offset);
    if (digest === undefined) continue;
    per[HOPS[0]].push(digest - s.producedAt);
    per[HOPS[1]].push(s.closedAt - digest);
    per[HOPS[2]].push(s.ledgerSentAt - s.closedAt);
    per[HOPS[3]].push(s.visibleAt - s.ledgerSentAt);
    total += s.visibleAt - s.producedAt;
    n++;
  }
  if (n === 0) return null;
  const meanMs = total / n;
  const hops = Object.fromEntries(
    HOPS.map((h) => {
      const values = per[h];
      const mean = values.reduce((a, b) => a + b, 0) / n;
      const { p50, p99 } = summarizeLatencies(values);
      return [h, { share: meanMs > 0 ? mean / meanMs : Number.NaN, meanMs: mean, p50, p99 }];
    }),
  ) as HopSummary['hops'];
  return { samples: n, meanMs, hops };
}
