/**
 * `npm run chaos -- --short` as CI runs it: a child process that starts its own stack (own
 * ports, own work folder .stack-chaos/, so the shared stack is not disturbed), injects every
 * fault kind under load, checks the whole history, and ends with one JSON line.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO } from '../../../scripts/lib/replica-set.js';
import { FAULT_NAMES } from '../../../chaos/lib/plan.js';

function runChaos(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn('bash', ['chaos/chaos.sh', ...args], { cwd: REPO, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (process.env.CHAOS_TEST_ECHO) process.stderr.write(d);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', rej);
    child.on('exit', (code) => res({ code, stdout, stderr }));
  });
}

describe('chaos suite, short (own stack on its own ports)', () => {
  it('every fault kind under load, then the whole history checks out: exit 0, JSON last line with 0 violations', async () => {
    const out = await runChaos(['--short']);
    const lines = out.stdout.trim().split('\n');
    const last = lines[lines.length - 1] ?? '';
    let result: {
      seed: number;
      records: number;
      faults: Record<string, number>;
      violations: number;
      worstRecoveryMs: Record<string, number | null>;
      violationList?: string[];
    };
    try {
      result = JSON.parse(last);
    } catch {
      throw new Error(
        `last line of stdout is not JSON: ${last}\n--- stdout tail:\n${lines.slice(-30).join('\n')}\n--- stderr tail:\n${out.stderr.trim().split('\n').slice(-20).join('\n')}`,
      );
    }
    process.stderr.write(`chaos --short: ${last}\n`);
    expect(result.violationList ?? []).toEqual([]);
    expect(result.violations).toBe(0);
    expect(out.code).toBe(0);
    expect(result.records).toBeGreaterThan(0);
    for (const name of FAULT_NAMES) {
      expect(result.faults[name], `fault ${name} injected`).toBeGreaterThanOrEqual(1);
      expect(result.worstRecoveryMs[name], `fault ${name} recovered`).toEqual(expect.any(Number));
    }
  }, 480_000);
});
