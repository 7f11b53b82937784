import { describe, expect, it } from 'vitest';
import type { QueryPort, ReplicaPort, SourcePage } from '../../../src/api/ports.js';
import { checkedRecords, ndjsonLines, streamErrorLine } from '../../../src/api/record-stream.js';
import { ChainBrokenError, SeqchainError, SourceDeletedError } from '../../../src/errors.js';
import type { IndexedRecord } from '../../../src/index-store/index-store.js';
import { SeqchainMetrics } from '../../../src/metrics/metrics.js';
import type { SequencedRecord } from '../../../src/reader/window.js';

// The paging and the stream's framing alone: the ports are stand-ins (the checks behind
// sourceRecords are test/unit/replica/source-check.test.ts; the real stack is
// test/integration/api/records-api.test.ts).
const h = (n: number) => Buffer.alloc(32, n);
const entry = (seq: number): IndexedRecord => ({
  seq: BigInt(seq),
  partition: seq % 3,
  offset: BigInt(seq * 10),
  timestampMs: 1n,
  digest: h(200),
  hash: h(seq),
  prevHash: h(seq - 1),
  epoch: 1n,
  cutId: 1n,
});
const record = (e: IndexedRecord): SequencedRecord => ({ ...e, topic: 'src', key: null, value: Buffer.from('v'), headers: [] });

function stand(head: number, failAt: number | null = null, failure: SeqchainError | null = null) {
  const calls: { prev: number; seqs: number[] }[] = [];
  const readers = { opened: 0, closed: 0 };
  const query = {
    range: async (from: bigint, to: bigint) => {
      const out: IndexedRecord[] = [];
      for (let s = Number(from); s <= Math.min(Number(to), head); s++) out.push(entry(s));
      return out;
    },
  } as unknown as QueryPort;
  const replica = {
    openSourceReader: () => {
      readers.opened++;
      return {
        page: async (prev: Buffer, entries: readonly IndexedRecord[]): Promise<SourcePage> => {
          calls.push({ prev: prev[0]!, seqs: entries.map((e) => Number(e.seq)) });
          const good = entries.filter((e) => failAt === null || Number(e.seq) < failAt);
          return { records: good.map(record), failure: good.length < entries.length ? failure : null };
        },
        close: async () => {
          readers.closed++;
        },
      };
    },
  } as unknown as ReplicaPort;
  const metrics = new SeqchainMetrics({ chain: 'c', replicaId: 'r' });
  return { deps: { query, replica, metrics }, calls, metrics, readers };
}

async function drain(gen: AsyncIterable<SequencedRecord>): Promise<{ seqs: number[]; err: unknown }> {
  const seqs: number[] = [];
  try {
    for await (const r of gen) seqs.push(Number(r.seq));
    return { seqs, err: null };
  } catch (err) {
    return { seqs, err };
  }
}

const failures = async (m: SeqchainMetrics) => (await m.registry.getSingleMetric('seqchain_verification_failures_total')!.get()).values[0]?.value ?? 0;

describe('checkedRecords', () => {
  it('reads the range a page at a time through one source reader, each page linked to the last hash of the one before', async () => {
    const { deps, calls, readers } = stand(100);
    const { seqs, err } = await drain(checkedRecords(deps, 5n, 27n, 10));
    expect(err).toBeNull();
    // One reader (one consumer-group join) for the whole range, closed at its end.
    expect(readers).toEqual({ opened: 1, closed: 1 });
    expect(seqs).toEqual(Array.from({ length: 23 }, (_, i) => i + 5));
    expect(calls.map((c) => c.seqs.length)).toEqual([10, 10, 3]);
    // First page: the index's hash of seq 4; then the last hash of the page before.
    expect(calls.map((c) => c.prev)).toEqual([4, 14, 24]);
  });

  it('yields every record before a break, then throws it and counts a verification failure', async () => {
    const broken = new ChainBrokenError('seq 13: digest differs', { kind: 'digest-mismatch', seq: '13' });
    const { deps, calls, metrics, readers } = stand(100, 13, broken);
    const { seqs, err } = await drain(checkedRecords(deps, 1n, 50n, 10));
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(err).toBe(broken);
    expect(readers).toEqual({ opened: 1, closed: 1 });
    expect(calls).toHaveLength(2);
    expect(await failures(metrics)).toBe(1);
  });

  it('a deleted record ends the range too, but is not counted as a verification failure', async () => {
    const deleted = new SourceDeletedError('gone', { partition: 1, from: '40', to: '50', seq: '4' });
    const { deps, metrics } = stand(100, 4, deleted);
    const { seqs, err } = await drain(checkedRecords(deps, 1n, 9n, 10));
    expect(seqs).toEqual([1, 2, 3]);
    expect(err).toBe(deleted);
    expect(await failures(metrics)).toBe(0);
  });

  it('a seq the index no longer holds (reset meanwhile) ends the range with SEQCHAIN_ERR_NOT_FOUND naming it', async () => {
    const { deps } = stand(15);
    const { seqs, err } = await drain(checkedRecords(deps, 1n, 30n, 10));
    expect(seqs).toHaveLength(15);
    expect(err).toMatchObject({ code: 'SEQCHAIN_ERR_NOT_FOUND', details: { seq: '16' } });
  });

  it('reads nothing before it is pulled: memory holds one page', async () => {
    const { deps, calls } = stand(100);
    const gen = checkedRecords(deps, 1n, 100n, 10);
    expect(calls).toHaveLength(0);
    await gen.next();
    expect(calls).toHaveLength(1);
    await gen.return();
    expect(calls).toHaveLength(1);
  });
});

describe('ndjsonLines and the error line', () => {
  it('one line per record, then one error line naming the first seq not sent, and nothing after it', async () => {
    async function* rest() {
      yield record(entry(2));
      yield record(entry(3));
      throw new ChainBrokenError('seq 4 (partition 1, offset 40): digest differs', { kind: 'digest-mismatch', seq: '4', partition: 1, offset: '40' });
    }
    const heard: bigint[] = [];
    const lines: string[] = [];
    for await (const l of ndjsonLines(record(entry(1)), rest(), (_err, seq) => heard.push(seq))) lines.push(l);
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.slice(0, 3).map((p) => p.seq)).toEqual(['1', '2', '3']);
    expect(parsed[0]).toEqual({
      seq: '1',
      topic: 'src',
      partition: 1,
      offset: '10',
      timestampMs: '1',
      key: null,
      value: 'dg==',
      headers: [],
      digest: 'c8'.repeat(32),
      hash: '01'.repeat(32),
    });
    expect(parsed[3]).toEqual({
      error: {
        code: 'SEQCHAIN_ERR_CHAIN_BROKEN',
        message: 'seq 4 (partition 1, offset 40): digest differs',
        seq: '4',
        partition: 1,
        offset: '40',
        details: { kind: 'digest-mismatch', seq: '4', partition: 1, offset: '40' },
      },
    });
    expect(heard).toEqual([4n]);
  });

  it('names the first deleted offset of a deleted range, and carries any other error without a position', () => {
    expect(streamErrorLine(new SourceDeletedError('gone', { partition: 2, from: '7', to: '9', seq: '12' }), 12n).error).toMatchObject({
      code: 'SEQCHAIN_ERR_SOURCE_DELETED',
      seq: '12',
      partition: 2,
      offset: '7',
    });
    expect(streamErrorLine(new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', 'Kafka unreachable: x'), 5n)).toEqual({
      error: { code: 'SEQCHAIN_ERR_UNREACHABLE', message: 'Kafka unreachable: x', seq: '5' },
    });
    expect(streamErrorLine(new Error('boom'), 5n)).toEqual({ error: { code: 'SEQCHAIN_ERR_UNEXPECTED', message: 'boom', seq: '5' } });
  });
});
