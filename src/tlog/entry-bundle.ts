/**
 * tlog-tiles entry bundles: entries as big-endian uint16 length-prefixed byte strings, in leaf
 * order. seqchain's entries are the 44-byte e_g (see hash.ts); the codec takes any length up to
 * 65,535 as the spec does.
 */
import { MalformedMessageError } from '../errors.js';
import { TILE_WIDTH } from './tile-path.js';

const MAX_ENTRY = 0xffff;

export function encodeEntryBundle(entries: readonly Buffer[]): Buffer {
  if (entries.length < 1 || entries.length > TILE_WIDTH) {
    throw new MalformedMessageError('tlog-tiles', `an entry bundle holds 1..${TILE_WIDTH} entries, got ${entries.length}`, { field: 'entries' });
  }
  let total = 0;
  entries.forEach((e, i) => {
    if (!Buffer.isBuffer(e) || e.length > MAX_ENTRY) {
      throw new MalformedMessageError('tlog-tiles', `entry ${i} is not a byte string of at most ${MAX_ENTRY} bytes`, { field: 'entries', position: i });
    }
    total += 2 + e.length;
  });
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const e of entries) {
    out.writeUInt16BE(e.length, at);
    e.copy(out, at + 2);
    at += 2 + e.length;
  }
  return out;
}

/** Splits a bundle into its entries; `width`, when given, is the count the tile path promises. */
export function decodeEntryBundle(bundle: Buffer, width?: number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < bundle.length) {
    if (at + 2 > bundle.length)
      throw new MalformedMessageError('tlog-tiles', `entry bundle truncated in the length of entry ${out.length} at byte ${at}`, {
        field: 'length',
        position: at,
      });
    const len = bundle.readUInt16BE(at);
    if (at + 2 + len > bundle.length) {
      throw new MalformedMessageError('tlog-tiles', `entry ${out.length} at byte ${at} claims ${len} bytes, ${bundle.length - at - 2} left`, {
        field: 'entry',
        position: at,
      });
    }
    out.push(bundle.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  if (width !== undefined && out.length !== width) {
    throw new MalformedMessageError('tlog-tiles', `entry bundle holds ${out.length} entries, the path says ${width}`, { field: 'width' });
  }
  return out;
}
