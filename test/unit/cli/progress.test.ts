import { describe, expect, it } from 'vitest';
import { Progress } from '../../../src/cli/progress.js';

function sink() {
  const lines: string[] = [];
  return { lines, stream: { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream };
}

describe('progress lines', () => {
  it('prints count, percentage, rate and ETA, then a final line without ETA', async () => {
    const { lines, stream } = sink();
    const p = new Progress('produce t', 1000, 0, 0, stream);
    await new Promise((r) => setTimeout(r, 20));
    p.update(250);
    p.finish(1000);
    expect(lines[0]).toMatch(/^produce t: 250\/1,000 \(25\.0%\) ETA \d+s [\d,]+\/s \d+\.\ds\n$/);
    expect(lines[1]).toMatch(/^produce t: 1,000\/1,000 \(100\.0%\) [\d,]+\/s/);
    expect(lines[1]).not.toContain('ETA');
  });

  it('does not count work done before it started in the rate', async () => {
    const { lines, stream } = sink();
    const p = new Progress('x', null, 1_000_000, 0, stream);
    await new Promise((r) => setTimeout(r, 50));
    p.finish(1_000_010);
    const rate = Number(/ ([\d,]+)\/s/.exec(lines[0]!)![1]!.replace(/,/g, ''));
    expect(rate).toBeLessThan(1_000);
  });

  it('says whether it has printed a line, so a short task can stay silent', () => {
    const { lines, stream } = sink();
    const p = new Progress('x', 10, 0, 60_000, stream);
    p.update(5);
    expect(p.shown).toBe(false);
    expect(lines).toEqual([]);
    p.finish(10);
    expect(p.shown).toBe(true);
  });
});
