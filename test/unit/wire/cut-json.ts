/** Cut and genesis messages as the wire fixtures spell them in JSON (64-bit values as decimal strings, bytes as hex), and their decoding. */
import type { CutMessage, GenesisMessage } from '../../../src/wire/ledger.js';

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

export interface GenesisJson {
  chainId: string;
  topic: string;
  start: string[];
  createdAtMs: string;
  nonce: string;
  hash: string;
  startMode: 'earliest' | 'latest';
  /** SCM2 only. */
  logVerifierKey?: string;
}

export function toGenesis(f: GenesisJson): GenesisMessage {
  return {
    kind: 'genesis',
    chainId: f.chainId,
    topic: f.topic,
    start: f.start.map(BigInt),
    createdAtMs: BigInt(f.createdAtMs),
    nonce: hex(f.nonce),
    hash: hex(f.hash),
    startMode: f.startMode,
    ...(f.logVerifierKey === undefined ? {} : { logVerifierKey: f.logVerifierKey }),
  };
}
