/**
 * The benchmark's flags: defaults in one object, parsed from argv, validated, frozen. Pure.
 */
import { parseArgs } from 'node:util';

export const PHASES = ['chain', 'client', 'one-partition', 'seqchain', 'reader', 'verify', 'ordered', 'log-view', 'latency', 'knee', 'failover'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchOptions {
  /** Records in the backlog every throughput figure is measured on. */
  records: number;
  /** Partitions of the source topic. */
  partitions: number;
  /** Value size, bytes. */
  size: number;
  /** Distinct keys (0 = null keys). */
  keys: number;
  /** Headers per record. */
  headers: number;
  /** seqchain replicas, and consumer processes of the client ceiling. */
  replicas: number;
  /** Repetitions of every figure (the report shows the median and the spread). */
  repeat: number;
  /** Offered loads of the latency runs, records/s. */
  loads: number[];
  /** Length of each latency run, s. */
  latencySeconds: number;
  /** Load offered before the latency runs of a repetition and not measured, s. */
  warmupSeconds: number;
  /** Soak run at `soakRate` after everything else, minutes; 0 = none. */
  soakMinutes: number;
  soakRate: number;
  /** Inclusion proofs timed per repetition by the log-view phase (and a quarter as many consistency proofs). */
  proofs: number;
  /** Offered load under which the log-view phase measures the checkpoint lag, records/s. */
  lagRate: number;
  /** Runs the knee's search adds to each latency session after --loads (phase knee). */
  kneeSteps: number;
  /** Leader SIGKILLs of the failover phase (once per run, after the repetitions). */
  kills: number;
  /** Phases to run (default all). */
  phases: Phase[];
  /** Write V8 CPU profiles of the replicas (seqchain throughput phase) to this folder. */
  cpuProfDir: string | null;
  /** Folder of the JSON results. */
  outDir: string;
  /** Keep the benchmark's topics afterwards (default: delete them). */
  keep: boolean;
  help: boolean;
}

export const benchDefaults = {
  records: 1_000_000,
  partitions: 12,
  size: 200,
  keys: 1_000,
  headers: 2,
  replicas: 3,
  repeat: 3,
  loads: [5_000, 20_000, 50_000],
  latencySeconds: 10,
  warmupSeconds: 2,
  soakMinutes: 0,
  soakRate: 20_000,
  proofs: 2_000,
  lagRate: 20_000,
  kneeSteps: 3,
  kills: 5,
  phases: [...PHASES],
  cpuProfDir: null,
  outDir: 'bench/results',
  keep: false,
  help: false,
} satisfies BenchOptions;

export const USAGE = `npm run bench -- [options]

  --records <n>          records in the backlog (default 1000000)
  --partitions <n>       partitions of the source topic (default 12)
  --size <bytes>         value size (default 200)
  --keys <n>             distinct keys, 0 = null keys (default 1000)
  --headers <n>          headers per record (default 2)
  --replicas <n>         seqchain replicas = client-ceiling consumer processes (default 3)
  --repeat <n>           repetitions of every figure, ≥ 1; the issue asks for ≥ 3 (default 3)
  --loads <list>         offered loads of the latency runs, records/s (default 5000,20000,50000)
  --latency-seconds <s>  length of each latency run (default 10)
  --warmup-seconds <s>   unmeasured load before the latency runs (default 2)
  --soak-minutes <m>     soak run at --soak-rate, RSS at start and end; 0 = off (default 0)
  --soak-rate <n>        records/s of the soak (default 20000)
  --proofs <n>           inclusion proofs timed per repetition by log-view, plus n/4 consistency proofs (default 2000)
  --lag-rate <n>         records/s offered while log-view measures the checkpoint lag, for --latency-seconds; 0 = no lag session (default 20000)
  --knee-steps <n>       latency runs the knee's search adds after --loads, per repetition (default 3)
  --kills <n>            leader SIGKILLs of the failover phase, then as many worker SIGKILLs, once per run (default 5)
  --phases <list>        ${PHASES.join(',')} (default all; reader, verify and ordered need seqchain, knee needs latency); none: only the soak
  --cpu-prof <dir>       write V8 CPU profiles of the replicas of the seqchain phase (and of verify) to <dir>
  --out <dir>            folder of the JSON result (default bench/results)
  --keep                 keep the benchmark's topics (default: deleted at the end)
  -h, --help`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function int(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.replace(/_/g, ''))) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const n = Number(raw.replace(/_/g, ''));
  if (n < min || !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be at least ${min}, got ${raw}`);
  return n;
}

function num(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

export function parseBenchArgs(argv: readonly string[]): Readonly<BenchOptions> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        records: { type: 'string' },
        partitions: { type: 'string' },
        size: { type: 'string' },
        keys: { type: 'string' },
        headers: { type: 'string' },
        replicas: { type: 'string' },
        repeat: { type: 'string' },
        loads: { type: 'string' },
        'latency-seconds': { type: 'string' },
        'warmup-seconds': { type: 'string' },
        'soak-minutes': { type: 'string' },
        'soak-rate': { type: 'string' },
        proofs: { type: 'string' },
        'lag-rate': { type: 'string' },
        kills: { type: 'string' },
        'knee-steps': { type: 'string' },
        phases: { type: 'string' },
        'cpu-prof': { type: 'string' },
        out: { type: 'string' },
        keep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  const d = benchDefaults;
  const loads = v.loads === undefined ? d.loads : v.loads.split(',').map((s) => int('loads', s.trim(), 0, 1));
  const phases =
    v.phases === undefined
      ? d.phases
      : v.phases === 'none'
        ? []
        : v.phases.split(',').map((s) => {
            const p = s.trim();
            if (!(PHASES as readonly string[]).includes(p)) throw new UsageError(`--phases: unknown phase ${JSON.stringify(p)} (one of ${PHASES.join(', ')})`);
            return p as Phase;
          });
  // The reader reads the chain that the seqchain phase of the same repetition sequenced.
  for (const p of ['reader', 'verify'] as const)
    if (phases.includes(p) && !phases.includes('seqchain')) throw new UsageError(`--phases: ${p} needs seqchain (it reads the chain that phase sequences)`);
  // The knee's search goes on from the latency runs of the same session.
  if (phases.includes('knee') && !phases.includes('latency')) throw new UsageError('--phases: knee needs latency (its search continues the latency runs)');
  const options: BenchOptions = {
    records: int('records', v.records, d.records, 1),
    partitions: int('partitions', v.partitions, d.partitions, 1),
    size: int('size', v.size, d.size, 0),
    keys: int('keys', v.keys, d.keys, 0),
    headers: int('headers', v.headers, d.headers, 0),
    replicas: int('replicas', v.replicas, d.replicas, 1),
    repeat: int('repeat', v.repeat, d.repeat, 1),
    loads,
    latencySeconds: num('latency-seconds', v['latency-seconds'], d.latencySeconds, 0.1),
    warmupSeconds: num('warmup-seconds', v['warmup-seconds'], d.warmupSeconds, 0),
    soakMinutes: num('soak-minutes', v['soak-minutes'], d.soakMinutes, 0),
    soakRate: int('soak-rate', v['soak-rate'], d.soakRate, 1),
    proofs: int('proofs', v.proofs, d.proofs, 1),
    lagRate: int('lag-rate', v['lag-rate'], d.lagRate, 0),
    kills: int('kills', v.kills, d.kills, 1),
    kneeSteps: int('knee-steps', v['knee-steps'], d.kneeSteps, 0),
    phases: [...new Set(phases)],
    cpuProfDir: v['cpu-prof'] ?? d.cpuProfDir,
    outDir: v.out ?? d.outDir,
    keep: v.keep ?? false,
    help: v.help ?? false,
  };
  return Object.freeze(options);
}
