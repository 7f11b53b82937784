import type { Redis } from 'ioredis';
import { MalformedMessageError, SeqchainError } from '../errors.js';
import { HASH_BYTES, type TileWrite } from '../tlog/index.js';
import type { CutMessage } from '../wire/ledger-v1.js';
import { BUCKET_BYTES, ENTRY_BYTES, bucketSpans, writeEntry } from './entry-codec.js';
import {
  DIGEST_FIELD_FROM,
  DIGEST_GEN0_SEQ_BITS,
  DIGEST_FIELD_TO,
  INDEX_LAYOUT,
  TILE_KEY_BYTES,
  chainKeys,
  digestGeneration,
  newIncarnation,
  type ChainKeys,
} from './keys.js';
import { META_FIELDS, parseMeta, type IndexHead } from './meta.js';
import { defineIndexScripts, redisError, type ScriptClient } from './redis-client.js';
import { ALREADY_APPLIED, APPLIED, APPLY_CUT, APPLY_GENESIS, ATTACH, NOT_FOLLOWING, STALE_INCARNATION } from './scripts.js';

/** The log view's part of a cut: the tile hashes it adds, the tree border after it and its signed checkpoint. */
export interface TreeStep {
  tiles: TileWrite[];
  border: Buffer;
  /** The cut's signed checkpoint note (SCM2), or null (SCM1: the tree still grows). */
  checkpoint: string | null;
}

/** One ledger message to write, already checked against the chain (./chain-follower.ts). */
export type WriteStep = { kind: 'genesis'; ledgerOffset: bigint } | { kind: 'cut'; ledgerOffset: bigint; cut: CutMessage; hashes: Buffer[]; tree: TreeStep };

export interface WriteResult {
  /**
   * applied: written now; present: at or below the head (written before, e.g. by another
   * replica); behind: does not follow the head (the reader must re-position from the head);
   * stale: the index was reset or replaced since attach() (attach again).
   */
  status: 'applied' | 'present' | 'behind' | 'stale';
  headSeq: bigint | null;
  headLedgerOffset: bigint | null;
}

export type AttachResult =
  /** `border`: the log view tree's right border at size head.seq (src/tlog/border.ts's stored form). */
  | { status: 'existing' | 'created'; inc: string; head: IndexHead; border: Buffer }
  /** The index in Redis belongs to another genesis or layout; it was left untouched. */
  | { status: 'foreign'; inc: string; genesisHex: string; layout: string };

const STATUS: Record<number, WriteResult['status']> = {
  [APPLIED]: 'applied',
  [ALREADY_APPLIED]: 'present',
  [NOT_FOLLOWING]: 'behind',
  [STALE_INCARNATION]: 'stale',
};

/**
 * Write side of the Redis query index of one chain. Each ledger message is applied by one Lua
 * script, atomically and only if it follows the index head; a message at or below the head is a
 * no-op, so any number of replicas may apply the same ledger to one Redis. Many messages go to
 * Redis in one pipeline.
 */
export class IndexWriter {
  readonly keys: ChainKeys;
  private readonly genesisHex: string;
  private inc: string | null = null;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    readonly chain: string,
    genesisHash: Buffer,
  ) {
    this.keys = chainKeys(keyPrefix, chain);
    this.genesisHex = genesisHash.toString('hex');
    defineIndexScripts(redis);
  }

  /** The incarnation this writer writes to (after attach()). */
  get incarnation(): string | null {
    return this.inc;
  }

  /** Finds this genesis's index in Redis, or creates an empty one; never touches a foreign one. */
  async attach(): Promise<AttachResult> {
    const client = this.redis as unknown as ScriptClient;
    try {
      const reply = (await client[ATTACH.command]!(this.keys.meta, newIncarnation(), this.genesisHex, INDEX_LAYOUT, Date.now())) as [
        number,
        string,
        string?,
        string?,
      ];
      const [code, inc] = reply;
      if (code === 1) {
        this.inc = null;
        return { status: 'foreign', inc, genesisHex: reply[2] ?? '', layout: reply[3] ?? '' };
      }
      this.inc = inc;
      const values = await this.redis.hmget(this.keys.meta, ...META_FIELDS, 'border');
      const meta = parseMeta(values.slice(0, META_FIELDS.length));
      // Reset between the two calls: the caller attaches again.
      if (!meta || meta.inc !== inc) return this.attach();
      return { status: code === 2 ? 'created' : 'existing', inc, head: meta.head, border: parseBorder(values[META_FIELDS.length] ?? null) };
    } catch (err) {
      throw redisError(err, 'attach', { chain: this.chain });
    }
  }

  /** The current head and incarnation in Redis, or null when there is no index of this genesis. */
  async current(): Promise<{ inc: string; head: IndexHead } | null> {
    try {
      const meta = parseMeta(await this.redis.hmget(this.keys.meta, ...META_FIELDS));
      return meta && meta.genesisHex === this.genesisHex && meta.layout === INDEX_LAYOUT ? { inc: meta.inc, head: meta.head } : null;
    } catch (err) {
      throw redisError(err, 'read head', { chain: this.chain });
    }
  }

  /** Applies the steps in order, in one pipeline; one result per step. */
  async apply(steps: readonly WriteStep[]): Promise<WriteResult[]> {
    if (steps.length === 0) return [];
    const inc = this.inc;
    if (inc === null) throw new SeqchainError('SEQCHAIN_ERR_USAGE', 'IndexWriter.apply() before attach()');
    const pipeline = this.redis.pipeline() as unknown as ScriptClient & { exec(): Promise<[Error | null, unknown][] | null> };
    const now = String(Date.now());
    for (const step of steps) {
      if (step.kind === 'genesis') pipeline[APPLY_GENESIS.command]!(this.keys.meta, inc, step.ledgerOffset.toString(), this.genesisHex, now);
      else pipeline[APPLY_CUT.command]!(...this.cutArgs(inc, step, now));
    }
    const first = steps[0]!;
    const last = steps[steps.length - 1]!;
    const details = {
      chain: this.chain,
      ledgerOffsets: `${first.ledgerOffset}..${last.ledgerOffset}`,
      ...(last.kind === 'cut' ? { lastSeq: last.cut.lastSeq.toString() } : {}),
    };
    let rows: [Error | null, unknown][] | null;
    try {
      rows = await pipeline.exec();
    } catch (err) {
      throw redisError(err, 'apply', details);
    }
    if (!rows) throw redisError(new Error('pipeline aborted'), 'apply', details);
    return rows.map(([err, reply], i) => {
      if (err) throw redisError(err, 'apply', { ...details, ledgerOffset: steps[i]!.ledgerOffset.toString() });
      const [code, headSeq, headOffset] = reply as [number, string?, string?];
      const status = STATUS[code];
      if (!status) throw redisError(new Error(`unexpected script reply ${JSON.stringify(reply)}`), 'apply', details);
      if (status === 'stale') this.inc = null;
      return { status, headSeq: headSeq == null ? null : BigInt(headSeq), headLedgerOffset: headOffset == null ? null : BigInt(headOffset) };
    });
  }

  /** numkeys, KEYS and ARGV of applyCut-2+n (see its contract in ./scripts.ts). */
  private cutArgs(inc: string, step: Extract<WriteStep, { kind: 'cut' }>, now: string): [number, string[], (string | Buffer)[]] {
    const { cut, hashes } = step;
    const data = this.keys.data(inc);
    const keys: string[] = [this.keys.meta, data.digestOverflow, data.checkpoints];
    const entryArgs: (string | Buffer)[] = [];
    const positionArgs: string[] = [];
    const digestArgs: (string | Buffer)[] = [];
    let runs = 0;
    let positionKeys = 0;
    const n = cut.entries.length;
    if (n > 0) {
      let i = 0;
      for (const span of bucketSpans(cut.firstSeq, cut.lastSeq)) {
        const buf = Buffer.allocUnsafe(span.count * ENTRY_BYTES);
        for (let j = 0; j < span.count; j++, i++) {
          const e = cut.entries[i]!;
          writeEntry(buf, j * ENTRY_BYTES, {
            partition: e.partition,
            offset: e.offset,
            timestampMs: e.timestampMs,
            digest: e.digest,
            hash: hashes[i]!,
            epoch: cut.epoch,
            cutId: cut.cutId,
          });
        }
        keys.push(data.entryBucket(span.bucket));
        entryArgs.push(String(span.byteOffset), buf);
        runs++;
      }
      const positions = new Map<string, string[]>();
      for (let k = 0; k < n; k++) {
        const e = cut.entries[k]!;
        const seq = String(cut.firstSeq + BigInt(k));
        const { key, field } = data.position(e.partition, e.offset);
        let list = positions.get(key);
        if (!list) positions.set(key, (list = []));
        list.push(field, seq);
      }
      positionKeys = positions.size;
      for (const [key, list] of positions) {
        keys.push(key);
        positionArgs.push(String(list.length / 2), ...list);
      }
      let generation = digestGeneration(cut.firstSeq);
      let nextGenerationAt = 1n << BigInt(DIGEST_GEN0_SEQ_BITS + generation);
      for (let k = 0; k < n; k++) {
        const seq = cut.firstSeq + BigInt(k);
        if (seq >= nextGenerationAt) {
          generation = digestGeneration(seq);
          nextGenerationAt = 1n << BigInt(DIGEST_GEN0_SEQ_BITS + generation);
        }
        const e = cut.entries[k]!;
        keys.push(data.digest(e.digest, generation).key);
        digestArgs.push(e.digest, String(seq));
      }
    }
    const header = [
      inc,
      step.ledgerOffset.toString(),
      cut.firstSeq.toString(),
      cut.prevHash.toString('hex'),
      cut.lastSeq.toString(),
      cut.headHash.toString('hex'),
      cut.epoch.toString(),
      cut.cutId.toString(),
      now,
      String(BUCKET_BYTES),
      String(DIGEST_FIELD_FROM + 1),
      String(DIGEST_FIELD_TO),
      String(runs),
      String(positionKeys),
      String(n),
      String(step.tree.tiles.length),
      step.tree.border.toString('hex'),
      step.tree.checkpoint ?? '',
      String(TILE_KEY_BYTES),
    ];
    const tileArgs: (string | Buffer)[] = [];
    for (const t of step.tree.tiles) {
      const slot = data.tile(t.level, t.index);
      keys.push(slot.key);
      tileArgs.push(String(slot.byteOffset + t.at * HASH_BYTES), t.hashes);
    }
    // Arrays, not spread arguments: a cut can have tens of thousands (ioredis flattens them).
    return [keys.length, keys, [...header, ...entryArgs, ...positionArgs, ...digestArgs, ...tileArgs]];
  }
}

/** The stored border (hex, '' for the empty tree); a layout-2 meta always has one. */
function parseBorder(hex: string | null): Buffer {
  if (hex === null || !/^([0-9a-f]{64})*$/.test(hex)) {
    throw new MalformedMessageError('index meta', `field border must be 64-hex-digit hashes, got ${JSON.stringify((hex ?? 'nothing').slice(0, 70))}`, {
      field: 'border',
    });
  }
  return Buffer.from(hex, 'hex');
}
