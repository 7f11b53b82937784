/**
 * The records themselves, checked, for the API: a seq range read a page at a time (positions and
 * digests from the index, source bytes through one source reader per request or stream), and
 * the NDJSON lines of a stream, ending in one error line when a record cannot be served.
 */
import { type ErrorCode, isSeqchainError } from '../errors.js';
import type { SeqchainMetrics } from '../metrics/metrics.js';
import { sequencedRecordJsonLine } from '../reader/record-json.js';
import type { SequencedRecord } from '../reader/window.js';
import { notFound } from './params.js';
import type { QueryPort, RecordView, ReplicaPort } from './ports.js';

export interface RecordSourceDeps {
  query: QueryPort;
  replica: ReplicaPort;
  metrics: SeqchainMetrics;
}

/** A failure of a record check, counted when it is a break (a deleted record is not tampering). */
function counted(err: Error, metrics: SeqchainMetrics): Error {
  if (isSeqchainError(err) && err.code === 'SEQCHAIN_ERR_CHAIN_BROKEN') metrics.verificationFailures.inc();
  return err;
}

/** The source record of one index entry, checked; throws the check's failure. */
export async function checkedRecord(deps: RecordSourceDeps, entry: RecordView): Promise<SequencedRecord> {
  const source = deps.replica.openSourceReader();
  try {
    const page = await source.page(entry.prevHash, [entry]);
    if (page.failure) throw counted(page.failure, deps.metrics);
    return page.records[0]!;
  } finally {
    await source.close();
  }
}

/**
 * The checked records of [from, to] in seq order, `pageSize` index entries at a time: a page is
 * read only when the consumer pulls, so memory holds one page. Every record before a failure is
 * yielded, then the failure is thrown. Each page's first link is checked against the last hash
 * of the page before, so the whole range is one recomputed chain.
 */
export async function* checkedRecords(deps: RecordSourceDeps, from: bigint, to: bigint, pageSize: number): AsyncGenerator<SequencedRecord, void, undefined> {
  let prev: Buffer | null = null;
  const source = deps.replica.openSourceReader();
  try {
    yield* pages();
  } finally {
    // Also when the client went away mid-stream (the generator is returned): no group stays behind.
    await source.close();
  }

  async function* pages(): AsyncGenerator<SequencedRecord, void, undefined> {
    for (let pageFrom = from; pageFrom <= to; ) {
      const pageTo = pageFrom + BigInt(pageSize) - 1n < to ? pageFrom + BigInt(pageSize) - 1n : to;
      const entries = await deps.query.range(pageFrom, pageTo);
      let held = 0;
      while (held < entries.length && entries[held]!.seq === pageFrom + BigInt(held)) held++;
      if (held > 0) {
        const page = await source.page(prev ?? entries[0]!.prevHash, entries.slice(0, held));
        yield* page.records;
        if (page.failure) throw counted(page.failure, deps.metrics);
        prev = entries[held - 1]!.hash;
      }
      if (held < Number(pageTo - pageFrom + 1n)) {
        const seq = pageFrom + BigInt(held);
        throw notFound(`seq ${seq} is not in the index (it was reset and is being rebuilt from the ledger)`, { seq: seq.toString() });
      }
      pageFrom = pageTo + 1n;
    }
  }
}

/** The last line of a stream that could not go on: what, and from which seq on nothing was sent. */
export interface StreamErrorLine {
  error: { code: ErrorCode; message: string; seq: string; partition?: number; offset?: string; details?: Record<string, unknown> };
}

/**
 * The error line of a stream cut short at `seq` (the first seq not sent): the code and message an
 * error response would carry, and the record's position when the error names one (a break names
 * its offset, a deleted range its first offset, `from`).
 */
export function streamErrorLine(err: unknown, seq: bigint): StreamErrorLine {
  if (!isSeqchainError(err)) return { error: { code: 'SEQCHAIN_ERR_UNEXPECTED', message: (err as Error)?.message ?? String(err), seq: seq.toString() } };
  const d = err.details;
  const offset = d['offset'] ?? d['from'];
  return {
    error: {
      code: err.code,
      message: err.message,
      seq: seq.toString(),
      ...(typeof d['partition'] === 'number' ? { partition: d['partition'] } : {}),
      ...(typeof offset === 'string' ? { offset } : {}),
      ...(Object.keys(d).length > 0 ? { details: d } : {}),
    },
  };
}

/**
 * NDJSON lines: `first`, then every record of `rest`. A status cannot change once the first line
 * is out, so a failure ends the stream with one error line (and `onError` hears of it); nothing
 * follows it. Closing the generator (the client went away) closes `rest`.
 */
export async function* ndjsonLines(
  first: SequencedRecord,
  rest: AsyncIterable<SequencedRecord>,
  onError: (err: unknown, seq: bigint) => void,
): AsyncGenerator<string, void, undefined> {
  let next = first.seq + 1n;
  yield sequencedRecordJsonLine(first);
  try {
    for await (const record of rest) {
      yield sequencedRecordJsonLine(record);
      next = record.seq + 1n;
    }
  } catch (err) {
    onError(err, next);
    yield `${JSON.stringify(streamErrorLine(err, next))}\n`;
  }
}
