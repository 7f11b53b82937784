import { WireReader } from './reader.js';
import { parseVerifierKey } from '../tlog/note-key.js';
import {
  CUT_ENTRY_BYTES,
  cutBodyBytes,
  type CutLogView,
  type CutMessage,
  type GenesisMessage,
  genesisBodyBytes,
  readCutBody,
  readGenesisBody,
  writeCutBody,
  writeGenesisBody,
} from './ledger-v1.js';

/**
 * Ledger message, format "SCM2": the genesis or a cut that carries the log view (issue 12,
 * docs/LOG.md). Written instead of SCM1 when `logView.enabled`; the genesis and cuts written
 * without the log view stay SCM1, so a ledger may hold SCM1 cuts, then SCM2 cuts (the log view
 * switched on for an existing chain), and every SCM1 ledger stays as it was.
 *
 *   "SCM2" ‖ u8 kind = 1 ‖ <the SCM1 genesis body, byte for byte> ‖
 *   u32 len ‖ verifierKey[len] (UTF-8 `<origin>+<hex id>+<base64(0x01 ‖ key)>`, not covered by the genesis hash)
 *
 *   "SCM2" ‖ u8 kind = 2 ‖ <the SCM1 cut body, byte for byte> ‖
 *   u32 len ‖ checkpoint[len] (UTF-8 signed note: tlog-checkpoint text, blank line, signature lines) ‖
 *   u8 n ‖ n × hash[32] (the tree's right border after the cut, largest subtree first; n = popcount(lastSeq))
 *
 * The decoder checks the shapes only (strict UTF-8, bounded length, one border hash per set bit of
 * lastSeq); what the checkpoint says and who signed it is the verifier's job (src/chain/log-view-check.ts).
 */
export const LEDGER_V2_MAGIC = 'SCM2';
const FORMAT = 'ledger message v2';
const KIND_GENESIS = 1;
const KIND_CUT = 2;
/** A verifier key is a name, 8 hex digits and 44 base64 characters; names are short. */
const MAX_VERIFIER_KEY_BYTES = 1024;
/** 100 signature lines (signed-note's limit) of a long key name fit well below this. */
export const MAX_CHECKPOINT_BYTES = 32_768;
const BORDER_HASH_BYTES = 32;

export function encodeCutMessageV2(c: Omit<CutMessage, 'kind' | 'log'> & { log: CutLogView }): Buffer {
  const note = Buffer.from(c.log.checkpoint, 'utf8');
  const buf = Buffer.allocUnsafe(5 + cutBodyBytes(c) + 4 + note.length + 1 + c.log.border.length);
  let pos = buf.write(LEDGER_V2_MAGIC, 0, 'latin1');
  pos = writeCutBody(buf, buf.writeUInt8(KIND_CUT, pos), c);
  pos = buf.writeUInt32BE(note.length, pos);
  pos += note.copy(buf, pos);
  pos = buf.writeUInt8(c.log.border.length / BORDER_HASH_BYTES, pos);
  c.log.border.copy(buf, pos);
  return buf;
}

export function encodeGenesisMessageV2(g: Omit<GenesisMessage, 'kind' | 'logVerifierKey'> & { logVerifierKey: string }): Buffer {
  parseVerifierKey(g.logVerifierKey);
  const key = Buffer.from(g.logVerifierKey, 'utf8');
  const buf = Buffer.alloc(5 + genesisBodyBytes(g) + 4 + key.length);
  let pos = buf.write(LEDGER_V2_MAGIC, 0, 'latin1');
  pos = writeGenesisBody(buf, buf.writeUInt8(KIND_GENESIS, pos), g);
  pos = buf.writeUInt32BE(key.length, pos);
  key.copy(buf, pos);
  return buf;
}

export function decodeLedgerMessageV2(buf: Buffer): GenesisMessage | CutMessage {
  const r = new WireReader(buf, FORMAT);
  r.magic(LEDGER_V2_MAGIC);
  const kind = r.u8('kind');
  if (kind === KIND_GENESIS) {
    const genesis = readGenesisBody(r);
    const logVerifierKey = r.string('verifierKey', MAX_VERIFIER_KEY_BYTES);
    try {
      parseVerifierKey(logVerifierKey);
    } catch (err) {
      r.fail('verifierKey', `is not a verifier key: ${(err as Error).message}`);
    }
    r.end();
    return { ...genesis, logVerifierKey };
  }
  if (kind !== KIND_CUT) r.fail('kind', `is ${kind}, expected ${KIND_GENESIS} (genesis with the log's key) or ${KIND_CUT} (cut with log view)`);
  const cut = readCutBody(r);
  const checkpoint = r.string('checkpoint', MAX_CHECKPOINT_BYTES);
  const n = r.u8('border count');
  const want = popcount(cut.lastSeq);
  if (n !== want) r.fail('border count', `is ${n}, but a tree of size ${cut.lastSeq} has ${want} border hashes`);
  const border = Buffer.from(r.bytes(n * BORDER_HASH_BYTES, 'border'));
  r.end();
  return { ...cut, log: { checkpoint, border } };
}

function popcount(n: bigint): number {
  let c = 0;
  for (let v = n; v > 0n; v >>= 1n) c += Number(v & 1n);
  return c;
}

/**
 * The signed checkpoint an SCM2 cut carries, and the cut's last seq, read without decoding its
 * entries (they are skipped by their count): what a replica needs to serve `/checkpoint` from
 * the ledger as cuts commit (../indexer/checkpoint-tail.ts). Null for any other message (a
 * genesis, an SCM1 cut); a malformed SCM2 cut is a MalformedMessageError as in the full decode.
 */
export function peekCutCheckpoint(buf: Buffer): { lastSeq: bigint; checkpoint: string } | null {
  if (buf.length < 5 || buf.toString('latin1', 0, 4) !== LEDGER_V2_MAGIC || buf[4] !== KIND_CUT) return null;
  const r = new WireReader(buf, FORMAT);
  r.magic(LEDGER_V2_MAGIC);
  r.u8('kind');
  r.u64('epoch');
  r.u64('cutId');
  r.u64('firstSeq');
  const lastSeq = r.u64('lastSeq');
  r.bytes(32 + 32 + 8, 'hashes and closedAtMs');
  r.bytes(16 * r.count('coverage', 16), 'coverage');
  r.bytes(CUT_ENTRY_BYTES * r.count('count', CUT_ENTRY_BYTES), 'entries');
  return { lastSeq, checkpoint: r.string('checkpoint', MAX_CHECKPOINT_BYTES) };
}
