import type { DigestBatch, DigestEntry } from '../wire/digest-batch-v1.js';

/**
 * Splits what a worker read of one partition, the source range [from, to), into digest batches
 * of at most `maxRecords` entries that together cover the range with no gap: each chunk ends
 * where the next begins, the last one ends at `to`.
 */
export function chunkDigests(partition: number, from: bigint, to: bigint, entries: DigestEntry[], maxRecords: number): DigestBatch[] {
  if (entries.length <= maxRecords) return [{ partition, from, to, entries }];
  const out: DigestBatch[] = [];
  let chunkFrom = from;
  for (let i = 0; i < entries.length; i += maxRecords) {
    const slice = entries.slice(i, i + maxRecords);
    const next = entries[i + maxRecords];
    const chunkTo = next ? next.offset : to;
    out.push({ partition, from: chunkFrom, to: chunkTo, entries: slice });
    chunkFrom = chunkTo;
  }
  return out;
}
