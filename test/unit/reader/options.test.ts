import { describe, expect, it } from 'vitest';
import { SeqchainError } from '../../../src/errors.js';
import { readerKafkaClient, type SequencedReaderOptions, settleOptions } from '../../../src/reader/options.js';

const hash = Buffer.alloc(32, 1);
const base: SequencedReaderOptions = { kafka: { brokers: ['h:1'] }, chain: 'c', genesisHash: hash };

function usage(o: Partial<SequencedReaderOptions>): string {
  try {
    settleOptions({ ...base, ...o } as SequencedReaderOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(SeqchainError);
    expect((err as SeqchainError).code).toBe('SEQCHAIN_ERR_USAGE');
    return (err as SeqchainError).message;
  }
  throw new Error('accepted');
}

describe('settleOptions', () => {
  it('defaults: from seq 1 to the head, no resume, deleted ranges refused', () => {
    expect(settleOptions(base)).toEqual({
      genesisHash: hash,
      firstSeq: 1n,
      resume: null,
      until: 'head',
      skipDeleted: false,
      bufferRecords: 8_192,
      pollIntervalMs: 500,
      sourceThread: true,
    });
  });

  it('resume starts after the persisted seq; hashes may be hex', () => {
    const s = settleOptions({ ...base, genesisHash: hash.toString('hex'), resume: { seq: 10n, hash: hash.toString('hex') }, until: 'follow' });
    expect(s).toMatchObject({ genesisHash: hash, firstSeq: 11n, resume: { seq: 10n, hash }, until: 'follow' });
  });

  it('refuses what cannot be read', () => {
    expect(usage({ chain: '' })).toMatch(/chain/);
    expect(usage({ genesisHash: undefined })).toMatch(/exactly one of genesis/);
    expect(usage({ genesisHash: 'abcd' })).toMatch(/genesisHash must be 32 bytes/);
    expect(usage({ from: 0n })).toMatch(/from must be/);
    expect(usage({ from: 2n, resume: { seq: 1n, hash } })).toMatch(/from or resume/);
    expect(usage({ resume: { seq: -1n, hash } })).toMatch(/resume.seq/);
    expect(usage({ resume: { seq: 1n, hash: Buffer.alloc(31) } })).toMatch(/resume.hash/);
    expect(usage({ from: 10n, until: 5n })).toMatch(/until/);
    expect(usage({ bufferRecords: 0 })).toMatch(/bufferRecords/);
    expect(usage({ sourceThread: 'yes' as unknown as boolean })).toMatch(/sourceThread must be a boolean/);
  });
});

describe('readerKafkaClient', () => {
  it("completes the replicas' client settings with the reader's defaults", () => {
    const c = readerKafkaClient({ brokers: ['h:1'], ssl: true, tls: { caFile: '/ca.pem' }, sasl: { mechanism: 'plain', username: 'u', password: 'p' } });
    expect(c).toMatchObject({
      brokers: ['h:1'],
      ssl: true,
      tls: { caFile: '/ca.pem', rejectUnauthorized: true },
      sasl: { mechanism: 'plain' },
      clientId: 'seqchain',
    });
  });

  it('needs a broker', () => {
    expect(() => readerKafkaClient({ brokers: [] })).toThrow(/kafka.brokers/);
  });
});
