/**
 * Stored hashes in the tlog-tiles layout, in memory: the hashes at tree heights 0, 8, 16, …
 * (tile level L holds height 8L), each the hash of a complete subtree. That is what the tiles
 * serve, and it is enough to give the hash of any complete subtree (heights between two tile
 * levels are rehashed from at most 128 hashes of the level below), hence any root or proof.
 * Later slices keep the same layout outside the process; this one is the reference and the
 * test double.
 */
import { OutOfRangeError } from '../errors.js';
import type { StoredHash } from './border.js';
import { HASH_BYTES, checkHash, nodeHash } from './hash.js';
import type { SubtreeHashes } from './proof.js';
import { TILE_HEIGHT, TILE_WIDTH, type TileRef } from './tile-path.js';
import { checkSize } from './size.js';

/** Merkle hash of a power-of-two run of hashes. */
export function foldComplete(hashes: Buffer[]): Buffer {
  let level = hashes;
  while (level.length > 1) {
    const up: Buffer[] = new Array(level.length / 2);
    for (let i = 0; i < up.length; i++) up[i] = nodeHash(level[2 * i]!, level[2 * i + 1]!);
    level = up;
  }
  return level[0]!;
}

export class TileHashStore implements SubtreeHashes {
  /** levels[L][i]: the hash at height 8L, index i. */
  readonly #levels: Buffer[][] = [];

  /** Keeps the hashes of an append (`TreeBorder.append`'s result) that tiles hold. */
  add(stored: readonly StoredHash[]): void {
    for (const s of stored) {
      if (s.level % TILE_HEIGHT !== 0) continue;
      const L = s.level / TILE_HEIGHT;
      const row = (this.#levels[L] ??= []);
      if (s.index !== row.length) {
        throw new OutOfRangeError(`stored hash at height ${s.level} index ${s.index} is out of order (expected index ${row.length})`, {
          level: s.level,
          index: s.index,
        });
      }
      row.push(checkHash(s.hash, 'stored hash'));
    }
  }

  /** Number of leaves stored. */
  get size(): number {
    return this.#levels[0]?.length ?? 0;
  }

  subtree(level: number, index: number): Buffer {
    checkSize(level, 'subtree level');
    checkSize(index, 'subtree index');
    const L = Math.floor(level / TILE_HEIGHT);
    const span = 2 ** (level % TILE_HEIGHT);
    const row = this.#levels[L] ?? [];
    const lo = index * span;
    if (lo + span > row.length) {
      throw new OutOfRangeError(`no complete subtree at height ${level} index ${index}: the tree has ${this.size} leaves`, { level, index, size: this.size });
    }
    return span === 1 ? row[lo]! : foldComplete(row.slice(lo, lo + span));
  }

  /**
   * The bytes of hash tile `t`: its `width` hashes, concatenated. Entry bundles hold the entries,
   * not hashes: see `encodeEntryBundle`.
   */
  tile(t: TileRef): Buffer {
    if (t.level === 'entries') throw new OutOfRangeError('entry bundles are not stored as hashes', { level: t.level });
    const row = this.#levels[t.level] ?? [];
    const lo = t.index * TILE_WIDTH;
    if (lo + t.width > row.length) {
      throw new OutOfRangeError(`tile level ${t.level} index ${t.index} width ${t.width} is beyond the stored tree (${row.length} hashes at that level)`, {
        level: t.level,
        index: t.index,
        width: t.width,
      });
    }
    return Buffer.concat(row.slice(lo, lo + t.width), t.width * HASH_BYTES);
  }
}
