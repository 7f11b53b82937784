import { hex, type Break } from '../chain/breaks.js';
import { linkEntries } from '../chain/link.js';

/** One sequenced record as the index holds it. */
export interface IndexedLink {
  seq: bigint;
  partition: number;
  offset: bigint;
  digest: Buffer;
  hash: Buffer;
}

export interface RangeCheck {
  /** Records whose source digest and link were both recomputed and matched. */
  checked: number;
  /** Positions the source topic no longer holds (retention): links checked, source not. */
  unverifiable: number;
  firstBreak: Break | null;
}

/**
 * Recomputes a contiguous range of the chain: each record's digest from the source topic, each
 * hash from its predecessor's (`prevHash` is the hash of `from - 1`, the genesis for seq 1).
 * `sourceDigest` returns the digest of the source record at a position, `null` when the source
 * has no record there, or `'deleted'` when retention removed it. Pure: the caller does the I/O.
 */
export function checkRange(
  prevHash: Buffer,
  links: readonly IndexedLink[],
  sourceDigest: (partition: number, offset: bigint) => Buffer | null | 'deleted',
): RangeCheck {
  let checked = 0;
  let unverifiable = 0;
  // The links up to the first gap in seq are recomputed in one pass: recomputed[i] follows from
  // recomputed[i-1], which equals links[i-1].hash up to the first break (where this stops).
  let run = links.length === 0 ? 0 : 1;
  while (run < links.length && links[run]!.seq === links[run - 1]!.seq + 1n) run++;
  const recomputed = new Array<Buffer>(run);
  if (run > 0) linkEntries(prevHash, links[0]!.seq, links, run, recomputed);
  for (let i = 0; i < links.length; i++) {
    const link = links[i]!;
    const where = { seq: link.seq, partition: link.partition, offset: link.offset };
    if (i === run) {
      const expectedSeq = links[i - 1]!.seq + 1n;
      return {
        checked,
        unverifiable,
        firstBreak: {
          kind: 'seq-gap',
          ...where,
          expected: String(expectedSeq),
          actual: link.seq.toString(),
          message: `seq ${link.seq} follows seq ${expectedSeq - 1n}`,
        },
      };
    }
    const hash = recomputed[i]!;
    if (!hash.equals(link.hash)) {
      return {
        checked,
        unverifiable,
        firstBreak: {
          kind: 'record-hash',
          ...where,
          expected: hex(hash),
          actual: hex(link.hash),
          message: `seq ${link.seq}: hash does not follow from seq ${link.seq - 1n}`,
        },
      };
    }
    const source = sourceDigest(link.partition, link.offset);
    if (source === 'deleted') {
      unverifiable++;
    } else if (source === null) {
      return {
        checked,
        unverifiable,
        firstBreak: {
          kind: 'not-in-source',
          ...where,
          actual: hex(link.digest),
          message: `seq ${link.seq}: partition ${link.partition} offset ${link.offset} holds no record in the source topic`,
        },
      };
    } else if (!source.equals(link.digest)) {
      return {
        checked,
        unverifiable,
        firstBreak: {
          kind: 'digest-mismatch',
          ...where,
          expected: hex(source),
          actual: hex(link.digest),
          message: `seq ${link.seq}: the source record at partition ${link.partition} offset ${link.offset} does not match its digest in the chain`,
        },
      };
    } else {
      checked++;
    }
  }
  return { checked, unverifiable, firstBreak: null };
}
