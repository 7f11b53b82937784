import type { LedgerEntry } from '../chain/cut-check.js';
import { elementField, WireReader } from './reader.js';

/**
 * Ledger message, format "SCM1": one per Kafka transaction on `<chain>.ledger` (one partition).
 * The first message of a ledger is the genesis; every later one is a cut. A cut stores only what
 * cannot be recomputed: positions, digests, cut bounds, coverage vector, epoch, hashes. The
 * per-record link hashes are recomputed by whoever indexes or verifies.
 *
 *   "SCM1" ‖ u8 kind
 *   kind 1 (genesis): u32 len ‖ chainId ‖ u32 len ‖ topic ‖ u32 P ‖ P × u64 start ‖ u64 createdAtMs ‖
 *                     nonce[16] ‖ hash[32] ‖ u8 startMode (0 earliest, 1 latest)
 *   kind 2 (cut):     u64 epoch ‖ u64 cutId ‖ u64 firstSeq ‖ u64 lastSeq ‖ prevHash[32] ‖ headHash[32] ‖
 *                     u64 closedAtMs ‖ u32 P ‖ P × (u64 sourceNext ‖ u64 digestNext) ‖
 *                     u32 count ‖ count × (u32 partition ‖ u64 offset ‖ i64 timestampMs ‖ digest[32])
 *
 * The coverage vector says, for every source partition p, the next source offset not yet
 * sequenced (everything below it is in the ledger) and the digest-topic offset a new leader
 * resumes reading partition p from. It may grow from one cut to the next (partitions added to
 * the source topic): the first cut that covers partition p ≥ genesis P records where p starts.
 * A cut may have no records (count 0, lastSeq = firstSeq - 1, headHash = prevHash): the
 * sequencer writes one, an *expansion cut*, when it starts covering new partitions.
 */
export const LEDGER_MAGIC = 'SCM1';
const FORMAT = 'ledger message v1';
const KIND_GENESIS = 1;
const KIND_CUT = 2;
/** Bytes of one cut entry (partition, offset, timestamp, digest). */
export const CUT_ENTRY_BYTES = 4 + 8 + 8 + 32;
const ENTRY_BYTES = CUT_ENTRY_BYTES;
const MAX_PARTITIONS = 100_000;

export type StartMode = 'earliest' | 'latest';

export interface GenesisMessage {
  kind: 'genesis';
  chainId: string;
  topic: string;
  start: bigint[];
  createdAtMs: bigint;
  nonce: Buffer;
  hash: Buffer;
  startMode: StartMode;
  /**
   * Only in an SCM2 genesis (./ledger-v2.ts): the log's verifier key `<origin>+<id>+<base64>` when
   * the chain was created with the log view on. Not hashed into the genesis (SCG1 is frozen): a
   * convenience, like the key the API serves; verifiers pin theirs out of band.
   */
  logVerifierKey?: string;
}

export interface CoverageSlot {
  sourceNext: bigint;
  digestNext: bigint;
}

/** One sequenced record of a cut: the chain's own view of a ledger entry. */
export type CutEntry = LedgerEntry;

export interface CutMessage {
  kind: 'cut';
  epoch: bigint;
  cutId: bigint;
  firstSeq: bigint;
  lastSeq: bigint;
  prevHash: Buffer;
  headHash: Buffer;
  closedAtMs: bigint;
  coverage: CoverageSlot[];
  entries: CutEntry[];
  /** Only in an SCM2 cut (./ledger-v2.ts): the log view after this cut. */
  log?: CutLogView;
}

/** What an SCM2 cut adds: the signed checkpoint of the tree after the cut, and the tree's right border. */
export interface CutLogView {
  /** A C2SP signed note whose text is a tlog-checkpoint (size = lastSeq, root after this cut's leaves). */
  checkpoint: string;
  /** The tree's right border after the cut, src/tlog/border.ts's stored form: popcount(lastSeq) hashes of 32 bytes. */
  border: Buffer;
}

export type LedgerMessage = GenesisMessage | CutMessage;

export function encodeGenesisMessage(g: Omit<GenesisMessage, 'kind' | 'logVerifierKey'>): Buffer {
  const buf = Buffer.alloc(5 + genesisBodyBytes(g));
  const pos = buf.write(LEDGER_MAGIC, 0, 'latin1');
  writeGenesisBody(buf, buf.writeUInt8(KIND_GENESIS, pos), g);
  return buf;
}

/** Size of a genesis body (everything after magic and kind): shared with SCM2 (./ledger-v2.ts), which extends it. */
export function genesisBodyBytes(g: Pick<GenesisMessage, 'chainId' | 'topic' | 'start'>): number {
  return 4 + Buffer.byteLength(g.chainId, 'utf8') + 4 + Buffer.byteLength(g.topic, 'utf8') + 4 + 8 * g.start.length + 8 + 16 + 32 + 1;
}

/** Writes a genesis body at `pos`; returns the position after it. */
export function writeGenesisBody(buf: Buffer, pos: number, g: Omit<GenesisMessage, 'kind' | 'logVerifierKey'>): number {
  pos = buf.writeUInt32BE(Buffer.byteLength(g.chainId, 'utf8'), pos);
  pos += buf.write(g.chainId, pos, 'utf8');
  pos = buf.writeUInt32BE(Buffer.byteLength(g.topic, 'utf8'), pos);
  pos += buf.write(g.topic, pos, 'utf8');
  pos = buf.writeUInt32BE(g.start.length, pos);
  for (const s of g.start) pos = buf.writeBigUInt64BE(s, pos);
  pos = buf.writeBigUInt64BE(g.createdAtMs, pos);
  pos += g.nonce.copy(buf, pos);
  pos += g.hash.copy(buf, pos);
  return buf.writeUInt8(g.startMode === 'earliest' ? 0 : 1, pos);
}

export function encodeCutMessage(c: Omit<CutMessage, 'kind' | 'log'>): Buffer {
  const buf = Buffer.allocUnsafe(5 + cutBodyBytes(c));
  const pos = buf.write(LEDGER_MAGIC, 0, 'latin1');
  writeCutBody(buf, buf.writeUInt8(KIND_CUT, pos), c);
  return buf;
}

/** Size of a cut's body (everything after magic and kind): shared with SCM2 (./ledger-v2.ts), which extends it. */
export function cutBodyBytes(c: Pick<CutMessage, 'coverage' | 'entries'>): number {
  return 8 * 4 + 32 + 32 + 8 + 4 + 16 * c.coverage.length + 4 + ENTRY_BYTES * c.entries.length;
}

/** Writes a cut's body at `pos`; returns the position after it. */
export function writeCutBody(buf: Buffer, pos: number, c: Omit<CutMessage, 'kind' | 'log'>): number {
  pos = buf.writeBigUInt64BE(c.epoch, pos);
  pos = buf.writeBigUInt64BE(c.cutId, pos);
  pos = buf.writeBigUInt64BE(c.firstSeq, pos);
  pos = buf.writeBigUInt64BE(c.lastSeq, pos);
  pos += c.prevHash.copy(buf, pos);
  pos += c.headHash.copy(buf, pos);
  pos = buf.writeBigUInt64BE(c.closedAtMs, pos);
  pos = buf.writeUInt32BE(c.coverage.length, pos);
  for (const slot of c.coverage) {
    pos = buf.writeBigUInt64BE(slot.sourceNext, pos);
    pos = buf.writeBigUInt64BE(slot.digestNext, pos);
  }
  pos = buf.writeUInt32BE(c.entries.length, pos);
  for (const e of c.entries) {
    pos = buf.writeUInt32BE(e.partition, pos);
    pos = buf.writeBigUInt64BE(e.offset, pos);
    pos = buf.writeBigInt64BE(e.timestampMs, pos);
    pos += e.digest.copy(buf, pos);
  }
  return pos;
}

/** Decodes an SCM1 message only; `decodeLedgerMessage` in ./ledger.ts takes every ledger format. */
export function decodeLedgerMessageV1(buf: Buffer): GenesisMessage | CutMessage {
  const r = new WireReader(buf, FORMAT);
  r.magic(LEDGER_MAGIC);
  const kind = r.u8('kind');
  if (kind === KIND_GENESIS) {
    const genesis = readGenesisBody(r);
    r.end();
    return genesis;
  }
  if (kind === KIND_CUT) {
    const cut = readCutBody(r);
    r.end();
    return cut;
  }
  return r.fail('kind', `is ${kind}, expected ${KIND_GENESIS} (genesis) or ${KIND_CUT} (cut)`);
}

/** Reads a genesis body (after magic and kind), leaving the reader after it: SCM2 reads the log's key next. */
export function readGenesisBody(r: WireReader): GenesisMessage {
  const chainId = r.string('chainId');
  const topic = r.string('topic');
  const partitions = r.count('partitions', 8);
  if (partitions < 1 || partitions > MAX_PARTITIONS) r.fail('partitions', `is ${partitions}, expected 1 to ${MAX_PARTITIONS}`, 'out_of_bounds');
  const start: bigint[] = [];
  for (let p = 0; p < partitions; p++) start.push(r.u64(`start[${p}]`));
  const createdAtMs = r.u64('createdAtMs');
  const nonce = Buffer.from(r.bytes(16, 'nonce'));
  const hash = Buffer.from(r.bytes(32, 'hash'));
  const mode = r.u8('startMode');
  if (mode > 1) r.fail('startMode', `is ${mode}, expected 0 or 1`);
  return { kind: 'genesis', chainId, topic, start, createdAtMs, nonce, hash, startMode: mode === 0 ? 'earliest' : 'latest' };
}

/** Reads a cut's body (after magic and kind), leaving the reader after it: SCM2 reads its log view next. */
export function readCutBody(r: WireReader): CutMessage {
  const epoch = r.u64('epoch');
  const cutId = r.u64('cutId');
  const firstSeq = r.u64('firstSeq');
  const lastSeq = r.u64('lastSeq');
  // lastSeq = firstSeq - 1 is a cut with no records (an expansion cut: only its coverage is new).
  if (firstSeq < 1n || lastSeq < firstSeq - 1n) r.fail('lastSeq', `[${firstSeq}, ${lastSeq}] is not a valid sequence range`);
  const prevHash = Buffer.from(r.bytes(32, 'prevHash'));
  const headHash = Buffer.from(r.bytes(32, 'headHash'));
  const closedAtMs = r.u64('closedAtMs');
  const partitions = r.count('coverage', 16);
  if (partitions < 1 || partitions > MAX_PARTITIONS) r.fail('coverage', `has ${partitions} partitions, expected 1 to ${MAX_PARTITIONS}`, 'out_of_bounds');
  const coverage: CoverageSlot[] = [];
  for (let p = 0; p < partitions; p++) coverage.push({ sourceNext: r.u64(`coverage[${p}].sourceNext`), digestNext: r.u64(`coverage[${p}].digestNext`) });
  const count = r.count('count', ENTRY_BYTES);
  if (BigInt(count) !== lastSeq - firstSeq + 1n) r.fail('count', `${count} does not match seq range [${firstSeq}, ${lastSeq}]`);
  const entries: CutEntry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const partition = r.u32Of('entries', i, 'partition');
    if (partition >= partitions) r.fail(elementField('entries', i, 'partition'), `${partition} is not below ${partitions}`);
    entries[i] = {
      partition,
      offset: r.u64Of('entries', i, 'offset'),
      timestampMs: r.i64Of('entries', i, 'timestampMs'),
      digest: Buffer.from(r.bytesOf(32, 'entries', i, 'digest')),
    };
  }
  return { kind: 'cut', epoch, cutId, firstSeq, lastSeq, prevHash, headHash, closedAtMs, coverage, entries };
}
