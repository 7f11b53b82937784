import type { Kafka, KafkaMessage } from 'kafkajs';
import type { PartitionOffsets } from '../kafka/offsets.js';
import { readRanges } from '../kafka/range-reader.js';
import type { Logger } from '../log.js';
import { type LedgerRecord, sourceRanges } from './window.js';

/**
 * The source records of some sequenced positions, by partition and offset, in one ranged read
 * covering every partition they need (a throw-away consumer). For a bounded set such as one page
 * of the API; the streaming reader keeps its consumers open instead (sequenced-reader.ts).
 */
export async function fetchWindow(
  kafka: Kafka,
  topic: string,
  wanted: readonly LedgerRecord[],
  offsets: readonly (PartitionOffsets | undefined)[],
  groupPrefix: string,
  logger: Logger,
): Promise<Map<number, Map<bigint, KafkaMessage>>> {
  const positions = new Map<number, Set<bigint>>();
  for (const r of wanted) {
    let set = positions.get(r.partition);
    if (set === undefined) positions.set(r.partition, (set = new Set()));
    set.add(r.offset);
  }
  const found = new Map<number, Map<bigint, KafkaMessage>>();
  await readRanges({
    kafka,
    topic,
    ranges: sourceRanges(wanted, offsets),
    groupPrefix,
    logger,
    onMessages: (p, messages) => {
      const want = positions.get(p);
      let got = found.get(p);
      if (got === undefined) found.set(p, (got = new Map()));
      for (const m of messages) {
        const offset = BigInt(m.offset);
        // Only the sequenced positions are kept: memory stays bounded by the set asked for.
        if (want?.has(offset)) got.set(offset, m);
      }
    },
  });
  return found;
}
