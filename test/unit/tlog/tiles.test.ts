import { describe, expect, it } from 'vitest';
import { MalformedMessageError, OutOfRangeError } from '../../../src/errors.js';
import { decodeEntryBundle, encodeEntryBundle, formatTilePath, parseTilePath, tileLevels } from '../../../src/tlog/index.js';
import { buildTree, vectorEntry } from './fixtures.js';

describe('tlog-tiles paths', () => {
  it.each([
    [{ level: 0, index: 0, width: 256 }, 'tile/0/000'],
    [{ level: 4, index: 1234067, width: 256 }, 'tile/4/x001/x234/067'],
    [{ level: 4, index: 1234067, width: 8 }, 'tile/4/x001/x234/067.p/8'],
    [{ level: 1, index: 1000, width: 17 }, 'tile/1/x001/000.p/17'],
    [{ level: 'entries' as const, index: 273, width: 112 }, 'tile/entries/273.p/112'],
    [{ level: 63, index: 999, width: 255 }, 'tile/63/999.p/255'],
  ])('%o ⇄ %s', (ref, path) => {
    expect(formatTilePath(ref)).toBe(path);
    expect(parseTilePath(path)).toEqual(ref);
  });

  it.each([
    ['', 'expected tile/'],
    ['tile/0', 'expected tile/'],
    ['tiles/0/000', 'expected tile/'],
    ['/tile/0/000', 'expected tile/'],
    ['tile/00/000', 'level "00"'],
    ['tile/64/000', 'level "64"'],
    ['tile/-1/000', 'level "-1"'],
    ['tile/data/000', 'level "data"'],
    ['tile/0/00', 'three digits'],
    ['tile/0/0000', 'three digits'],
    ['tile/0/x001', 'three digits'],
    ['tile/0/001/234', 'x and three digits'],
    ['tile/0/x000/001', 'canonical'],
    ['tile/0/000.p/0', 'width "0"'],
    ['tile/0/000.p/256', 'width "256"'],
    ['tile/0/000.p/08', 'width "08"'],
    ['tile/0/000.p/', 'width ""'],
    ['tile/0/000/', 'three digits'],
    ['tile/8/0/000', 'x and three digits'],
  ])('refuses %j naming the path', (path, why) => {
    try {
      parseTilePath(path);
      throw new Error('parsed');
    } catch (err) {
      expect(err).toBeInstanceOf(MalformedMessageError);
      expect((err as Error).message).toContain(`tile path "${path}" is malformed`);
      expect((err as Error).message).toContain(why);
      expect((err as MalformedMessageError).details).toMatchObject({ format: 'tlog-tiles', path });
    }
  });

  it('the spec example: size 70,000 has 273 full + one 112-wide level-0 tile, 1 full + 17-wide level 1, 1-wide level 2', () => {
    expect(tileLevels(70000)).toEqual([
      { level: 0, fullTiles: 273, partialWidth: 112 },
      { level: 1, fullTiles: 1, partialWidth: 17 },
      { level: 2, fullTiles: 0, partialWidth: 1 },
    ]);
    expect(tileLevels(256)).toEqual([
      { level: 0, fullTiles: 1, partialWidth: 0 },
      { level: 1, fullTiles: 0, partialWidth: 1 },
    ]);
    expect(tileLevels(0)).toEqual([]);
  });
});

describe('tile contents', () => {
  it('a tile beyond the stored tree is refused, not padded', () => {
    const { store } = buildTree(300);
    expect(store.tile({ level: 0, index: 1, width: 44 }).length).toBe(44 * 32);
    expect(() => store.tile({ level: 0, index: 1, width: 45 })).toThrow(OutOfRangeError);
    expect(() => store.tile({ level: 1, index: 0, width: 2 })).toThrow(OutOfRangeError);
    expect(() => store.subtree(9, 0)).toThrow(/no complete subtree at height 9/);
  });

  it('entry bundles round-trip and refuse truncation, overrun and a count that differs from the path', () => {
    const entries = [vectorEntry(1), vectorEntry(2), Buffer.alloc(0)];
    const bundle = encodeEntryBundle(entries);
    expect(bundle.readUInt16BE(0)).toBe(44);
    expect(decodeEntryBundle(bundle, 3)).toEqual(entries);
    expect(() => decodeEntryBundle(bundle, 2)).toThrow(/holds 3 entries, the path says 2/);
    expect(() => decodeEntryBundle(bundle.subarray(0, 50))).toThrow(/claims 44 bytes, 2 left/);
    expect(() => decodeEntryBundle(Buffer.concat([bundle, Buffer.from([0])]))).toThrow(/truncated in the length of entry 3/);
    expect(() => encodeEntryBundle([])).toThrow(MalformedMessageError);
  });
});
