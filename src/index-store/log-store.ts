import { OutOfRangeError, SeqchainError } from '../errors.js';
import { sleep } from '../retry/sleep.js';
import {
  HASH_BYTES,
  TILE_WIDTH,
  TileBytesSource,
  consistencyProof,
  encodeEntryBundle,
  inclusionProof,
  leafEntry,
  parseCheckpoint,
  tileKey,
  tilesRead,
  type SubtreeHashes,
} from '../tlog/index.js';
import type { IndexStore } from './index-store.js';

/** A signed checkpoint as the index holds it. */
export interface StoredCheckpoint {
  size: number;
  root: Buffer;
  /** The note as served: the log's signed note, then any witness cosignatures of this same checkpoint. */
  note: string;
  /** The log's signed note alone, as the leader wrote it in the ledger. */
  logNote: string;
}

/** Witness cosignatures of one checkpoint (`keys.cosigned`). */
export interface StoredCosignatures {
  size: number;
  root: Buffer;
  /** Signature lines "— <name> <base64>\n", each verified by the leader under its witness key. */
  lines: string;
}

export function encodeCosignatures(c: StoredCosignatures): string {
  return `${c.size}\n${c.root.toString('base64')}\n${c.lines}`;
}

/** The stored cosignature lines when they are for this very checkpoint (size and root), else ''. */
function cosignaturesFor(stored: unknown, size: number, root: Buffer): string {
  if (typeof stored !== 'string') return '';
  const a = stored.indexOf('\n');
  const b = stored.indexOf('\n', a + 1);
  if (a < 0 || b < 0) return '';
  return stored.slice(0, a) === String(size) && stored.slice(a + 1, b) === root.toString('base64') ? stored.slice(b + 1) : '';
}

/** The note with the cosignature lines of its own checkpoint appended (signed-note allows any number of signature lines). */
function withCosignatures(logNote: string, stored: unknown): { size: number; root: Buffer; note: string } {
  const end = logNote.indexOf('\n\n');
  const cp = parseCheckpoint(logNote.slice(0, end < 0 ? logNote.length : end + 1));
  return { size: cp.size, root: cp.root, note: `${logNote}${cosignaturesFor(stored, cp.size, cp.root)}` };
}

/** The newest checkpoint committed to the ledger, when the replica follows it (../indexer/checkpoint-tail.ts). */
export interface LedgerCheckpointSource {
  readonly latest: { size: number; root: Buffer; logNote: string } | null;
}

/** A proof against the tree of `size`, with that size's signed checkpoint; `proof` is null when the leaf (or `from`) is beyond it. */
export interface SizedProof {
  size: number;
  proof: Buffer[] | null;
  checkpoint: string | null;
}

/** How long a proof to a checkpoint served from the ledger waits for the index to hold its tree, ms. */
export const INDEX_WAIT_MS = 5_000;
const INDEX_POLL_MS = 5;
/** Subtree hashes kept (heights ≥ 8: complete subtrees never change); the cache is dropped when full. */
const SUBTREE_CACHE_MAX = 1 << 16;
/** A subtree at this height or above spans a whole hash of tile level ≥ 1 or more: cached. */
const CACHED_HEIGHT = 8;

/**
 * Read side of the log view in the query index (keys in ./keys.ts, written with each cut by
 * applyCut): the latest signed checkpoint, the checkpoint of each cut's end, hash tiles and entry
 * bundles, and proofs computed from the tiles. A proof is one round trip: the tiles it needs are
 * known from the sizes alone (`tilesRead`), and read in one MULTI with the index's meta and, for
 * a proof to the latest tree, the latest checkpoint (the size is the last one seen; read again
 * only when the index moved on). Complete subtrees of height ≥ 8 are cached in the process (they
 * never change), so a proof reads about two tiles (the leaf's and the tree's right edge) and
 * hashes only inside them.
 *
 * With a ledger source (`ledger`), `latest()` serves the newest checkpoint committed to the
 * ledger when it is ahead of the index, without a Redis read; a proof to its size waits up to
 * INDEX_WAIT_MS for the index to hold that tree. Every call throws SEQCHAIN_ERR_UNREACHABLE when
 * Redis is down.
 */
export class LogViewStore {
  /** The latest checkpoint the index held at the last read, with the cosignatures read with it. */
  #indexed: { size: number; root: Buffer; logNote: string; cosigned: unknown } | null = null;
  #refreshing: Promise<unknown> | null = null;
  readonly #subtrees = new Map<string, Buffer>();
  /** The index incarnation the cached subtrees were read from. */
  #subtreesInc: string | null = null;

  constructor(
    private readonly store: IndexStore,
    /** The log's identity, from the configuration: served beside the tiles (`/v1/log/key`). */
    readonly origin: string,
    /** The keys checkpoints are signed with: one, or the new and the old during a rotation. */
    readonly verifierKeys: readonly string[],
    private readonly ledger: LedgerCheckpointSource | null = null,
  ) {}

  /**
   * The latest signed checkpoint with its witness cosignatures, or null when none is known yet.
   * While the ledger source has one, this never waits for Redis (whose index scripts can hold a
   * read for tens of ms): the newer of the ledger's and the index's last read is served, and the
   * index's (with its cosignatures) is read again in the background, one read at a time.
   * Without one, the index's is read and served.
   */
  async latest(): Promise<StoredCheckpoint | null> {
    const fromLedger = this.ledger?.latest ?? null;
    const known = this.#indexed;
    if (fromLedger && known) {
      this.#refreshing ??= this.readLatest()
        .catch(() => undefined)
        .finally(() => (this.#refreshing = null));
      return fromLedger.size > known.size ? this.fromLedger(fromLedger, known.cosigned) : this.fromIndex(known);
    }
    const got = await this.readLatest();
    if (fromLedger && (!got || fromLedger.size > got.size)) return this.fromLedger(fromLedger, got?.cosigned ?? null);
    return got ? this.fromIndex(got) : null;
  }

  private fromIndex(got: { logNote: string; cosigned: unknown }): StoredCheckpoint {
    return { ...withCosignatures(got.logNote, got.cosigned), logNote: got.logNote };
  }

  /** The largest tree size known to have a signed checkpoint, without a read (0: none seen yet). */
  knownSize(): number {
    return Math.max(this.ledger?.latest?.size ?? 0, this.#indexed?.size ?? 0);
  }

  private fromLedger(cp: { size: number; root: Buffer; logNote: string }, cosigned: unknown): StoredCheckpoint {
    return { size: cp.size, root: cp.root, logNote: cp.logNote, note: `${cp.logNote}${cosignaturesFor(cosigned, cp.size, cp.root)}` };
  }

  private async readLatest(): Promise<{ size: number; root: Buffer; logNote: string; cosigned: unknown } | null> {
    const { meta: metaKey, cosigned } = this.store.keys;
    const got = await this.store.read(
      'latestCheckpoint',
      {},
      (tx) => {
        tx.hget(metaKey, 'checkpoint');
        tx.get(cosigned);
      },
      (_meta, [v, c]) => (typeof v === 'string' && v !== '' ? { logNote: v, cosigned: c } : null),
    );
    return got ? this.noteIndexed(got.logNote, got.cosigned) : null;
  }

  private noteIndexed(logNote: string, cosigned: unknown): { size: number; root: Buffer; logNote: string; cosigned: unknown } {
    const end = logNote.indexOf('\n\n');
    const cp = parseCheckpoint(logNote.slice(0, end < 0 ? logNote.length : end + 1));
    // The last read wins: a guess of the size to prove to, and of whether the ledger is ahead.
    this.#indexed = { size: cp.size, root: cp.root, logNote, cosigned };
    return this.#indexed;
  }

  /** Keeps witness cosignatures of one checkpoint (the leader's, ../witness/submitter.ts); served with it while it is the one asked for. */
  async saveCosignatures(c: StoredCosignatures): Promise<void> {
    await this.store.setChainKey('saveCosignatures', this.store.keys.cosigned, encodeCosignatures(c));
  }

  /**
   * The first `width` hashes of hash tile `level`/`index`, or null when the tree does not hold them
   * yet. A tile within the checkpoint served from the ledger waits for the index as a proof does.
   */
  tile(level: number, index: number, width: number): Promise<Buffer | null> {
    return this.untilIndexed((index * TILE_WIDTH + width) * TILE_WIDTH ** level, () => this.readTile(level, index, width));
  }

  /** Entry bundle `index` of `width` entries (SCT1 e_g of seqs 256·index + 1 …), or null when not all are indexed (waits as `tile`). */
  entries(index: number, width: number): Promise<Buffer | null> {
    return this.untilIndexed(index * TILE_WIDTH + width, () => this.readEntries(index, width));
  }

  /** `read()` again every few ms while it finds nothing and `leaves` is within the ledger's checkpoint, up to INDEX_WAIT_MS. */
  private async untilIndexed<T>(leaves: number, read: () => Promise<T | null>): Promise<T | null> {
    const deadline = Date.now() + INDEX_WAIT_MS;
    for (;;) {
      const got = await read();
      if (got !== null || leaves > (this.ledger?.latest?.size ?? 0) || Date.now() >= deadline) return got;
      await sleep(INDEX_POLL_MS);
    }
  }

  private async readTile(level: number, index: number, width: number): Promise<Buffer | null> {
    return this.store.read(
      'tile',
      { level, index, width },
      (tx, keys) => {
        const { key, byteOffset } = keys.tile(level, index);
        tx.getrangeBuffer(key, byteOffset, byteOffset + width * HASH_BYTES - 1);
      },
      (meta, [v]) => {
        // Tile keys are pre-sized: what is written is known from the head, not from the bytes.
        const written = Math.floor(Number(meta.head.seq) / TILE_WIDTH ** level) - index * TILE_WIDTH;
        return Buffer.isBuffer(v) && v.length === width * HASH_BYTES && written >= width ? v : null;
      },
    );
  }

  private async readEntries(index: number, width: number): Promise<Buffer | null> {
    const first = BigInt(index) * BigInt(TILE_WIDTH) + 1n;
    const records = await this.store.range(first, first + BigInt(width) - 1n);
    if (records.length !== width) return null;
    return encodeEntryBundle(records.map((r) => leafEntry(r.seq, r.digest)));
  }

  /** PATH(index, D[0:size]) and the signed checkpoint of `size` (null when no cut ended there with one). */
  async inclusion(index: number, size: number): Promise<{ proof: Buffer[]; checkpoint: string | null }> {
    const got = await this.inclusionAt(index, size);
    if (!got?.proof) throw new OutOfRangeError(`leaf index ${index} is not in a tree of size ${size}`, { index, size });
    return { proof: got.proof, checkpoint: got.checkpoint };
  }

  /** PROOF(from, D[0:to]). */
  async consistency(from: number, to: number): Promise<Buffer[]> {
    const got = await this.consistencyAt(from, to);
    if (!got?.proof) throw new OutOfRangeError(`a consistency proof needs from ≤ to, got from ${from} > to ${to}`, { from, to });
    return got.proof;
  }

  /**
   * PATH(index, D[0:size]) with the signed checkpoint of `size`; `size` null: the latest tree the
   * index holds a checkpoint of. Null when it holds none yet.
   */
  inclusionAt(index: number, size: number | null): Promise<SizedProof | null> {
    return this.prove(
      (src, n) => inclusionProof(src, index, n),
      (n) => index < n,
      size,
      true,
      { index, size },
    );
  }

  /** PROOF(from, D[0:to]); `to` null: the latest tree the index holds a checkpoint of. Null when it holds none yet. */
  consistencyAt(from: number, to: number | null): Promise<SizedProof | null> {
    return this.prove(
      (src, n) => consistencyProof(src, from, n),
      (n) => from <= n,
      to,
      false,
      { from, to },
    );
  }

  private async prove(
    run: (src: SubtreeHashes, size: number) => Buffer[],
    fits: (size: number) => boolean,
    asked: number | null,
    withCheckpoint: boolean,
    details: Record<string, unknown>,
  ): Promise<SizedProof | null> {
    const deadline = Date.now() + INDEX_WAIT_MS;
    /** Waits a poll for the index to come or catch up; past the deadline, a retriable 503 saying why. */
    const waitForIndex = async (why: string, more: Record<string, unknown> = {}): Promise<void> => {
      if (Date.now() >= deadline)
        throw new SeqchainError('SEQCHAIN_ERR_TIMEOUT', `${why} (${INDEX_WAIT_MS} ms after asking): try again`, {
          details: { ...details, ...more },
          retriable: true,
        });
      await sleep(INDEX_POLL_MS);
    };
    let size = asked ?? this.#indexed?.size ?? null;
    for (let attempt = 0; ; attempt++) {
      if (size === null) {
        // No checkpoint seen yet: learn the latest size first (once).
        const got = await this.readLatest();
        const served = this.ledger?.latest?.size;
        if (!got && served !== undefined) {
          // The index holds none yet while /checkpoint already serves one from the ledger: prove
          // to that one, which waits for the index below (bounded), instead of a 404 that says
          // there is no checkpoint (a replica just started, or an index writer catching up).
          return this.prove(run, fits, served, withCheckpoint, details);
        }
        if (!got) return null;
        size = got.size;
      }
      const n = size;
      if (!fits(n)) {
        // Without a size asked for, n is the last checkpoint this replica saw, a guess: look again
        // (once) before saying the leaf is beyond the tree, or an idle chain keeps the stale answer.
        if (asked === null && attempt === 0) {
          const latest = await this.readLatest();
          if (latest && latest.size !== n) {
            size = latest.size;
            continue;
          }
        }
        return { size: n, proof: null, checkpoint: null };
      }
      const cached = this.#subtrees;
      let usedCache = false;
      const tiles = tilesRead((src) =>
        run(
          {
            subtree(level, index) {
              const hit = cached.get(`${level}/${index}`);
              if (hit) usedCache = true;
              return hit ?? src.subtree(level, index);
            },
          },
          n,
        ),
      );
      const got = await this.store.read(
        'proof',
        details,
        (tx, keys) => {
          for (const t of tiles) {
            const { key, byteOffset } = keys.tile(t.level, t.index);
            tx.getrangeBuffer(key, byteOffset, byteOffset + TILE_WIDTH * HASH_BYTES - 1);
          }
          if (withCheckpoint) tx.hget(keys.checkpoints, String(n));
          tx.get(this.store.keys.cosigned);
          if (asked === null) tx.hget(this.store.keys.meta, 'checkpoint');
        },
        (meta, values) => ({ head: Number(meta.head.seq), inc: meta.inc, values }),
      );
      if (!got) {
        // No index at all right now (flushed, or flipping to a rebuilt incarnation): it comes back.
        await waitForIndex('the index holds no tree now; it is being rebuilt');
        continue;
      }
      const { values } = got;
      const cosigned = values[tiles.length + (withCheckpoint ? 1 : 0)];
      if (asked === null) {
        const latest = values[values.length - 1];
        if (typeof latest !== 'string' || latest === '') return null;
        // The index moved on since the size was last seen: prove to its latest tree instead (once;
        // a proof to the size read is valid too, the index holds its checkpoint).
        const now = this.noteIndexed(latest, cosigned).size;
        if (now !== n && attempt === 0) {
          size = now;
          continue;
        }
      }
      if (got.head < n) {
        // A checkpoint this replica has served (from the ledger, or one the index announced) that
        // the index does not hold yet: wait for it, bounded. Never a 500 for a size it served.
        if (n <= this.knownSize()) {
          await waitForIndex(`the index does not hold the tree of size ${n} yet; it is catching up with the ledger`, { indexed: got.head });
          continue;
        }
        throw new OutOfRangeError(`the index does not hold the tree of size ${n} (it was reset, or is catching up)`, details);
      }
      if (got.inc !== this.#subtreesInc) {
        // Another incarnation of the index: the cached hashes were not read from it.
        this.#subtrees.clear();
        this.#subtreesInc = got.inc;
        if (usedCache) continue;
      }
      const bytes = new Map<string, Buffer | null>();
      tiles.forEach((t, i) => {
        bytes.set(tileKey(t.level, t.index), (values[i] as Buffer | null) ?? null);
      });
      const proof = run(this.cachingSource(new TileBytesSource(bytes), n), n);
      const note = withCheckpoint ? values[tiles.length] : null;
      return { size: n, proof, checkpoint: typeof note === 'string' && note !== '' ? withCosignatures(note, cosigned).note : null };
    }
  }

  /** Subtree hashes from the cache, else from the tiles read; those keepSubtree picks are kept. */
  private cachingSource(tiles: SubtreeHashes, size: number): SubtreeHashes {
    const cache = this.#subtrees;
    return {
      subtree(level, index) {
        const key = `${level}/${index}`;
        const hit = cache.get(key);
        if (hit) return hit;
        const h = tiles.subtree(level, index);
        if (keepsSubtree(level, index, size)) {
          if (cache.size >= SUBTREE_CACHE_MAX) cache.clear();
          cache.set(key, h);
        }
        return h;
      },
    };
  }
}

/**
 * Which complete subtrees a proof to a tree of `size` keeps (they never change): those of height
 * ≥ 8, few and shared by all proofs, and those inside the tree's last, partial level-0 tile, the
 * right edge every proof to this size folds again (up to 255 hashes and one tile read each).
 * Leaf-side subtrees below height 8 are not kept: there are too many of them. Pure.
 */
export function keepsSubtree(level: number, index: number, size: number): boolean {
  if (level >= CACHED_HEIGHT) return true;
  return index * 2 ** level >= Math.floor(size / TILE_WIDTH) * TILE_WIDTH;
}
