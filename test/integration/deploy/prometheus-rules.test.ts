import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SeqchainMetrics } from '../../../src/metrics/metrics.js';
import { readYamlDocuments } from '../../unit/deploy/render.js';

/**
 * deploy/prometheus against Prometheus's own tool (Debian's `prometheus` package, installed by
 * scripts/lib/prometheus.sh) and against the metrics the code exports: an alert on a metric
 * name that no replica exports would never fire, and promtool cannot know that.
 */

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'deploy', 'prometheus');
const RULES = join(DIR, 'seqchain.rules.yml');

function promtool(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`promtool: ${r.error.message} (install it: bash scripts/lib/prometheus.sh)`);
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('deploy/prometheus', () => {
  it('passes promtool check rules', () => {
    const r = promtool('check', 'rules', RULES);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it("passes the alerts' unit tests (promtool test rules)", () => {
    const r = promtool('test', 'rules', join(DIR, 'seqchain.rules.test.yml'));
    expect(r.out, r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('alerts on the five states the issue names, with metric names a replica exports', async () => {
    const [doc] = readYamlDocuments(RULES) as { groups: { rules: { alert: string; expr: string }[] }[] }[];
    const rules = doc!.groups.flatMap((g) => g.rules);
    for (const name of ['SeqchainNoLeader', 'SeqchainSequencingStalled', 'SeqchainPartitionLag', 'SeqchainVerificationFailures', 'SeqchainIndexBehind'])
      expect(rules.map((r) => r.alert)).toContain(name);
    const exported = new Set((await new SeqchainMetrics({ chain: 'c', replicaId: 'r' }).registry.getMetricsAsJSON()).map((m) => m.name));
    for (const rule of rules) {
      const used = rule.expr.match(/\bseqchain_[a-z_]+/g) ?? [];
      expect(used.length, rule.alert).toBeGreaterThan(0);
      for (const name of used) expect(exported.has(name), `${rule.alert}: ${name} is exported by src/metrics/metrics.ts`).toBe(true);
    }
    expect(execFileSync('promtool', ['--version'], { encoding: 'utf8' })).toMatch(/promtool, version \d/);
  });

  it('is refused by promtool when broken (the check is not a formality)', () => {
    const broken = readFileSync(RULES, 'utf8').replace('max by (chain) (seqchain_is_leader) == 0', 'max by (chain) (seqchain_is_leader == 0');
    expect(broken).not.toBe(readFileSync(RULES, 'utf8'));
    const file = join(mkdtempSync(join(tmpdir(), 'seqchain-rules-')), 'broken.rules.yml');
    writeFileSync(file, broken);
    expect(promtool('check', 'rules', file).status).not.toBe(0);
  });
});
