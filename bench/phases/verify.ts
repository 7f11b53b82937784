/**
 * The verify phase (issue 14): `seqchain verify --json`, the real CLI in a process of its own,
 * from the genesis over the chain the seqchain phase just sequenced (ledger and source topic,
 * every link, digest and position recomputed). Two rates: over the process's whole life, as a
 * user times the command (start-up included: Node, modules, config, the ZooKeeper genesis read),
 * and over the report's own `durationMs` (start-up excluded: from the first Kafka request to the
 * report, the consumer-group joins included). Also the highest RSS of the process.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI } from '../../scripts/lib/replica-set.js';
import { rssMb } from '../lib/proc.js';

export interface VerifyRunResult {
  /** Records ÷ the report's durationMs (start-up excluded), records/s. */
  rps: number;
  /** Records ÷ spawn → exit of the process (start-up included), records/s. */
  wallRps: number;
  wallMs: number;
  durationMs: number;
  maxRssMb: number;
}

/** What the bench needs of `verify --json`'s report. */
export interface VerifyReportFigures {
  ok: boolean;
  records: number;
  durationMs: number;
  firstBreak: { kind: string; message: string } | null;
}

/**
 * The figures of one verify run from its stdout (the report is the last line), or why they are
 * not usable: a broken chain, fewer records than sequenced. Pure.
 */
export function verifyFigures(stdout: string, expected: number, wallMs: number): { rps: number; wallRps: number; durationMs: number } {
  const last = stdout.trim().split('\n').pop() ?? '';
  let report: VerifyReportFigures;
  try {
    report = JSON.parse(last) as VerifyReportFigures;
  } catch {
    throw new Error(`verify printed no JSON report (last line ${JSON.stringify(last.slice(0, 200))})`);
  }
  if (!report.ok) throw new Error(`verify found the chain broken: ${report.firstBreak?.kind}: ${report.firstBreak?.message}`);
  if (report.records !== expected) throw new Error(`verify checked ${report.records} records, the chain holds ${expected}`);
  return { rps: (expected * 1000) / report.durationMs, wallRps: (expected * 1000) / wallMs, durationMs: report.durationMs };
}

export async function runVerify(opts: {
  label: string;
  chain: string;
  total: number;
  timeoutMs: number;
  /** Node options of the process (a CPU profile: --cpu-prof --cpu-prof-dir=…). */
  execArgv?: string[];
  /** Another build's CLI (an A/B against an older checkout). @defaultValue this build's */
  cli?: string;
}): Promise<VerifyRunResult> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...(opts.execArgv ?? []), opts.cli ?? CLI, 'verify', '--chain', opts.chain, '--json'], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  // Progress lines, kept only to name a failure.
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  let maxRss = 0;
  const deadline = startedAt + opts.timeoutMs;
  while (child.exitCode === null && child.signalCode === null) {
    const rss = rssMb(child.pid);
    if (rss > maxRss) maxRss = rss;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${opts.label}: seqchain verify took more than ${opts.timeoutMs} ms`);
    }
    await Promise.race([exited, sleep(50)]);
  }
  const wallMs = performance.now() - startedAt;
  const code = await exited;
  // Exit 1 is a broken chain: the report says why (verifyFigures names it).
  if (code !== 0 && code !== 1) throw new Error(`${opts.label}: seqchain verify exited with code ${code}: ${stderr.trim().split('\n').pop()}`);
  return { ...verifyFigures(stdout, opts.total, wallMs), wallMs, maxRssMb: maxRss };
}
