import { describe, expect, it } from 'vitest';
import { tailTableLine } from '../../../src/cli/tail-format.js';
import { SealError } from '../../../src/errors.js';
import { openSealedRecord } from '../../../src/reader/open-sealed.js';
import { sequencedRecordJson } from '../../../src/reader/record-json.js';
import type { SequencedRecord } from '../../../src/reader/window.js';
import { Keyring } from '../../../src/seal/keyring.js';
import { SEAL_KEY_ID_HEADER, sealValue } from '../../../src/seal/sealed-value-v1.js';
import { thrown } from '../../helpers/thrown.js';

const ring = Keyring.fromKeys([{ id: 'k1', key: Buffer.alloc(32, 1) }]);
const TOPIC = 'orders';

function record(value: Buffer | null, headers: SequencedRecord['headers']): SequencedRecord {
  return { seq: 7n, topic: TOPIC, partition: 2, offset: 40n, timestampMs: 1n, key: null, value, headers, digest: Buffer.alloc(32), hash: Buffer.alloc(32, 3) };
}
const header = (v: string) => ({ name: SEAL_KEY_ID_HEADER, value: Buffer.from(v) });

describe('openSealedRecord (the reader with a keyring)', () => {
  it('a record without the header passes unchanged (the same object)', () => {
    const r = record(Buffer.from('plain'), [{ name: 'trace', value: Buffer.from('t') }]);
    expect(openSealedRecord(TOPIC, r, ring)).toBe(r);
  });

  it('a sealed record: plaintext as value, the stored envelope and key id under sealed, everything else as read', () => {
    const sealed = sealValue(ring, TOPIC, 'secret');
    const r = record(sealed.value, [{ name: 'trace', value: null }, header('k1')]);
    const opened = openSealedRecord(TOPIC, r, ring);
    expect(opened).toEqual({ ...r, value: Buffer.from('secret'), sealed: { keyId: 'k1', value: sealed.value } });
    expect(sequencedRecordJson(opened)).toMatchObject({ value: Buffer.from('secret').toString('base64'), sealed: { keyId: 'k1' } });
    expect(sequencedRecordJson(r)).not.toHaveProperty('sealed');
    expect(tailTableLine(opened)).toContain('value "secret"');
    expect(tailTableLine(opened)).toMatch(/\[opened, key k1\]\n$/);
  });

  it('errors name the record: seq, partition, offset in the message and details', () => {
    const other = sealValue(Keyring.fromKeys([{ id: 'k1', key: Buffer.alloc(32, 2) }]), TOPIC, 'x');
    const e = thrown(SealError, () => openSealedRecord(TOPIC, record(other.value, [header('k1')]), ring));
    expect(e.code).toBe('SEQCHAIN_ERR_SEAL_OPEN_FAILED');
    expect(e.message).toMatch(/^seq 7 \(partition 2, offset 40\): sealed value does not open with key k1 for topic orders/);
    expect(e.details).toEqual({ keyId: 'k1', topic: TOPIC, seq: '7', partition: 2, offset: '40' });

    const unknown = thrown(SealError, () => openSealedRecord(TOPIC, record(other.value, [header('k9')]), ring));
    expect(unknown.code).toBe('SEQCHAIN_ERR_SEAL_UNKNOWN_KEY');
    expect(unknown.details).toMatchObject({ keyId: 'k9', seq: '7', partition: 2, offset: '40' });
  });

  it.each([
    ['a repeated header', () => record(sealValue(ring, TOPIC, 'x').value, [header('k1'), header('k1')]), 'repeated_header'],
    ['a null value', () => record(null, [header('k1')]), 'null_value'],
    ['a header that is no key id', () => record(sealValue(ring, TOPIC, 'x').value, [header('k 1')]), 'bad_key_id'],
    ['a short value', () => record(Buffer.from('SCE1'), [header('k1')]), 'truncated'],
  ])('%s is SEQCHAIN_ERR_SEAL_MALFORMED at the record', (_what, make, reason) => {
    const e = thrown(SealError, () => openSealedRecord(TOPIC, make(), ring));
    expect(e.code).toBe('SEQCHAIN_ERR_SEAL_MALFORMED');
    expect(e.details).toMatchObject({ reason, seq: '7', partition: 2, offset: '40' });
    expect(e.message).toMatch(/^seq 7 \(partition 2, offset 40\): /);
  });
});
