import type { Kafka } from 'kafkajs';
import type { Break } from '../chain/breaks.js';
import { recordDigest } from '../chain/record-digest.js';
import { topicOffsets, withAdmin } from '../kafka/offsets.js';
import { kafkaNames } from '../kafka/names.js';
import { readRanges, type ReadRange } from '../kafka/range-reader.js';
import { toSourceRecord } from '../kafka/source-record.js';
import type { Logger } from '../log.js';
import { checkRange, type IndexedLink } from './range-check.js';

export interface RangeVerifyOptions {
  kafka: Kafka;
  chain: string;
  sourceTopic: string;
  /** Hash of the record before the range (the genesis hash when it starts at seq 1). */
  prevHash: Buffer;
  links: readonly IndexedLink[];
  logger: Logger;
}

export interface RangeVerifyReport {
  ok: boolean;
  from: string;
  to: string;
  records: number;
  /** Records recomputed from the source topic and matched. */
  checked: number;
  /** Records the source no longer holds (retention): their links were checked, their bytes not. */
  unverifiable: number;
  firstBreak: { kind: Break['kind']; message: string; seq?: string; partition?: number; offset?: string; expected?: string; actual?: string } | null;
  durationMs: number;
}

/**
 * Verifies one range of the chain against the source topic: reads the source records at the
 * range's positions, recomputes their digests and the links between them. The range's entries
 * come from the index, which checked every cut's links against the ledger when it indexed it;
 * the whole-ledger audit is `seqchain verify`.
 */
export async function verifyRange(options: RangeVerifyOptions): Promise<RangeVerifyReport> {
  const started = Date.now();
  const { kafka, sourceTopic, links, logger } = options;
  const wanted = new Map<number, { min: bigint; max: bigint }>();
  for (const l of links) {
    const w = wanted.get(l.partition);
    if (!w) wanted.set(l.partition, { min: l.offset, max: l.offset });
    else {
      if (l.offset < w.min) w.min = l.offset;
      if (l.offset > w.max) w.max = l.offset;
    }
  }
  const low = new Map<number, bigint>();
  const offsets = await withAdmin(kafka, (admin) => topicOffsets(admin, sourceTopic));
  for (const o of offsets) low.set(o.partition, o.low);

  const ranges = new Map<number, ReadRange>();
  for (const [p, w] of wanted) {
    const from = w.min > (low.get(p) ?? 0n) ? w.min : (low.get(p) ?? 0n);
    if (from <= w.max) ranges.set(p, { from, to: w.max + 1n });
  }
  const digests = new Map<string, Buffer>();
  await readRanges({
    kafka,
    topic: sourceTopic,
    ranges,
    groupPrefix: kafkaNames.readerGroup(options.chain, 'verify-range'),
    logger,
    onMessages: (partition, messages) => {
      for (const m of messages) digests.set(`${partition}:${m.offset}`, recordDigest(toSourceRecord(sourceTopic, partition, m)));
    },
  });
  const result = checkRange(options.prevHash, links, (partition, offset) => {
    if (offset < (low.get(partition) ?? 0n)) return 'deleted';
    return digests.get(`${partition}:${offset}`) ?? null;
  });
  const b = result.firstBreak;
  return {
    ok: b === null,
    from: (links[0]?.seq ?? 0n).toString(),
    to: (links[links.length - 1]?.seq ?? 0n).toString(),
    records: links.length,
    checked: result.checked,
    unverifiable: result.unverifiable,
    firstBreak: b && {
      kind: b.kind,
      message: b.message,
      ...(b.seq !== undefined ? { seq: b.seq.toString() } : {}),
      ...(b.partition !== undefined ? { partition: b.partition } : {}),
      ...(b.offset !== undefined ? { offset: b.offset.toString() } : {}),
      ...(b.expected !== undefined ? { expected: b.expected } : {}),
      ...(b.actual !== undefined ? { actual: b.actual } : {}),
    },
    durationMs: Date.now() - started,
  };
}
