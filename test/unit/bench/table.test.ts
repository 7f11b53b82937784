import { describe, expect, it } from 'vitest';
import { fmtInt, fmtMs, fmtPct, fmtRatio, formatTable, roundFigure } from '../../../bench/lib/table.js';

describe('table formatting', () => {
  it('pads columns to the widest cell, first column left, the rest right', () => {
    const t = formatTable(
      ['figure', 'median'],
      [
        ['chain limit', '512,000'],
        ['x', '9'],
      ],
    );
    expect(t.split('\n')).toEqual(['figure        median', '-----------  -------', 'chain limit  512,000', 'x                  9']);
  });

  it('takes explicit alignments and tolerates short rows', () => {
    const t = formatTable(['a', 'b'], [['1']], ['right', 'left']);
    expect(t.split('\n')).toEqual(['a  b', '-  -', '1']);
  });

  it('formats numbers, and NaN as n/a', () => {
    expect(fmtInt(12345.6)).toBe('12,346');
    expect(fmtInt(Number.NaN)).toBe('n/a');
    expect(fmtRatio(0.8123)).toBe('0.81');
    expect(fmtPct(0.0734)).toBe('7.3%');
    expect(fmtMs(3.25)).toBe('3.3');
    expect(fmtMs(41.7)).toBe('42');
    expect(fmtMs(Number.POSITIVE_INFINITY)).toBe('n/a');
  });

  it('rounds JSON figures: whole above 100, 3 significant digits below, null for NaN', () => {
    expect(roundFigure(123456.7)).toBe(123457);
    expect(roundFigure(0.81234)).toBe(0.812);
    expect(roundFigure(12.345)).toBe(12.3);
    expect(roundFigure(Number.NaN)).toBeNull();
  });
});
