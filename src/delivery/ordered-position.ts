import type { Kafka, KafkaMessage } from 'kafkajs';
import { SeqchainError } from '../errors.js';
import { kafkaNames } from '../kafka/names.js';
import { topicOffsets, withAdmin } from '../kafka/offsets.js';
import { readRanges } from '../kafka/range-reader.js';
import type { Logger } from '../log.js';
import { type OrderedPosition, orderedPositionOf } from './ordered-record.js';

/** Offsets read back from the end at first; the window grows fourfold while it holds no committed record. */
const FIRST_WINDOW = 64n;

/**
 * Where the ordered topic stands: the seq and hash of its last committed record, read
 * read_committed, or seq 0 and the genesis hash when it holds none. The topic is its own
 * progress: a record and the position it stands for commit in one transaction, so this is
 * exactly where the next writer resumes.
 *
 * Read backwards from the last stable offset, because the tail may hold only transaction markers
 * and records of aborted transactions (a fenced holder's last batch): a window that holds no
 * committed record is widened until one is found or the topic's start is reached. Call it after
 * the writer's initTransactions, which completes the abort of a previous holder's open
 * transaction, so the last stable offset is the topic's end.
 */
export async function readOrderedPosition(opts: { kafka: Kafka; chain: string; genesisHash: Buffer; logger: Logger }): Promise<OrderedPosition> {
  const topic = kafkaNames.orderedTopic(opts.chain);
  const [offsets] = await withAdmin(opts.kafka, (admin) => topicOffsets(admin, topic));
  const low = offsets?.low ?? 0n;
  let to = offsets?.high ?? 0n;
  let window = FIRST_WINDOW;
  while (to > low) {
    const from = to - window > low ? to - window : low;
    let last: { offset: bigint; headers: KafkaMessage['headers'] } | null = null;
    await readRanges({
      kafka: opts.kafka,
      topic,
      ranges: new Map([[0, { from, to }]]),
      groupPrefix: kafkaNames.readerGroup(opts.chain, 'ordered-resume'),
      logger: opts.logger,
      onMessages: (_p, messages) => {
        const m = messages[messages.length - 1];
        if (m) last = { offset: BigInt(m.offset), headers: m.headers };
      },
    });
    const found = last as { offset: bigint; headers: KafkaMessage['headers'] } | null;
    if (found) return orderedPositionOf(found.headers, found.offset);
    to = from;
    window *= 4n;
  }
  if (low > 0n) {
    // Records were deleted (a retention someone set on the topic): starting again at seq 1 would write them twice.
    throw new SeqchainError(
      'SEQCHAIN_ERR_CONFIG',
      `ordered topic ${topic} holds no committed record but starts at offset ${low}: its records were deleted (check its retention.ms, which must be -1), so where it stands is unknown`,
      { details: { topic, low: low.toString() } },
    );
  }
  return { seq: 0n, hash: opts.genesisHash };
}
