/**
 * Helpers of the index integration tests: a ledger written by the test itself (valid or
 * tampered cuts, with the records and hashes the chain math says), and a check of every lookup of the index against the expectation.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Producer } from 'kafkajs';
import { pino } from 'pino';
import { expect } from 'vitest';
import type { Redis } from 'ioredis';
import { extendChain } from '../../../src/chain/link.js';
import type { Config } from '../../../src/config/schema.js';
import type { IndexStore, IndexedRecord } from '../../../src/index-store/index-store.js';
import { kafkaNames } from '../../../src/kafka/names.js';
import type { Logger } from '../../../src/log.js';
import { encodeCutMessage, type CutMessage } from '../../../src/wire/ledger-v1.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';
import { createRedis, waitForRedis } from '../../../src/index-store/redis-client.js';
import { redisClientOptions } from '../../../src/config/slices.js';

export type ExpectedRecord = IndexedRecord;

/** Writes cut messages to a fixture chain's ledger, as the sequencer would, and remembers what they mean. */
export class LedgerBuilder {
  seq = 0n;
  hash: Buffer;
  cutId = 0n;
  epoch = 1n;
  readonly records: ExpectedRecord[] = [];
  /** Ledger offset of every message appended (the genesis first). */
  readonly offsets: bigint[] = [0n];
  private readonly next: bigint[];
  private producer: Producer | null = null;

  constructor(
    private readonly f: ChainFixture,
    partitions: number,
  ) {
    this.hash = f.genesis.hash;
    this.next = Array.from({ length: partitions }, () => 0n);
  }

  get headOffset(): bigint {
    return this.offsets[this.offsets.length - 1]!;
  }

  /** A valid cut of n records over the partitions (n = 0: a cut that only moves coverage). */
  cut(n: number): CutMessage {
    const entries = Array.from({ length: n }, (_, i) => {
      const partition = (Number(this.seq) + i) % this.next.length;
      // every 7th record leaves a hole in its partition's offsets (transaction markers)
      const offset = this.next[partition]!;
      this.next[partition] = offset + (offset % 7n === 6n ? 2n : 1n);
      return { partition, offset, timestampMs: 1_700_000_000_000n + this.seq + BigInt(i), digest: randomBytes(32) };
    });
    const hashes = extendChain(
      this.hash,
      this.seq + 1n,
      entries.map((e) => e.digest),
    );
    this.cutId++;
    const cut: CutMessage = {
      kind: 'cut',
      epoch: this.epoch,
      cutId: this.cutId,
      firstSeq: this.seq + 1n,
      lastSeq: this.seq + BigInt(n),
      prevHash: this.hash,
      headHash: n > 0 ? hashes[n - 1]! : this.hash,
      closedAtMs: BigInt(Date.now()),
      coverage: this.next.map((sourceNext) => ({ sourceNext, digestNext: 0n })),
      entries,
    };
    entries.forEach((e, i) => {
      this.records.push({
        seq: this.seq + 1n + BigInt(i),
        ...e,
        hash: hashes[i]!,
        prevHash: i === 0 ? this.hash : hashes[i - 1]!,
        epoch: this.epoch,
        cutId: this.cutId,
      });
    });
    this.seq = cut.lastSeq;
    this.hash = cut.headHash;
    return cut;
  }

  /** Appends the cuts in one Kafka transaction (one ledger message each); returns their offsets. */
  async append(...cuts: CutMessage[]): Promise<bigint[]> {
    if (!this.producer) {
      this.producer = this.f.kafka.producer({ transactionalId: kafkaNames.transactionalId(this.f.chain), idempotent: true, maxInFlightRequests: 1 });
      await this.producer.connect();
    }
    const txn = await this.producer.transaction();
    try {
      const [meta] = await txn.send({ topic: kafkaNames.ledgerTopic(this.f.chain), messages: cuts.map((c) => ({ value: encodeCutMessage(c) })) });
      await txn.commit();
      const base = BigInt(meta!.baseOffset!);
      const offsets = cuts.map((_, i) => base + BigInt(i));
      this.offsets.push(...offsets);
      return offsets;
    } catch (err) {
      await txn.abort().catch(() => undefined);
      throw err;
    }
  }

  /** Appends `total` records in cuts of `perCut`, `perTxn` cuts per transaction. */
  async appendRecords(total: number, perCut: number, perTxn = 10): Promise<void> {
    let left = total;
    while (left > 0) {
      const cuts: CutMessage[] = [];
      for (let i = 0; i < perTxn && left > 0; i++) {
        const n = Math.min(perCut, left);
        cuts.push(this.cut(n));
        left -= n;
      }
      await this.append(...cuts);
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = null;
  }
}

/** Deletes every key of one chain's index (cleanup). */
export async function deleteChainKeys(redis: Redis, keyPrefix: string, chain: string): Promise<number> {
  return deleteMatching(redis, `${keyPrefix}:${chain}:*`);
}

export async function deleteMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) n += await redis.unlink(...keys);
  } while (cursor !== '0');
  return n;
}

export async function countMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

/** Checks head, every record (range and by seq), every position and a sample of digests. */
export async function expectIndexHolds(store: IndexStore, b: LedgerBuilder, digestSample = 200): Promise<void> {
  const head = await store.head();
  expect(head).not.toBeNull();
  expect(head!.seq).toBe(b.seq);
  expect(head!.hash.toString('hex')).toBe(b.hash.toString('hex'));
  expect(head!.cutId).toBe(b.cutId);
  expect(head!.ledgerOffset).toBe(b.headOffset);

  const all: IndexedRecord[] = [];
  for (let from = 1n; from <= b.seq; from += 1000n) all.push(...(await store.range(from, from + 999n)));
  expect(all.length).toBe(b.records.length);
  for (let i = 0; i < all.length; i++) {
    if (!recordsEqual(all[i]!, b.records[i]!)) expect(all[i]).toEqual(b.records[i]);
  }
  for (let i = 0; i < b.records.length; i += 200) {
    const chunk = b.records.slice(i, i + 200);
    const byPos = await Promise.all(chunk.map((r) => store.byPosition(r.partition, r.offset)));
    byPos.forEach((r, j) => {
      expect(r?.seq).toBe(chunk[j]!.seq);
    });
  }
  const step = Math.max(1, Math.floor(b.records.length / digestSample));
  const sample = b.records.filter((_, i) => i % step === 0);
  const byDigest = await Promise.all(sample.map((r) => store.byDigest(r.digest)));
  byDigest.forEach((r, j) => {
    if (!r || !recordsEqual(r, sample[j]!)) expect(r).toEqual(sample[j]);
  });
  const one = b.records[Math.floor(b.records.length / 2)];
  if (one) expect(await store.record(one.seq)).toEqual(one);
}

function recordsEqual(a: IndexedRecord, b: IndexedRecord): boolean {
  return (
    a.seq === b.seq &&
    a.partition === b.partition &&
    a.offset === b.offset &&
    a.timestampMs === b.timestampMs &&
    a.digest.equals(b.digest) &&
    a.hash.equals(b.hash) &&
    a.prevHash.equals(b.prevHash) &&
    a.epoch === b.epoch &&
    a.cutId === b.cutId
  );
}

/** The fixture's config with overrides (replica id, Redis URL, timeouts). */
export function configWith(base: Readonly<Config>, overrides: { replicaId?: string; redisUrl?: string; commandTimeoutMs?: number } = {}): Readonly<Config> {
  return {
    ...base,
    replicaId: overrides.replicaId ?? base.replicaId,
    redis: { ...base.redis, url: overrides.redisUrl ?? base.redis.url, commandTimeoutMs: overrides.commandTimeoutMs ?? base.redis.commandTimeoutMs },
  };
}

/** A logger whose JSON lines the test can read. */
export function capturingLogger(level = 'info'): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

export type Cleanup = () => Promise<unknown>;

/**
 * A chain whose ledger the test writes itself (LedgerBuilder) and a Redis client for it; each
 * is undone, last first, by the test file's `cleanups` (the chain's index keys included).
 */
export async function chainWithLedger(cleanups: Cleanup[], partitions: number): Promise<{ f: ChainFixture; b: LedgerBuilder; redis: Redis }> {
  const f = new ChainFixture();
  cleanups.push(() => f.close());
  await f.init(partitions);
  const b = new LedgerBuilder(f, partitions);
  cleanups.push(() => b.close());
  const redis = createRedis(redisClientOptions(f.set.config), f.logger, 'test');
  cleanups.push(async () => redis.disconnect());
  await waitForRedis(redis, 5_000);
  cleanups.push(() => deleteChainKeys(redis, f.set.config.redis.keyPrefix, f.chain));
  return { f, b, redis };
}
