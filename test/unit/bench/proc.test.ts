import { describe, expect, it } from 'vitest';
import { cpuSeconds, parseCpuSeconds, rssMb } from '../../../bench/lib/proc.js';

describe('/proc readers', () => {
  it('takes utime + stime from a stat line whose command holds spaces and parentheses', () => {
    const line = '1234 (node (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 100 0 0';
    expect(parseCpuSeconds(line)).toBe(3);
  });

  it('reads this process on Linux, NaN for no pid', () => {
    if (process.platform === 'linux') {
      expect(rssMb(process.pid)).toBeGreaterThan(1);
      expect(cpuSeconds(process.pid)).toBeGreaterThanOrEqual(0);
    }
    expect(rssMb(undefined)).toBeNaN();
  });
});
