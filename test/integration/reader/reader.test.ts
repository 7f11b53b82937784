import type { KafkaMessage, Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAll } from '../../helpers/read-all.js';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { linkHash } from '../../../src/chain/link.js';
import { recordDigest } from '../../../src/chain/record-digest.js';
import { kafkaClientOptions } from '../../../src/config/slices.js';
import { ChainBrokenError, SourceDeletedError } from '../../../src/errors.js';
import { toSourceRecord } from '../../../src/kafka/source-record.js';
import { withAdmin } from '../../../src/kafka/offsets.js';
import type { SequencedReaderOptions, SkippedRange } from '../../../src/reader/options.js';
import { readSequenced } from '../../../src/reader/sequenced-reader.js';
import type { SequencedRecord } from '../../../src/reader/window.js';
import { type CutMessage, decodeLedgerMessage, encodeCutMessage } from '../../../src/wire/ledger.js';
import { ChainFixture, type LedgerRow } from '../../helpers/chain-fixture.js';
import { appendLedger, copySourceTopic, deleteRecordsBelow, deleteTopic, ledgerValues, topicRecords } from '../../helpers/tamper.js';

/**
 * The sequenced reader on the real stack: the records in ledger order with their source bytes,
 * ranges, resume, a tampered or retention-trimmed copy of the source, and following the head.
 */
describe('readSequenced', () => {
  let f: ChainFixture;
  let rows: LedgerRow[];
  let source: KafkaMessage[][];
  const copies: string[] = [];
  const N = 300;

  beforeAll(async () => {
    f = new ChainFixture();
    await f.startSequenced(2, N);
    rows = await f.ledgerRows();
    source = await topicRecords(f, f.topic);
  }, 180_000);

  afterAll(async () => {
    for (const t of copies) await deleteTopic(f, t);
    await f?.close();
  });

  // Client options, as a user passes them: the source is then read on the reader's own thread.
  const opts = (more: Partial<SequencedReaderOptions> = {}): SequencedReaderOptions => ({
    kafka: kafkaClientOptions(f.set.config),
    chain: f.chain,
    genesis: f.genesis,
    logger: f.logger,
    ...more,
  });

  const seqOf = (partition: number, offset: bigint) => rows.find((r) => r.partition === partition && r.offset === offset)!.seq;
  const copyName = (what: string) => {
    const t = `${f.chain}.copy-${what}`;
    copies.push(t);
    return t;
  };

  it('reads to the head: the ledger order, with the produced records and the chain hash', async () => {
    const { records, error } = await readAll(opts());
    expect(error).toBeNull();
    expect(records.length).toBeGreaterThanOrEqual(N);
    expect(records.map((r) => [r.seq, r.partition, r.offset])).toEqual(rows.slice(0, records.length).map((r) => [r.seq, r.partition, r.offset]));
    for (const r of records) {
      const m = source[r.partition]!.find((s) => BigInt(s.offset) === r.offset)!;
      expect(r.key).toEqual(m.key);
      expect(r.value).toEqual(m.value);
      expect(r.timestampMs).toBe(BigInt(m.timestamp));
      // kafkajs gives a name sent twice as an array of its values, in wire order.
      const sent = Object.entries(m.headers ?? {}).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ name, value })));
      expect(r.headers).toEqual(sent);
    }
    const messages = await f.ledgerMessages();
    const last = messages.filter((m) => m.kind === 'cut').at(-1)!;
    expect(last.kind === 'cut' && records.at(-1)!.seq === last.lastSeq && records.at(-1)!.hash.equals(last.headHash)).toBe(true);
  }, 60_000);

  it('reads from a seq to a seq, and the same with only a pinned genesis hash', async () => {
    const a = await readAll(opts({ from: 50n, until: 120n, bufferRecords: 8 }));
    expect(a.error).toBeNull();
    expect(a.records.map((r) => r.seq)).toEqual(Array.from({ length: 71 }, (_, i) => BigInt(50 + i)));
    const { genesis: _g, ...noGenesis } = opts({ from: 50n, until: 120n });
    const b = await readAll({ ...noGenesis, genesisHash: f.genesis.hash.toString('hex') });
    expect(b.error).toBeNull();
    expect(b.records.map((r) => r.hash.toString('hex'))).toEqual(a.records.map((r) => r.hash.toString('hex')));
    const wrong = await readAll({ ...noGenesis, genesisHash: Buffer.alloc(32, 7) });
    expect(wrong.records).toEqual([]);
    expect(wrong.error).toBeInstanceOf(ChainBrokenError);
    expect((wrong.error as ChainBrokenError).details).toMatchObject({ kind: 'genesis' });
  }, 60_000);

  it('names a chain that does not exist, and a source copy that does not exist', async () => {
    const none = await readAll(opts({ chain: `${f.chain}-none` }));
    expect(none).toMatchObject({ records: [], error: { code: 'SEQCHAIN_ERR_CHAIN_NOT_FOUND' } });
    const noCopy = await readAll(opts({ sourceTopic: `${f.chain}.no-such-copy` }));
    expect(noCopy).toMatchObject({ records: [], error: { code: 'SEQCHAIN_ERR_CONFIG', details: { option: 'sourceTopic' } } });
  }, 30_000);

  it('reads with two consumers whatever the length, and reads ahead only as far as its buffer', async () => {
    // The real client, counting the consumers the reader makes: one on the ledger, one on the source.
    let consumers = 0;
    const counting = Object.create(f.kafka) as typeof f.kafka;
    counting.consumer = (config) => {
      consumers++;
      return f.kafka.consumer(config);
    };
    const it = readSequenced(opts({ kafka: counting, bufferRecords: 8, until: BigInt(rows.length) }));
    const first = await it.next();
    expect(first.value).toMatchObject({ seq: 1n });
    expect(consumers).toBe(2);
    // Not pulled: nothing more is read than the buffer holds, so the caller's pace holds the reader back.
    await new Promise((r) => setTimeout(r, 1_000));
    let n = 1;
    for (let r = await it.next(); !r.done; r = await it.next()) n++;
    expect(n).toBe(rows.length);
    expect(consumers).toBe(2);
  }, 60_000);

  it('resumes after a persisted {seq, hash}, and refuses a hash the chain does not hold there', async () => {
    const all = (await readAll(opts({ until: 150n }))).records;
    const kept = all[99]!;
    const resumed = await readAll(opts({ resume: { seq: kept.seq, hash: kept.hash.toString('hex') }, until: 150n }));
    expect(resumed.error).toBeNull();
    expect(resumed.records.map((r) => r.seq)).toEqual(all.slice(100).map((r) => r.seq));
    expect(resumed.records[0]!.hash).toEqual(all[100]!.hash);

    const forked = await readAll(opts({ resume: { seq: kept.seq, hash: all[98]!.hash }, until: 150n }));
    expect(forked.records).toEqual([]);
    expect(forked.error).toBeInstanceOf(ChainBrokenError);
    expect((forked.error as ChainBrokenError).details).toMatchObject({ kind: 'fork', seq: '100' });
  }, 60_000);

  it('stops at a tampered source record with the typed error, yielding nothing from it on', async () => {
    const copy = copyName('altered');
    const offset = 40n;
    await copySourceTopic(f, copy, (p: number, o: bigint, m: Message) => (p === 1 && o === offset ? { ...m, value: Buffer.from('altered') } : m));
    const broken = seqOf(1, offset);
    // The source read on the reader's thread (client options), and on the calling thread (a kafkajs client passed in).
    for (const source of [{}, { kafka: f.kafka }]) {
      const { records, error } = await readAll(opts({ sourceTopic: copy, until: BigInt(rows.length), ...source }));
      expect(error).toBeInstanceOf(ChainBrokenError);
      expect((error as ChainBrokenError).code).toBe('SEQCHAIN_ERR_CHAIN_BROKEN');
      expect((error as ChainBrokenError).retriable).toBe(false);
      expect((error as ChainBrokenError).details).toMatchObject({ kind: 'digest-mismatch', seq: broken.toString(), partition: 1, offset: offset.toString() });
      expect(records.map((r) => r.seq)).toEqual(rows.filter((r) => r.seq < broken).map((r) => r.seq));
    }
  }, 60_000);

  it('names a range retention deleted, or skips it when asked and reports it', async () => {
    const copy = copyName('retention');
    await copySourceTopic(f, copy);
    await deleteRecordsBelow(f, copy, 0, 20n);
    const first = seqOf(0, 0n);
    const until = BigInt(rows.length);
    for (const source of [{}, { kafka: f.kafka }]) {
      const strict = await readAll(opts({ sourceTopic: copy, until, ...source }));
      expect(strict.error).toBeInstanceOf(SourceDeletedError);
      expect((strict.error as SourceDeletedError).code).toBe('SEQCHAIN_ERR_SOURCE_DELETED');
      expect((strict.error as SourceDeletedError).details).toEqual({ partition: 0, from: '0', to: '20', seq: first.toString() });
      expect(strict.records.map((r) => r.seq)).toEqual(rows.filter((r) => r.seq < first).map((r) => r.seq));

      const skipped: SkippedRange[] = [];
      const lenient = await readAll(opts({ sourceTopic: copy, until, skipDeleted: true, onSkipped: (r) => skipped.push(r), ...source }));
      expect(lenient.error).toBeNull();
      expect(skipped).toEqual([{ partition: 0, from: 0n, to: 20n, firstSeq: first }]);
      expect(lenient.records.map((r) => r.seq)).toEqual(rows.filter((r) => !(r.partition === 0 && r.offset < 20n)).map((r) => r.seq));
    }
  }, 90_000);

  it('follows the head across a leader failover, and cleans up on break', async () => {
    f.set.start(`${f.chain}-r2`);
    await waitFor('two members', async () => (await f.set.members()).length >= 2, 60_000, 100);
    const start = BigInt(rows.length) + 1n;
    const it = readSequenced(opts({ from: start, until: 'follow', pollIntervalMs: 100 }));
    const got: SequencedRecord[] = [];
    const reading = (async () => {
      for await (const r of it) {
        got.push(r);
        if (got.length === 50) break;
      }
    })();
    await f.produce(25);
    await waitFor('25 read', async () => got.length >= 25, 30_000, 50);
    const leader = (await f.set.leader())!;
    await f.set.kill(leader.replicaId, 'SIGKILL');
    await f.produce(25);
    await reading;
    expect(got.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => start + BigInt(i)));
    expect((await f.set.leader())?.replicaId).not.toBe(leader.replicaId);
    await waitFor(
      'no reader group left',
      async () => {
        const groups = await withAdmin(f.kafka, (admin) => admin.listGroups());
        return !groups.groups.some((g) => g.groupId.startsWith(`seqchain.${f.chain}.read`));
      },
      15_000,
      200,
    );
  }, 90_000);

  it('ends a wait at the head when its signal aborts', async () => {
    const controller = new AbortController();
    const reading = readAll(opts({ from: BigInt(rows.length) + 51n, until: 'follow', pollIntervalMs: 100, signal: controller.signal }));
    setTimeout(() => controller.abort(), 500);
    expect(await reading).toEqual({ records: [], error: null });
  }, 30_000);

  // Last: it stops the replicas and appends to the ledger.
  it('stops at a cut from another writer, after every record before it', async () => {
    await f.set.stopAll();
    const values = await ledgerValues(f);
    const last = decodeLedgerMessage(values.at(-1)!) as CutMessage;
    await f.produce(1);
    const records = await topicRecords(f, f.topic);
    const p = records.findIndex((rs, p) => rs.length > 0 && BigInt(rs.at(-1)!.offset) >= last.coverage[p]!.sourceNext);
    const m = records[p]!.at(-1)!;
    const entry = { partition: p, offset: BigInt(m.offset), timestampMs: BigInt(m.timestamp), digest: recordDigest(toSourceRecord(f.topic, p, m)) };
    const seq = last.lastSeq + 1n;
    const forged = encodeCutMessage({
      ...last,
      cutId: last.cutId + 1n,
      firstSeq: seq,
      lastSeq: seq,
      prevHash: last.headHash,
      headHash: linkHash(last.headHash, seq, entry.digest),
      coverage: last.coverage.map((c, q) => (q === p ? { ...c, sourceNext: entry.offset + 1n } : c)),
      entries: [entry],
    });
    const [at] = await appendLedger(f, [forged], { transactionalId: `second.${f.chain}` });
    const { records: got, error } = await readAll(opts({ from: last.lastSeq - 9n }));
    expect(got.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => last.lastSeq - 9n + BigInt(i)));
    expect(error).toBeInstanceOf(ChainBrokenError);
    expect((error as ChainBrokenError).details).toMatchObject({ kind: 'foreign-writer', seq: seq.toString(), ledgerOffset: String(at) });
  }, 60_000);
});
