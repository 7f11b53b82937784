/** Plain-text tables and number formats for the benchmark's report. Pure. */

export type Align = 'left' | 'right';

/**
 * A table with a header row, a rule under it, and columns padded to their widest cell. Columns
 * align right unless `align` says otherwise (text reads left, numbers right).
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    widths
      .map((w, c) => {
        const cell = cells[c] ?? '';
        return (align[c] ?? (c === 0 ? 'left' : 'right')) === 'left' ? cell.padEnd(w) : cell.padStart(w);
      })
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** 12345.6 → "12,346"; NaN → "n/a". */
export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

/** A ratio with 2 decimals: 0.8123 → "0.81"; NaN → "n/a". */
export function fmtRatio(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : 'n/a';
}

/** A fraction as a signed-free percentage with one decimal: 0.0734 → "7.3%"; NaN → "n/a". */
export function fmtPct(n: number): string {
  return Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : 'n/a';
}

/** Milliseconds, one decimal under 10 ms, whole above: 3.25 → "3.3", 41.7 → "42"; NaN → "n/a". */
export function fmtMs(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return Math.abs(n) < 10 ? n.toFixed(1) : Math.round(n).toString();
}

/** Rounds for the JSON result: whole numbers above 100, 3 significant digits below. */
export function roundFigure(n: number): number | null {
  if (!Number.isFinite(n)) return null;
  if (Math.abs(n) >= 100) return Math.round(n);
  return Number(n.toPrecision(3));
}
