/**
 * Open-loop load generator of the latency runs: offers `rate` records/s for `seconds`, each
 * record stamped with its intended send time (see lib/pacing.ts), round-robin over the
 * partitions, up to IN_FLIGHT requests outstanding.
 */
import type { Message, Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Progress } from '../../src/cli/progress.js';
import { Pacer } from '../lib/pacing.js';
import { partitionOf, type RecordFactory } from '../lib/records.js';
import { summarizeLatencies, type LatencySummary } from '../lib/stats.js';

/** How often the generator wakes to send what is due, ms (a producer's linger). */
export const TICK_MS = 2;
const MAX_BATCH = 5_000;
const IN_FLIGHT = 8;

export interface OfferResult {
  records: number;
  /** Achieved send rate, records/s. */
  sentRps: number;
  /** How far each send (a batch) started behind its first record's intended time, ms. */
  behindMs: LatencySummary;
}

export async function offerLoad(
  producer: Producer,
  factory: RecordFactory,
  opts: { topic: string; partitions: number; rate: number; seconds: number; firstIndex: number; label: string | null },
): Promise<OfferResult> {
  const total = Math.max(1, Math.round(opts.rate * opts.seconds));
  const pacer = new Pacer(opts.rate, total, Date.now());
  const progress = opts.label ? new Progress(`bench ${opts.label}`, total) : null;
  const inFlight = new Set<Promise<void>>();
  const behind: number[] = [];
  let failure: unknown = null;
  while (!pacer.done) {
    if (failure) throw failure;
    const now = Date.now();
    const { from, to } = pacer.take(now, MAX_BATCH);
    if (to > from) {
      behind.push(now - pacer.intendedAt(from));
      const messages: Message[] = new Array(to - from);
      for (let i = from; i < to; i++) {
        const index = opts.firstIndex + i;
        messages[i - from] = factory.message(index, partitionOf(index, opts.partitions), pacer.intendedAt(i));
      }
      const p: Promise<void> = producer.sendBatch({ acks: -1, topicMessages: [{ topic: opts.topic, messages }] }).then(
        () => void inFlight.delete(p),
        (err: unknown) => {
          inFlight.delete(p);
          failure ??= err;
        },
      );
      inFlight.add(p);
      progress?.update(to);
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    }
    await sleep(Math.min(TICK_MS, pacer.waitMs(Date.now())));
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  progress?.finish(total);
  const elapsed = Date.now() - pacer.startMs;
  return { records: total, sentRps: (total * 1000) / Math.max(1, elapsed), behindMs: summarizeLatencies(behind) };
}
