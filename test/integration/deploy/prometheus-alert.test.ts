import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';

/**
 * A real Prometheus (Debian's binary, loopback, a temp folder) scrapes a real replica on the local
 * stack and evaluates deploy/prometheus/seqchain.rules.yml: SeqchainSequencingStalled stays quiet
 * while the chain sequences, fires once records wait on a paused chain, and clears on resume;
 * SeqchainNoLeader stays quiet through the pause (a paused chain has no running sequencer by design).
 * The rules are the real ones with every duration divided by SCALE (2m → 5 s), so the test takes
 * seconds, not minutes; the expressions are unchanged.
 */

const RULES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'deploy', 'prometheus', 'seqchain.rules.yml');
const SCALE = 24;
const TOKEN = 'prometheus-alert-test-token';
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** The rules file with every range and `for:` duration divided by SCALE. */
function timeScaled(text: string): string {
  const scale = (d: string) => {
    const [, n, unit] = /^(\d+)(ms|s|m|h)$/.exec(d)!;
    return `${Math.max(1, Math.round((Number(n) * UNIT_MS[unit!]!) / SCALE))}ms`;
  };
  return text.replace(/\[(\d+(?:ms|s|m|h))\]/g, (_m, d: string) => `[${scale(d)}]`).replace(/^(\s+for: )(\S+)$/gm, (_m, p: string, d: string) => p + scale(d));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

let prometheus: ChildProcess | null = null;
let fixture: ChainFixture | null = null;

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await fixture?.close();
});

describe('deploy/prometheus in a real Prometheus scraping a replica', () => {
  it('SeqchainSequencingStalled: quiet while sequencing, firing when records wait on a paused chain, cleared on resume', async () => {
    const started = Date.now();
    const f = (fixture = new ChainFixture({ SEQCHAIN_API_TOKEN: TOKEN }));
    await f.startSequenced(2, 200);
    const api = await f.set.apiUrl(`${f.chain}-r1`);

    const dir = mkdtempSync(join(tmpdir(), 'seqchain-prometheus-'));
    writeFileSync(join(dir, 'rules.yml'), timeScaled(readFileSync(RULES, 'utf8')));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
        'rule_files: [rules.yml]',
        'scrape_configs:',
        `  - { job_name: seqchain, metrics_path: /metrics, static_configs: [{ targets: ["${new URL(api).host}"] }] }`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const prom = `http://127.0.0.1:${port}`;
    const log = openSync(join(dir, 'prometheus.log'), 'a');
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', log, log] },
    );
    prometheus.once('error', (err) => console.error(`prometheus: ${err.message} (install it: bash scripts/lib/prometheus.sh)`));

    const query = async (q: string): Promise<number | undefined> => {
      const body = (await (await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { value: [number, string] }[] } };
      const v = body.data.result[0]?.value[1];
      return v === undefined ? undefined : Number(v);
    };
    const alerts = async (name: string): Promise<Alert[]> => {
      const body = (await (await fetch(`${prom}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } };
      return body.data.alerts.filter((a) => a.labels.alertname === name && a.labels.chain === f.chain);
    };
    const ops = (route: string, body?: unknown) =>
      fetch(`${api}/v1/ops/${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });

    await waitFor('Prometheus ready', async () => (await fetch(`${prom}/-/ready`).catch(() => null))?.ok, 30_000, 200);
    await waitFor('the replica scraped as leader', async () => (await query(`seqchain_is_leader{chain="${f.chain}"}`)) === 1, 30_000, 200);

    // Sequencing, nothing waiting: longer than the scaled window + for (5 s + 7.5 s), no alert.
    await f.produce(200);
    await waitFor('400 sequenced', async () => (await f.set.sequenced()) >= 400, 30_000);
    const quietUntil = Date.now() + 14_000;
    while (Date.now() < quietUntil) {
      expect(await alerts('SeqchainSequencingStalled')).toEqual([]);
      expect(await alerts('SeqchainNoLeader')).toEqual([]);
      await new Promise((r) => setTimeout(r, 1_000));
    }

    // Paused with records waiting: the lag gauge rises, no cut: the alert fires.
    expect((await ops('pause', { reason: 'prometheus alert test' })).status).toBe(200);
    await f.produce(300);
    await waitFor(
      'records waiting, as Prometheus sees it',
      async () => ((await query(`sum(seqchain_partition_lag_records{chain="${f.chain}"})`)) ?? 0) > 0,
      30_000,
      500,
    );
    await waitFor('SeqchainSequencingStalled firing', async () => (await alerts('SeqchainSequencingStalled')).some((a) => a.state === 'firing'), 60_000, 500);
    // No sequencer runs (is_leader 0) but the chain is paused: not a leaderless chain.
    expect(await query(`max(seqchain_is_leader{chain="${f.chain}"})`)).toBe(0);
    expect(await query(`max(seqchain_paused{chain="${f.chain}"})`)).toBe(1);
    expect(await alerts('SeqchainNoLeader')).toEqual([]);

    // Resumed: the waiting records are sequenced and the alert clears.
    expect((await ops('resume')).status).toBe(200);
    await waitFor('700 sequenced', async () => (await f.set.sequenced()) >= 700, 60_000);
    await waitFor('SeqchainSequencingStalled cleared', async () => (await alerts('SeqchainSequencingStalled')).length === 0, 60_000, 500);
    expect(await alerts('SeqchainNoLeader')).toEqual([]);
    console.log(`[figure] Prometheus alert test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 240_000);
});
