import { describe, expect, it } from 'vitest';
import { keepsSubtree } from '../../../src/index-store/log-store.js';
import { inclusionProof, tilesRead, type SubtreeHashes } from '../../../src/tlog/index.js';

describe('which subtrees a proof keeps (the log view’s subtree cache)', () => {
  it('keeps every subtree of height ≥ 8, and below 8 only those in the last, partial level-0 tile', () => {
    const size = 300_123; // its last level-0 tile starts at leaf 300,032 (1172 × 256)
    expect(keepsSubtree(8, 0, size)).toBe(true);
    expect(keepsSubtree(12, 3, size)).toBe(true);
    expect(keepsSubtree(0, 300_032, size)).toBe(true);
    expect(keepsSubtree(5, 300_032 / 32, size)).toBe(true);
    expect(keepsSubtree(0, 300_031, size)).toBe(false);
    expect(keepsSubtree(7, 300_032 / 128 - 1, size)).toBe(false);
    expect(keepsSubtree(3, 10, size)).toBe(false);
    // A size that ends a tile: its last tile is full, and the next one (empty) is the "partial" one.
    expect(keepsSubtree(0, 511, 512)).toBe(false);
  });

  it('with the right edge kept, a second proof to the same size reads no right-edge tile', () => {
    const size = 70_000;
    const kept = new Set<string>();
    const countingSource = (): SubtreeHashes => ({
      subtree(level, index) {
        if (keepsSubtree(level, index, size)) kept.add(`${level}/${index}`);
        return Buffer.alloc(32);
      },
    });
    inclusionProof(countingSource(), 12_345, size);
    const before = tilesRead((src) => inclusionProof(src, 23_456, size));
    const after = tilesRead((src) =>
      inclusionProof({ subtree: (level, index) => (kept.has(`${level}/${index}`) ? Buffer.alloc(32) : src.subtree(level, index)) }, 23_456, size),
    );
    const lastTile = Math.floor(size / 256);
    expect(before.some((t) => t.level === 0 && t.index === lastTile)).toBe(true);
    expect(after.some((t) => t.level === 0 && t.index === lastTile)).toBe(false);
    expect(after.length).toBeLessThan(before.length);
  });
});
