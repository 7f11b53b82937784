import { decodeLedgerMessageV1, type LedgerMessage } from './ledger-v1.js';
import { decodeLedgerMessageV2, LEDGER_V2_MAGIC } from './ledger-v2.js';

export * from './ledger-v1.js';
export { encodeCutMessageV2, encodeGenesisMessageV2, LEDGER_V2_MAGIC, MAX_CHECKPOINT_BYTES } from './ledger-v2.js';

/**
 * Any ledger message: SCM1 (genesis, cut) or SCM2 (genesis with the log's key, cut with the log view), told apart by the
 * magic. Anything else is refused by the SCM1 decoder, with the message it always gave.
 */
export function decodeLedgerMessage(buf: Buffer): LedgerMessage {
  if (buf.length >= 4 && buf.toString('latin1', 0, 4) === LEDGER_V2_MAGIC) return decodeLedgerMessageV2(buf);
  return decodeLedgerMessageV1(buf);
}
