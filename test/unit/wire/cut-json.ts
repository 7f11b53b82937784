/** A cut message as the wire fixtures spell it in JSON (64-bit values as decimal strings, bytes as hex), and its decoding. */
import type { CutMessage } from '../../../src/wire/ledger.js';

export interface CutJson {
  epoch: string;
  cutId: string;
  firstSeq: string;
  lastSeq: string;
  prevHash: string;
  headHash: string;
  closedAtMs: string;
  coverage: { sourceNext: string; digestNext: string }[];
  entries: { partition: number; offset: string; timestampMs: string; digest: string }[];
}

const hex = (s: string) => Buffer.from(s, 'hex');

export function toCut(f: CutJson): CutMessage {
  return {
    kind: 'cut',
    epoch: BigInt(f.epoch),
    cutId: BigInt(f.cutId),
    firstSeq: BigInt(f.firstSeq),
    lastSeq: BigInt(f.lastSeq),
    prevHash: hex(f.prevHash),
    headHash: hex(f.headHash),
    closedAtMs: BigInt(f.closedAtMs),
    coverage: f.coverage.map((s) => ({ sourceNext: BigInt(s.sourceNext), digestNext: BigInt(s.digestNext) })),
    entries: f.entries.map((e) => ({ partition: e.partition, offset: BigInt(e.offset), timestampMs: BigInt(e.timestampMs), digest: hex(e.digest) })),
  };
}
