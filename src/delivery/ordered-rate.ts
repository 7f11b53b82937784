import { SeqchainError } from '../errors.js';
import { sleep } from '../retry/sleep.js';
import { OrderedTopicWriter, type OrderedWriterOptions } from './ordered-writer.js';

/** What one measured run of the ordered writer did (for bench/, docs/PERFORMANCE.md). */
export interface OrderedWriterRun {
  /** The seq the writer resumed after, and the last seq it committed in the run. */
  fromSeq: bigint;
  toSeq: bigint;
  records: number;
  transactions: number;
  /** From the resume point being read to `toSeq` committed, ms. */
  elapsedMs: number;
  recordsPerSec: number;
  /** Per transaction (sends and commit), ms. */
  commitMs: { p50: number; p99: number; max: number };
  /** Sampled every `sampleMs` as `headSeq() − last committed seq` (null without `headSeq`). */
  lag: { max: bigint; last: bigint } | null;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * The bench hook of the ordered topic: runs an `OrderedTopicWriter` of the chain (fencing any
 * other writer, as a new holder does) until it has committed `toSeq`, and reports its rate, its
 * transaction latencies and, with `headSeq` (e.g. the counter znode's seq), the lag sampled
 * while it ran. Throws the writer's error if it stops first, and SEQCHAIN_ERR_TIMEOUT after
 * `timeoutMs`.
 */
export async function measureOrderedWriter(
  options: OrderedWriterOptions & { toSeq: bigint; timeoutMs?: number; headSeq?: () => Promise<bigint>; sampleMs?: number },
): Promise<OrderedWriterRun> {
  const writer = new OrderedTopicWriter(options);
  const commits: number[] = [];
  let fromSeq: bigint | null = null;
  let startedAt = 0;
  let failure: SeqchainError | null = null;
  let stopped = false;
  writer.on('ordered:resumed', ({ seq }) => {
    fromSeq = seq;
    startedAt = Date.now();
  });
  writer.on('ordered:committed', ({ latencyMs }) => commits.push(latencyMs));
  writer.on('ordered:stopped', ({ error }) => {
    stopped = true;
    failure = error ?? null;
  });
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  const lag = options.headSeq ? { max: 0n, last: 0n } : null;
  writer.start();
  try {
    while ((writer.lastSeq ?? -1n) < options.toSeq) {
      if (failure) throw failure;
      if (stopped) throw new SeqchainError('SEQCHAIN_ERR_UNEXPECTED', 'ordered writer stopped before reaching the target seq');
      if (Date.now() > deadline)
        throw new SeqchainError('SEQCHAIN_ERR_TIMEOUT', `ordered writer did not reach seq ${options.toSeq} in time (at ${writer.lastSeq ?? 'none'})`, {
          retriable: true,
        });
      if (lag && writer.lastSeq !== null) {
        const head = await options.headSeq!();
        lag.last = head > writer.lastSeq ? head - writer.lastSeq : 0n;
        if (lag.last > lag.max) lag.max = lag.last;
      }
      await sleep(options.sampleMs ?? 250);
    }
  } finally {
    await writer.close();
  }
  const elapsedMs = Date.now() - startedAt;
  const toSeq = writer.lastSeq!;
  const records = Number(toSeq - fromSeq!);
  const sorted = [...commits].sort((a, b) => a - b);
  return {
    fromSeq: fromSeq!,
    toSeq,
    records,
    transactions: commits.length,
    elapsedMs,
    recordsPerSec: elapsedMs > 0 ? Math.round((records * 1000) / elapsedMs) : 0,
    commitMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 },
    lag,
  };
}
