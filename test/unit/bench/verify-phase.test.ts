import { describe, expect, it } from 'vitest';
import { verifyFigures } from '../../../bench/phases/verify.js';

const report = (over: Record<string, unknown> = {}) => JSON.stringify({ ok: true, records: 300_000, durationMs: 3_000, firstBreak: null, ...over });

describe('verify phase figures', () => {
  it('divides the records by the report duration (after start-up) and by the process wall time', () => {
    expect(verifyFigures(`${report()}\n`, 300_000, 4_000)).toEqual({ rps: 100_000, wallRps: 75_000, durationMs: 3_000 });
  });

  it('reads the report from the last line', () => {
    expect(verifyFigures(`noise\n${report({ durationMs: 1_500 })}`, 300_000, 3_000).rps).toBe(200_000);
  });

  it('refuses a broken chain, a short count and a missing report, saying which', () => {
    expect(() => verifyFigures(report({ ok: false, firstBreak: { kind: 'digest-mismatch', message: 'seq 5' } }), 300_000, 1)).toThrow(
      /broken: digest-mismatch: seq 5/,
    );
    expect(() => verifyFigures(report({ records: 10 }), 300_000, 1)).toThrow(/checked 10 records, the chain holds 300000/);
    expect(() => verifyFigures('verify ledger: 1,000', 300_000, 1)).toThrow(/no JSON report/);
  });
});
