import { describe, expect, it } from 'vitest';
import { bytesPerRecord, cutLoopCeilingRps, cutMessageBytes, ledgerCeilingRps } from '../../../bench/lib/ledger-size.js';
import { encodeCutMessage } from '../../../src/wire/ledger-v1.js';

describe('ledger size arithmetic', () => {
  it('matches the encoder byte for byte', () => {
    const entries = Array.from({ length: 7 }, (_, i) => ({ partition: i % 3, offset: BigInt(i), timestampMs: 1n, digest: Buffer.alloc(32) }));
    const coverage = Array.from({ length: 12 }, () => ({ sourceNext: 0n, digestNext: 0n }));
    const buf = encodeCutMessage({
      epoch: 1n,
      cutId: 1n,
      firstSeq: 1n,
      lastSeq: 7n,
      prevHash: Buffer.alloc(32),
      headHash: Buffer.alloc(32),
      closedAtMs: 0n,
      coverage,
      entries,
    });
    expect(cutMessageBytes(12, 7)).toBe(buf.length);
  });

  it('per-record bytes tend to 52 as cuts grow', () => {
    expect(bytesPerRecord(12, 5000)).toBeCloseTo(52.06, 2);
    expect(bytesPerRecord(12, 10)).toBeCloseTo(52 + (117 + 16 * 12) / 10, 6);
  });

  it('ceilings', () => {
    expect(ledgerCeilingRps(52_000_000, 52)).toBe(1_000_000);
    expect(cutLoopCeilingRps(10, 5000)).toBe(500_000);
  });
});
