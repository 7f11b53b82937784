/**
 * The reader's opening of sealed payloads (docs/CONSUMING.md, "Sealed payloads"): a record that
 * carries the `seqchain.key-id` header, already checked against the chain (its digest covers the
 * sealed bytes), is handed out with its plaintext as `value` and the stored envelope under
 * `sealed`. A record without the header passes unchanged. No I/O.
 */
import { SealError } from '../errors.js';
import type { Keyring } from '../seal/keyring.js';
import { keyIdOfHeader, openSealedValue, SEAL_KEY_ID_HEADER } from '../seal/sealed-value-v1.js';
import type { SequencedRecord } from './window.js';

/**
 * Opens `record` if it is sealed, with the AAD of the chain's topic (`topic`: a copy read through
 * `sourceTopic` opens as the original). Throws SealError naming the record (seq, partition,
 * offset) when it does not open; it never returns unauthenticated bytes.
 */
export function openSealedRecord(topic: string, record: SequencedRecord, keyring: Keyring): SequencedRecord {
  let header: Buffer | null | undefined;
  let count = 0;
  for (const h of record.headers) {
    if (h.name === SEAL_KEY_ID_HEADER) {
      header = h.value;
      count++;
    }
  }
  if (count === 0) return record;
  try {
    if (count > 1) throw new SealError('SEQCHAIN_ERR_SEAL_MALFORMED', `the ${SEAL_KEY_ID_HEADER} header appears ${count} times`, { reason: 'repeated_header' });
    const keyId = keyIdOfHeader(header ?? null);
    if (record.value === null)
      throw new SealError('SEQCHAIN_ERR_SEAL_MALFORMED', `sealed with key ${keyId} but the value is null`, { keyId, reason: 'null_value' });
    const value = openSealedValue(keyring, topic, keyId, record.value);
    return { ...record, value, sealed: { keyId, value: record.value } };
  } catch (err) {
    if (!(err instanceof SealError)) throw err;
    const { seq, partition, offset } = record;
    throw new SealError(err.code, `seq ${seq} (partition ${partition}, offset ${offset}): ${err.message}`, {
      ...err.details,
      topic,
      seq: seq.toString(),
      partition,
      offset: offset.toString(),
    });
  }
}
