import type { ChainableCommander, Redis } from 'ioredis';
import { HASH_BYTES } from '../chain/link.js';
import { SeqchainError } from '../errors.js';
import { ENTRY_BYTES, bucketSpans, readEntry, readEntryHash, type BucketSpan } from './entry-codec.js';
import { INDEX_LAYOUT, chainKeys, digestGeneration, newIncarnation, type ChainKeys, type DataKeys } from './keys.js';
import { META_FIELDS, parseMeta, type IndexHead, type IndexMeta } from './meta.js';
import { defineIndexScripts, redisError, type ScriptClient } from './redis-client.js';
import { RESET, SWEEP } from './scripts.js';

export type { IndexHead };

/** One sequenced record as the index knows it. */
export interface IndexedRecord {
  seq: bigint;
  partition: number;
  offset: bigint;
  timestampMs: bigint;
  digest: Buffer;
  /** h_seq (SCL1). */
  hash: Buffer;
  /** h_(seq-1); the genesis hash for seq 1. */
  prevHash: Buffer;
  epoch: bigint;
  cutId: bigint;
}

/** The longest range one range() call reads, records. */
/** Read side of the index: what queries ask of it. Each call throws SEQCHAIN_ERR_UNREACHABLE when Redis is down. */
export interface IndexQuery {
  head(): Promise<IndexHead | null>;
  record(seq: bigint): Promise<IndexedRecord | null>;
  byPosition(partition: number, offset: bigint): Promise<IndexedRecord | null>;
  byDigest(digest: Buffer): Promise<IndexedRecord | null>;
  /** Records from..to inclusive, in seq order (the caller bounds the size). */
  range(from: bigint, to: bigint): Promise<IndexedRecord[]>;
}

export const MAX_RANGE = 100_000;
/** SCAN batch of a sweep. */
const SWEEP_BATCH = 1_000;
/** How often a read retries when the index's incarnation changed under it (a reset). */
const READ_ATTEMPTS = 3;

/**
 * Read side of the Redis query index of one chain (and its reset). Every lookup is one or two
 * round trips, O(1) (O(log n) by digest), and reads the index's `meta` in the same MULTI as the
 * data, so it never mixes two incarnations. An index that belongs to another genesis answers
 * like an empty one (null): this store never answers for a chain it was not built for.
 * Redis failures are retriable SEQCHAIN_ERR_UNREACHABLE errors that name the lookup.
 */
export class IndexStore {
  readonly keys: ChainKeys;
  private readonly genesisHex: string;
  /** The incarnation the last read saw (refreshed whenever meta names another). */
  private inc: string | null = null;
  /** Highest digest generation known to exist (from the last head seen). */
  private generation = 0;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    readonly chain: string,
    readonly genesisHash: Buffer,
  ) {
    if (genesisHash.length !== HASH_BYTES) throw new SeqchainError('SEQCHAIN_ERR_USAGE', `genesis hash must be ${HASH_BYTES} bytes, got ${genesisHash.length}`);
    this.keys = chainKeys(keyPrefix, chain);
    this.genesisHex = genesisHash.toString('hex');
    defineIndexScripts(redis);
  }

  /** The head of the index, or null when this chain has no index (or one for another genesis). */
  async head(): Promise<IndexHead | null> {
    return this.read(
      'head',
      {},
      () => undefined,
      (meta) => meta.head,
    );
  }

  /** The record at global seq `seq`, or null when it is not indexed. */
  async record(seq: bigint): Promise<IndexedRecord | null> {
    if (seq < 1n) return null;
    const records = await this.readRecords('record', seq, seq, { seq: seq.toString() });
    return records?.[0] ?? null;
  }

  /** Records [from, to] in seq order, cut at the head; at most MAX_RANGE of them per call. */
  async range(from: bigint, to: bigint): Promise<IndexedRecord[]> {
    if (from < 1n) throw new SeqchainError('SEQCHAIN_ERR_USAGE', `range must start at seq 1 or later, got ${from}`, { details: { from: from.toString() } });
    if (to < from) return [];
    if (to - from + 1n > BigInt(MAX_RANGE)) {
      throw new SeqchainError('SEQCHAIN_ERR_USAGE', `range [${from}, ${to}] is longer than ${MAX_RANGE} records`, {
        details: { from: from.toString(), to: to.toString() },
      });
    }
    return (await this.readRecords('range', from, to, { from: from.toString(), to: to.toString() })) ?? [];
  }

  /** The record sequenced from source (partition, offset), or null. */
  async byPosition(partition: number, offset: bigint): Promise<IndexedRecord | null> {
    const details = { partition, offset: offset.toString() };
    const seq = await this.read(
      'byPosition',
      details,
      (tx, keys) => {
        const { key, field } = keys.position(partition, offset);
        tx.hget(key, field);
      },
      (meta, [value]) => {
        const s = value == null ? null : BigInt(value as string);
        return s !== null && s >= 1n && s <= meta.head.seq ? s : null;
      },
    );
    if (seq == null) return null;
    const record = await this.record(seq);
    // Read in two steps: a reset in between must not yield another position's record.
    return record && record.partition === partition && record.offset === offset ? record : null;
  }

  /** The record whose SCR1 digest is `digest` (32 bytes), or null. */
  async byDigest(digest: Buffer): Promise<IndexedRecord | null> {
    if (!Buffer.isBuffer(digest) || digest.length !== HASH_BYTES) {
      throw new SeqchainError('SEQCHAIN_ERR_USAGE', `a record digest is ${HASH_BYTES} bytes, got ${Buffer.isBuffer(digest) ? digest.length : typeof digest}`);
    }
    const details = { digest: digest.toString('hex') };
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const generations = this.generation;
      const found = await this.read(
        'byDigest',
        details,
        (tx, keys) => {
          for (let g = 0; g <= generations; g++) {
            const { key, field } = keys.digest(digest, g);
            tx.hget(key, field);
          }
          tx.hget(keys.digestOverflow, digest);
        },
        (meta, values) => {
          const newest = meta.head.seq >= 1n ? digestGeneration(meta.head.seq) : 0;
          const candidates = new Set<bigint>();
          for (const v of values) {
            if (v == null) continue;
            const s = BigInt(v as string);
            if (s >= 1n && s <= meta.head.seq) candidates.add(s);
          }
          return { newest, candidates: [...candidates] };
        },
      );
      if (!found) return null;
      // Every candidate is checked against the full digest: the bucket field is a 12-byte fragment.
      for (const seq of found.candidates) {
        const record = await this.record(seq);
        if (record?.digest.equals(digest)) return record;
      }
      if (found.newest <= generations) return null;
      this.generation = found.newest;
    }
    return null;
  }

  /**
   * Empties this chain's index: switches `meta` to a new, empty incarnation for this store's
   * genesis (one atomic step: concurrent writers of the old incarnation are refused from then on),
   * then deletes every key of other incarnations with SCAN + UNLINK. Only keys under
   * `<prefix>:<chain>:` are touched.
   */
  async reset(): Promise<{ previousIncarnation: string | null; deletedKeys: number }> {
    const inc = newIncarnation();
    let previous: unknown;
    try {
      previous = await (this.redis as unknown as ScriptClient)[RESET.command]!(this.keys.meta, inc, this.genesisHex, INDEX_LAYOUT, Date.now());
    } catch (err) {
      throw redisError(err, 'reset', { chain: this.chain });
    }
    this.inc = inc;
    this.generation = 0;
    const deletedKeys = await this.sweep();
    return { previousIncarnation: typeof previous === 'string' ? previous : null, deletedKeys };
  }

  /** Sets one of this chain's keys outside the incarnations (`keys.cosigned`). */
  async setChainKey(op: string, key: string, value: string): Promise<void> {
    if (!key.startsWith(this.keys.chainPrefix)) throw new SeqchainError('SEQCHAIN_ERR_USAGE', `${key} is not a key of chain ${this.chain}`);
    try {
      await this.redis.set(key, value);
    } catch (err) {
      throw redisError(err, op, { chain: this.chain });
    }
  }

  /** Deletes the keys of this chain that belong to no current incarnation; returns how many. */
  async sweep(): Promise<number> {
    let cursor = '0';
    let deleted = 0;
    try {
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', this.keys.pattern, 'COUNT', SWEEP_BATCH);
        cursor = next;
        const candidates = keys.filter((k) => k !== this.keys.meta);
        if (candidates.length > 0) {
          deleted += Number(
            await (this.redis as unknown as ScriptClient)[SWEEP.command]!(1 + candidates.length, this.keys.meta, ...candidates, this.keys.chainPrefix.length),
          );
        }
      } while (cursor !== '0');
    } catch (err) {
      throw redisError(err, 'sweep', { chain: this.chain, deleted });
    }
    return deleted;
  }

  /** Entries [from, to] plus the one before `from` (for prevHash), cut at the head. */
  private async readRecords(op: string, from: bigint, to: bigint, details: Record<string, unknown>): Promise<IndexedRecord[] | null> {
    const spans = bucketSpans(from - 1n, to);
    return this.read(
      op,
      details,
      (tx, keys) => {
        for (const s of spans) tx.getrangeBuffer(keys.entryBucket(s.bucket), s.byteOffset, s.byteOffset + s.count * ENTRY_BYTES - 1);
      },
      (meta, values) => decodeRecords(meta, spans, values as Buffer[], from, to, this.genesisHash),
    );
  }

  /**
   * One MULTI: meta, then what `build` asks for with the data keys of the incarnation last seen.
   * When meta names another incarnation (a reset since), the read is repeated with it. Null when
   * there is no index of this genesis and layout. Public for the other read sides of the same
   * index (./log-store.ts).
   */
  async read<T>(
    op: string,
    details: Record<string, unknown>,
    build: (tx: ChainableCommander, keys: DataKeys) => void,
    parse: (meta: IndexMeta, values: unknown[]) => T,
  ): Promise<T | null> {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const keys = this.keys.data(this.inc ?? '-');
      const tx = this.redis.multi();
      tx.hmget(this.keys.meta, ...META_FIELDS);
      build(tx, keys);
      let rows: [Error | null, unknown][] | null;
      try {
        rows = await tx.exec();
      } catch (err) {
        throw redisError(err, op, { chain: this.chain, ...details });
      }
      if (!rows) throw redisError(new Error('transaction aborted'), op, { chain: this.chain, ...details });
      for (const [err] of rows) if (err) throw redisError(err, op, { chain: this.chain, ...details });
      const meta = parseMeta(rows[0]![1] as (string | null)[]);
      if (!meta || meta.genesisHex !== this.genesisHex || meta.layout !== INDEX_LAYOUT) return null;
      if (meta.inc !== keys.inc) {
        this.inc = meta.inc;
        continue;
      }
      if (meta.head.seq >= 1n) this.generation = Math.max(this.generation, digestGeneration(meta.head.seq));
      return parse(
        meta,
        rows.slice(1).map(([, v]) => v),
      );
    }
    throw redisError(new Error(`the index was reset ${READ_ATTEMPTS} times during one read`), op, { chain: this.chain, ...details });
  }
}

function decodeRecords(meta: IndexMeta, spans: BucketSpan[], chunks: Buffer[], from: bigint, to: bigint, genesis: Buffer): IndexedRecord[] {
  const last = to < meta.head.seq ? to : meta.head.seq;
  if (last < from) return [];
  // Each span at its own place: a bucket that is missing (or short) reads as never written.
  const buf = Buffer.alloc(spans.reduce((n, s) => n + s.count, 0) * ENTRY_BYTES);
  let at = 0;
  spans.forEach((s, i) => {
    chunks[i]?.copy(buf, at, 0, Math.min(chunks[i]!.length, s.count * ENTRY_BYTES));
    at += s.count * ENTRY_BYTES;
  });
  // Entry i of buf is seq from - 1 + i.
  let prevHash: Buffer | null = from === 1n ? genesis : readEntryHash(buf, 0);
  const out: IndexedRecord[] = [];
  for (let seq = from, at = ENTRY_BYTES; seq <= last; seq++, at += ENTRY_BYTES) {
    const e = readEntry(buf, at);
    // An entry at or below the head that was never written: not a record this index can vouch for.
    if (!e || !prevHash) break;
    out.push({
      seq,
      partition: e.partition,
      offset: e.offset,
      timestampMs: e.timestampMs,
      digest: e.digest,
      hash: e.hash,
      prevHash,
      epoch: e.epoch,
      cutId: e.cutId,
    });
    prevHash = e.hash;
  }
  return out;
}
