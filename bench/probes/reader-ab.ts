/**
 * Probe for docs/PERFORMANCE.md (the reader, issue 11): an A/B of the sequenced reader against
 * another build of it (an older checkout, built on its own) over a chain an earlier bench run
 * kept (`--keep`), alternating A B, B A, … in each round after one raw kafkajs process consumed
 * the same source topic (the phase's baseline). Prints one line per run and, at the end, a JSON
 * line with every figure.
 *
 *   node dist/bench/probes/reader-ab.js <chain> <records> <source topic> <partitions> <rounds> <A child.js> [B child.js]
 *
 * The B child defaults to this build's (bench/child/reader.js). PROBE_A_NODE_OPTIONS and
 * PROBE_B_NODE_OPTIONS (space-separated) set each child's Node options; A runs with none unless
 * told (an older build's child ran with Node's defaults), B with the phase's READER_NODE_OPTIONS
 * and READER_ENV (none of them when PROBE_B_NODE_OPTIONS is set, even empty).
 *
 * Run it as `node --import dist/bench/probes/cpu-report-hook.js dist/bench/probes/reader-ab.js …`
 * to also get CPU time per record (µs, all threads and the main thread alone) of every reader and
 * of the kafkajs process: on a machine other work loads, wall-clock rates are noise, CPU time less so.
 * PROBE_A_ENV and PROBE_B_ENV (k=v,…) add to each child's environment (e.g. BENCH_READER_HASH_WORKERS=0).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { runConsumers } from '../phases/consumers.js';
import { READER_ENV, READER_NODE_OPTIONS, runReader } from '../phases/reader.js';

const [chain, recordsRaw, source, partitionsRaw, roundsRaw, childA, childBArg] = process.argv.slice(2);
if (!chain || !recordsRaw || !source || !partitionsRaw || !roundsRaw || !childA) {
  process.stderr.write('usage: reader-ab.js <chain> <records> <source topic> <partitions> <rounds> <A child.js> [B child.js]\n');
  process.exit(2);
}
const total = Number(recordsRaw);
const partitions = Number(partitionsRaw);
const rounds = Number(roundsRaw);
const childB = childBArg ?? fileURLToPath(new URL('../child/reader.js', import.meta.url));
const flags = (v: string | undefined, fallback: string[]) => (v === undefined ? fallback : v.split(' ').filter((x) => x !== ''));
const envOf = (v: string | undefined): Record<string, string> =>
  Object.fromEntries(
    (v ?? '')
      .split(',')
      .filter((x) => x.includes('='))
      .map((kv) => kv.split('=', 2) as [string, string]),
  );
const variants = {
  A: { child: childA, execArgv: flags(process.env.PROBE_A_NODE_OPTIONS, []), env: envOf(process.env.PROBE_A_ENV) },
  B: {
    child: childB,
    execArgv: flags(process.env.PROBE_B_NODE_OPTIONS, READER_NODE_OPTIONS),
    // The phase's settings (Node options and MALLOC_ARENA_MAX) unless B's Node options are given.
    env: { ...(process.env.PROBE_B_NODE_OPTIONS === undefined ? READER_ENV : {}), ...envOf(process.env.PROBE_B_ENV) },
  },
};

const HOOK = fileURLToPath(new URL('./cpu-report-hook.js', import.meta.url));
const hooked = process.execArgv.some((a) => a.includes('cpu-report-hook'));
const cpuDir = hooked ? mkdtempSync(join(tmpdir(), 'reader-ab-cpu-')) : null;
if (cpuDir !== null) process.env.PROBE_CPU_DIR = cpuDir;

/** CPU µs per record of the process that ran `script` and exited since `since` (files of the hook), or null. */
function cpuPerRecord(script: string, since: Set<string>, records: number): { all: number; main: number | null } | null {
  if (cpuDir === null) return null;
  for (const f of readdirSync(cpuDir)) {
    if (since.has(f)) continue;
    since.add(f);
    const r = JSON.parse(readFileSync(join(cpuDir, f), 'utf8')) as {
      script: string;
      cpu: { user: number; system: number };
      thread: { user: number; system: number } | null;
    };
    if (!r.script.endsWith(script)) continue;
    return { all: (r.cpu.user + r.cpu.system) / records, main: r.thread === null ? null : (r.thread.user + r.thread.system) / records };
  }
  return null;
}

interface Run {
  round: number;
  cpuUsPerRecord: { all: number; main: number | null } | null;
  rawCpuUsPerRecord: { all: number; main: number | null } | null;
  variant: string;
  rps: number;
  maxRssMb: number;
  rawRps: number;
  ratio: number;
  load: string;
}

async function main(): Promise<void> {
  const runs: Run[] = [];
  const seen = new Set<string>();
  const heads = new Set<string>();
  for (let round = 1; round <= rounds; round++) {
    const raw = await runConsumers({
      label: `round ${round} one kafkajs process`,
      mode: 'consume',
      topic: source!,
      groupId: `${chain}.probe-raw.${Date.now()}`,
      processes: 1,
      partitions,
      total,
      timeoutMs: 600_000,
    });
    await sleep(500);
    const rawCpu = cpuPerRecord('child/consumer.js', seen, total);
    const order = round % 2 === 1 ? (['A', 'B'] as const) : (['B', 'A'] as const);
    for (const v of order) {
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      const variant = variants[v];
      const execArgv = cpuDir === null ? variant.execArgv : ['--import', HOOK, ...variant.execArgv];
      const r = await runReader({ label: `round ${round} reader ${v}`, chain: chain!, total, timeoutMs: 900_000, ...variant, execArgv });
      heads.add(r.head);
      await sleep(500);
      const cpu = cpuPerRecord(variant.child.replace(/^.*\/bench\//, ''), seen, total);
      const run = {
        round,
        variant: v,
        cpuUsPerRecord: cpu,
        rawCpuUsPerRecord: rawCpu,
        rps: Math.round(r.rps),
        maxRssMb: Math.round(r.maxRssMb),
        rawRps: Math.round(raw.rps),
        ratio: r.rps / raw.rps,
        load,
      };
      runs.push(run);
      process.stdout.write(`${JSON.stringify(run)}\n`);
    }
  }
  if (heads.size !== 1) throw new Error(`the readers ended at different heads: ${[...heads].join(', ')}`);
  const summary = (v: string) => {
    const xs = runs.filter((r) => r.variant === v);
    const med = (a: number[]) => {
      const s = [...a].sort((x, y) => x - y);
      return s[Math.floor((s.length - 1) / 2)]!;
    };
    return {
      rpsMedian: med(xs.map((r) => r.rps)),
      rpsMin: Math.min(...xs.map((r) => r.rps)),
      rpsMax: Math.max(...xs.map((r) => r.rps)),
      ratioMedian: Number(med(xs.map((r) => r.ratio)).toFixed(2)),
      ratioMin: Number(Math.min(...xs.map((r) => r.ratio)).toFixed(2)),
      ratioMax: Number(Math.max(...xs.map((r) => r.ratio)).toFixed(2)),
      rssMedian: med(xs.map((r) => r.maxRssMb)),
      rssMax: Math.max(...xs.map((r) => r.maxRssMb)),
      cpuUsPerRecordMedian: xs.every((r) => r.cpuUsPerRecord !== null) ? Number(med(xs.map((r) => r.cpuUsPerRecord!.all)).toFixed(2)) : null,
      mainThreadCpuUsPerRecordMedian: xs.every((r) => r.cpuUsPerRecord?.main != null) ? Number(med(xs.map((r) => r.cpuUsPerRecord!.main!)).toFixed(2)) : null,
    };
  };
  process.stdout.write(
    `${JSON.stringify({ A: summary('A'), B: summary('B'), rawRps: runs.filter((r) => r.variant === 'A').map((r) => r.rawRps), rawCpuUsPerRecord: runs.filter((r) => r.variant === 'A').map((r) => r.rawCpuUsPerRecord?.all ?? null) })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`reader-ab: ${(err as Error).stack}\n`);
    process.exit(1);
  },
);
