/**
 * C2SP tlog-tiles paths (https://c2sp.org/tlog-tiles), tile height 8: `tile/<L>/<N>[.p/<W>]` for
 * hash tiles, `tile/entries/<N>[.p/<W>]` for entry bundles. N is written in 3-digit groups, all
 * but the last prefixed with `x` (1234067 → x001/x234/067); `.p/<W>` marks a partial tile of
 * width 1..255. Parsing is strict: a path parses only if formatting the result gives it back.
 */
import { MalformedMessageError } from '../errors.js';
import { checkSize } from './size.js';

export const TILE_HEIGHT = 8;
/** Hashes (or entries) in a full tile: 2^TILE_HEIGHT. */
export const TILE_WIDTH = 256;
/** Highest hash tile level the spec allows. */
export const MAX_TILE_LEVEL = 63;

/** A hash tile (`level` 0..63) or an entry bundle (`level` 'entries'); `width` 256 for a full tile. */
export interface TileRef {
  level: number | 'entries';
  index: number;
  width: number;
}

function badPath(path: string, why: string): never {
  throw new MalformedMessageError('tlog-tiles', `tile path "${path}" is malformed: ${why}`, { field: 'path', path });
}

function formatIndex(n: number): string {
  let s = String(n % 1000).padStart(3, '0');
  for (let rest = Math.floor(n / 1000); rest > 0; rest = Math.floor(rest / 1000)) {
    s = `x${String(rest % 1000).padStart(3, '0')}/${s}`;
  }
  return s;
}

export function formatTilePath(t: TileRef): string {
  if (t.level !== 'entries' && (!Number.isInteger(t.level) || t.level < 0 || t.level > MAX_TILE_LEVEL)) {
    throw new MalformedMessageError('tlog-tiles', `tile level ${String(t.level)} is not in [0, ${MAX_TILE_LEVEL}]`, { field: 'level' });
  }
  checkSize(t.index, 'tile index');
  if (!Number.isInteger(t.width) || t.width < 1 || t.width > TILE_WIDTH) {
    throw new MalformedMessageError('tlog-tiles', `tile width ${String(t.width)} is not in [1, ${TILE_WIDTH}]`, { field: 'width' });
  }
  const partial = t.width === TILE_WIDTH ? '' : `.p/${t.width}`;
  return `tile/${t.level}/${formatIndex(t.index)}${partial}`;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const GROUP = /^x[0-9]{3}$/;
const LAST_GROUP = /^[0-9]{3}$/;

/** Parses `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]` (no leading slash), strictly. */
export function parseTilePath(path: string): TileRef {
  if (typeof path !== 'string') badPath(String(path), 'not a string');
  const parts = path.split('/');
  if (parts.length < 3 || parts[0] !== 'tile') badPath(path, 'expected tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]');
  let level: number | 'entries';
  if (parts[1] === 'entries') level = 'entries';
  else {
    if (!DECIMAL.test(parts[1]!) || Number(parts[1]) > MAX_TILE_LEVEL) badPath(path, `level "${parts[1]}" is not a decimal in [0, ${MAX_TILE_LEVEL}]`);
    level = Number(parts[1]);
  }
  let groups = parts.slice(2);
  let width = TILE_WIDTH;
  const last = groups[groups.length - 1]!;
  if (groups.length >= 2 && groups[groups.length - 2]!.endsWith('.p')) {
    if (!DECIMAL.test(last) || Number(last) < 1 || Number(last) >= TILE_WIDTH) badPath(path, `width "${last}" is not a decimal in [1, ${TILE_WIDTH - 1}]`);
    width = Number(last);
    groups = groups.slice(0, -1);
    groups[groups.length - 1] = groups[groups.length - 1]!.slice(0, -2);
  }
  let index = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const isLast = i === groups.length - 1;
    if (!(isLast ? LAST_GROUP : GROUP).test(g)) badPath(path, `index element "${g}" is not ${isLast ? 'three digits' : 'x and three digits'}`);
    index = index * 1000 + Number(isLast ? g : g.slice(1));
  }
  if (!Number.isSafeInteger(index)) badPath(path, 'index too large');
  const ref: TileRef = { level, index, width };
  // Leading x000 groups would give a second spelling of the same index.
  if (formatTilePath(ref) !== path) badPath(path, `not the canonical spelling (${formatTilePath(ref)})`);
  return ref;
}

/** One level of the tiles of a tree: how many full tiles, and the width of the partial one (0: none). */
export interface TileLevel {
  level: number;
  fullTiles: number;
  partialWidth: number;
}

/**
 * The hash tile levels of a tree of size n (tlog-tiles "Partial Tiles"): level l has
 * floor(n / 256^(l+1)) full tiles and a partial tile of width floor(n / 256^l) mod 256.
 * Entry bundles follow level 0.
 */
export function tileLevels(size: number): TileLevel[] {
  checkSize(size, 'tree size');
  const out: TileLevel[] = [];
  for (let l = 0, span = 1; Math.floor(size / span) > 0; l++, span *= TILE_WIDTH) {
    const count = Math.floor(size / span); // hashes stored at this tile level
    out.push({ level: l, fullTiles: Math.floor(count / TILE_WIDTH), partialWidth: count % TILE_WIDTH });
  }
  return out;
}

/** Every tile (full and partial) of a tree of size n, level by level, then the entry bundles. */
export function* tilesOfSize(size: number): Generator<TileRef> {
  const levels = tileLevels(size);
  for (const { level, fullTiles, partialWidth } of levels) {
    for (let i = 0; i < fullTiles; i++) yield { level, index: i, width: TILE_WIDTH };
    if (partialWidth > 0) yield { level, index: fullTiles, width: partialWidth };
  }
  const leaves = levels[0];
  if (leaves) {
    for (let i = 0; i < leaves.fullTiles; i++) yield { level: 'entries', index: i, width: TILE_WIDTH };
    if (leaves.partialWidth > 0) yield { level: 'entries', index: leaves.fullTiles, width: leaves.partialWidth };
  }
}
