import { hex, type Break } from '../chain/breaks.js';
import { linkHash } from '../chain/link.js';

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
export function checkRange(prevHash: Buffer, links: readonly IndexedLink[], sourceDigest: (partition: number, offset: bigint) => Buffer | null | 'deleted'): RangeCheck {
  let prev = prevHash;
  let checked = 0;
  let unverifiable = 0;
  let expectedSeq = links[0]?.seq;
  for (const link of links) {
    const where = { seq: link.seq, partition: link.partition, offset: link.offset };
    if (link.seq !== expectedSeq) {
      return { checked, unverifiable, firstBreak: { kind: 'seq-gap', ...where, expected: String(expectedSeq), actual: link.seq.toString(), message: `seq ${link.seq} follows seq ${expectedSeq! - 1n}` } };
    }
    const recomputed = linkHash(prev, link.seq, link.digest);
    if (!recomputed.equals(link.hash)) {
      return { checked, unverifiable, firstBreak: { kind: 'record-hash', ...where, expected: hex(recomputed), actual: hex(link.hash), message: `seq ${link.seq}: hash does not follow from seq ${link.seq - 1n}` } };
    }
    const source = sourceDigest(link.partition, link.offset);
    if (source === 'deleted') {
      unverifiable++;
    } else if (source === null) {
      return { checked, unverifiable, firstBreak: { kind: 'not-in-source', ...where, actual: hex(link.digest), message: `seq ${link.seq}: partition ${link.partition} offset ${link.offset} holds no record in the source topic` } };
    } else if (!source.equals(link.digest)) {
      return { checked, unverifiable, firstBreak: { kind: 'digest-mismatch', ...where, expected: hex(source), actual: hex(link.digest), message: `seq ${link.seq}: the source record at partition ${link.partition} offset ${link.offset} does not match its digest in the chain` } };
    } else {
      checked++;
    }
    prev = link.hash;
    expectedSeq = link.seq + 1n;
  }
  return { checked, unverifiable, firstBreak: null };
}
