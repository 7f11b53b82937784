import { describe, expect, it } from 'vitest';
import {
  HASH_BYTES,
  TileBytesSource,
  TileHashStore,
  TreeBorder,
  appendToTiles,
  consistencyProof,
  foldComplete,
  foldRun,
  formatTilePath,
  inclusionProof,
  recordLeafHash,
  tileKey,
  tilesOfSize,
  tilesRead,
  treeRoot,
} from '../../../src/tlog/index.js';
import { sha256, sha256Into } from '../../../src/chain/sha256.js';

function digest(g: number): Buffer {
  return sha256(Buffer.from(`tile-io ${g}`));
}

/**
 * Builds the tiles the way the index does (cut by cut, each write a SETRANGE into a growing byte
 * string) beside the in-memory reference store, over `sizes` cut boundaries.
 */
function build(cutEnds: number[]) {
  const border = TreeBorder.empty();
  const reference = new TileHashStore();
  const refBorder = TreeBorder.empty();
  const stored = new Map<string, Buffer>();
  let seq = 0;
  for (const end of cutEnds) {
    const leaves: Buffer[] = [];
    for (; seq < end; seq++) {
      const leaf = recordLeafHash(BigInt(seq + 1), digest(seq + 1));
      leaves.push(leaf);
      reference.add(refBorder.append(leaf));
    }
    for (const w of appendToTiles(border, leaves)) {
      const key = tileKey(w.level, w.index);
      const old = stored.get(key) ?? Buffer.alloc(0);
      const next = Buffer.alloc(Math.max(old.length, w.at * HASH_BYTES + w.hashes.length));
      old.copy(next);
      w.hashes.copy(next, w.at * HASH_BYTES);
      stored.set(key, next);
    }
    expect(border.encode().equals(refBorder.encode())).toBe(true);
  }
  return { border, reference, stored };
}

describe('tiles kept outside the process (src/tlog/tile-io.ts)', () => {
  const ends = [1, 2, 255, 256, 257, 300, 511, 512, 513, 1000, 5_000, 65_535, 65_536, 65_537, 70_000];
  const { reference, stored } = build(ends);

  it('the writes of cut after cut give, for every size a cut ended at, the tiles of the reference store byte for byte', () => {
    for (const size of ends) {
      for (const t of tilesOfSize(size)) {
        if (t.level === 'entries') continue;
        const bytes = stored.get(tileKey(t.level, t.index))!.subarray(0, t.width * HASH_BYTES);
        expect(bytes.equals(reference.tile(t)), formatTilePath(t)).toBe(true);
      }
    }
  });

  it('roots and proofs computed from only the tiles tilesRead names equal the reference', () => {
    const only = (run: Parameters<typeof tilesRead>[0]) =>
      new TileBytesSource(new Map(tilesRead(run).map((t) => [tileKey(t.level, t.index), stored.get(tileKey(t.level, t.index)) ?? null])));
    for (const size of [1, 255, 256, 257, 513, 65_536, 70_000]) {
      expect(
        treeRoot(
          only((s) => treeRoot(s, size)),
          size,
        ).equals(treeRoot(reference, size)),
      ).toBe(true);
      for (const index of [0, size - 1, Math.floor(size / 3)]) {
        const run = (s: Parameters<typeof inclusionProof>[0]) => inclusionProof(s, index, size);
        expect(run(only(run))).toEqual(run(reference));
      }
      for (const from of [1, Math.max(1, size - 1), Math.ceil(size / 2)]) {
        const run = (s: Parameters<typeof consistencyProof>[0]) => consistencyProof(s, from, size);
        expect(run(only(run))).toEqual(run(reference));
      }
    }
  });

  it('a proof needs few tiles: at most two per level', () => {
    const tiles = tilesRead((s) => inclusionProof(s, 12_345, 70_000));
    expect(tiles.length).toBeLessThanOrEqual(2 * 3);
  });

  it('a tile that does not hold a needed hash is an OUT_OF_RANGE error, not a wrong proof', () => {
    const short = new TileBytesSource(new Map([[tileKey(0, 0), stored.get(tileKey(0, 0))!.subarray(0, 10 * HASH_BYTES)]]));
    expect(() => inclusionProof(short, 3, 20)).toThrow(expect.objectContaining({ code: 'SEQCHAIN_ERR_OUT_OF_RANGE' }));
  });

  it('folding a run of tile hashes in place gives the Merkle hash of the run, for every width and position, leaving the tile as it was', () => {
    const tile = Buffer.concat(Array.from({ length: 256 }, (_, i) => digest(1_000 + i)));
    const copy = Buffer.from(tile);
    for (let count = 1; count <= 256; count *= 2) {
      for (const from of [0, Math.min(count, 256 - count), 256 - count]) {
        const run = Array.from({ length: count }, (_, i) => tile.subarray((from + i) * HASH_BYTES, (from + i + 1) * HASH_BYTES));
        expect(foldRun(tile, from, count).equals(foldComplete(run)), `${count} from ${from}`).toBe(true);
      }
    }
    expect(tile.equals(copy)).toBe(true);
    // The result is the caller's own: the next fold does not change it.
    const first = foldRun(tile, 0, 2);
    const kept = Buffer.from(first);
    foldRun(tile, 2, 2);
    expect(first.equals(kept)).toBe(true);
  });

  it('sha256Into writes the same 32 bytes as sha256, every byte value included, at the offset given and nowhere else', () => {
    const out = Buffer.alloc(96, 0xee);
    for (let i = 0; i < 2_000; i++) {
      const data = digest(i);
      sha256Into(data, out, 32);
      expect(out.subarray(32, 64).equals(sha256(data))).toBe(true);
    }
    expect(out.subarray(0, 32).every((b) => b === 0xee) && out.subarray(64).every((b) => b === 0xee)).toBe(true);
  });
});
