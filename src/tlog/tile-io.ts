/**
 * Tiles kept outside the process (the query index keeps one binary string per hash tile): what an
 * append writes, which tiles a root or proof reads, and the subtree hashes read back from tile
 * bytes. Same layout as `TileHashStore` (the in-memory reference): tile level L holds the hashes
 * at height 8L; tile N of a level holds its hashes 256N … 256N + 255, 32 bytes each, in order, so
 * a partial tile is a prefix of the full one and a store only ever appends to a tile.
 */
import { OutOfRangeError } from '../errors.js';
import type { TreeBorder } from './border.js';
import { HASH_BYTES } from './hash.js';
import type { SubtreeHashes } from './proof.js';
import { TILE_HEIGHT, TILE_WIDTH } from './tile-path.js';
import { sha256Into } from '../chain/sha256.js';

/** Hashes to write into one tile, starting at hash position `at` (0..255). */
export interface TileWrite {
  level: number;
  index: number;
  at: number;
  /** One or more 32-byte hashes, concatenated. */
  hashes: Buffer;
}

/** A hash tile, by level and index. */
export interface TileAddress {
  level: number;
  index: number;
}

export const tileKey = (level: number, index: number): string => `${level}/${index}`;

/**
 * Appends `leaves` (leaf hashes, in order) to `border` and returns the tile writes that keep the
 * stored tiles in step: each run of consecutive hashes of one tile is one write.
 */
export function appendToTiles(border: TreeBorder, leaves: readonly Buffer[]): TileWrite[] {
  const runs = new Map<string, { level: number; index: number; at: number; hashes: Buffer[] }>();
  for (const leaf of leaves) {
    for (const s of border.append(leaf)) {
      if (s.level % TILE_HEIGHT !== 0) continue;
      const level = s.level / TILE_HEIGHT;
      const index = Math.floor(s.index / TILE_WIDTH);
      const key = tileKey(level, index);
      const run = runs.get(key);
      if (run) run.hashes.push(s.hash);
      else runs.set(key, { level, index, at: s.index % TILE_WIDTH, hashes: [s.hash] });
    }
  }
  return [...runs.values()].map((r) => ({ level: r.level, index: r.index, at: r.at, hashes: Buffer.concat(r.hashes, r.hashes.length * HASH_BYTES) }));
}

/** Where a subtree's hash lives: the tile, and the run of hashes in it that fold into the subtree. */
function locate(level: number, index: number): { level: number; index: number; from: number; count: number } {
  const L = Math.floor(level / TILE_HEIGHT);
  const count = 2 ** (level % TILE_HEIGHT);
  const first = index * count;
  return { level: L, index: Math.floor(first / TILE_WIDTH), from: first % TILE_WIDTH, count };
}

const ZERO = Buffer.alloc(HASH_BYTES);

/**
 * The hash tiles `run` reads when given a SubtreeHashes: the proof and root functions ask for
 * subtrees by position only (never by value), so one dry run over zero hashes finds them all.
 */
export function tilesRead(run: (src: SubtreeHashes) => unknown): TileAddress[] {
  const seen = new Map<string, TileAddress>();
  run({
    subtree(level, index) {
      const t = locate(level, index);
      seen.set(tileKey(t.level, t.index), { level: t.level, index: t.index });
      return ZERO;
    },
  });
  return [...seen.values()];
}

/** Subtree hashes from tile bytes (keyed by `tileKey`); a missing hash is an OutOfRangeError. */
export class TileBytesSource implements SubtreeHashes {
  constructor(private readonly tiles: ReadonlyMap<string, Buffer | null>) {}

  subtree(level: number, index: number): Buffer {
    const t = locate(level, index);
    const bytes = this.tiles.get(tileKey(t.level, t.index));
    if (!bytes || bytes.length < (t.from + t.count) * HASH_BYTES) {
      throw new OutOfRangeError(`tile level ${t.level} index ${t.index} does not hold the subtree at height ${level} index ${index}`, {
        level,
        index,
      });
    }
    return foldRun(bytes, t.from, t.count);
  }
}

// Scratch space of foldRun: a tile's worth of hashes, then the node hash input. Folding is
// synchronous, so one of each serves every call.
const foldScratch = Buffer.alloc(TILE_WIDTH * HASH_BYTES);
const foldInput = Buffer.alloc(1 + 2 * HASH_BYTES);
foldInput[0] = 0x01;

/**
 * MTH of the `count` (a power of two, ≤ 256) consecutive hashes of `bytes` from hash `from`: the
 * same as `foldComplete` over them, folded level by level in place in a scratch copy, so that
 * the only Buffer allocated is the result (see `sha256Into`: a proof folds hundreds of hashes).
 */
export function foldRun(bytes: Buffer, from: number, count: number): Buffer {
  if (count > TILE_WIDTH) throw new OutOfRangeError(`a run of ${count} hashes is wider than a tile`, { count });
  bytes.copy(foldScratch, 0, from * HASH_BYTES, (from + count) * HASH_BYTES);
  // Pair i of a level is read from hashes 2i and 2i + 1 and written at i: never ahead of a pair still to read.
  for (let width = count; width > 1; width /= 2) {
    for (let i = 0; i < width / 2; i++) {
      foldScratch.copy(foldInput, 1, 2 * i * HASH_BYTES, (2 * i + 2) * HASH_BYTES);
      sha256Into(foldInput, foldScratch, i * HASH_BYTES);
    }
  }
  return Buffer.from(foldScratch.subarray(0, HASH_BYTES));
}
