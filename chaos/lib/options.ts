/**
 * The chaos driver's flags (commander): two profiles, the long default and `--short` for CI,
 * each flag overriding its profile. Validated and frozen. Pure (no I/O besides commander's own
 * help/usage output).
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { CLUSTER_FAULT_NAMES, FAULT_NAMES, SCENARIOS, type FaultName, type Scenario } from './plan.js';
import { randomSeed } from './prng.js';

export interface ChaosOptions {
  short: boolean;
  /** On the cluster stack (three brokers, a ZooKeeper ensemble), with its own fault kinds. */
  cluster: boolean;
  /** The fault kinds this run's stack can take: what the mixed phase draws from. */
  pool: FaultName[];
  /** PRNG seed of the mixed phase (targets and pauses too); printed so a run can be replayed. */
  seed: number;
  /** Records per second the producer offers, for the whole run. */
  rate: number;
  scenarios: Scenario[];
  /** Leader SIGKILLs of the leader-kill scenario. */
  kills: number;
  /** Random faults of the mixed phase. */
  mixedFaults: number;
  /** Replicas the set runs with between faults. */
  replicas: number;
  /** Source partitions at the start. */
  partitions: number;
  /** A fault that has not recovered after this long is a violation (`not-recovered`), ms. */
  recoveryTimeoutMs: number;
  /** ZooKeeper session timeout of the replicas (and the driver), ms. A SIGSTOP lasts longer. */
  zkSessionTimeoutMs: number;
  /** How long ZooKeeper and Kafka stay stopped, ms. */
  outageMs: number;
}

/** The long run: ≥ 50 leader kills, every other scenario, then 60 random faults (~20 min). */
export const longProfile = {
  rate: 1_000,
  kills: 50,
  mixedFaults: 60,
  replicas: 3,
  partitions: 12,
  recoveryTimeoutMs: 120_000,
  zkSessionTimeoutMs: 6_000,
  outageMs: 10_000,
} as const;

/** `--short` (CI): every fault kind at least once at a low rate; about 3–4 minutes with the stack start. */
export const shortProfile = {
  ...longProfile,
  rate: 500,
  kills: 3,
  mixedFaults: 3,
} as const;

/** `--cluster`: every single-node and cluster fault kind, fewer leader kills (each fault costs more on six JVMs). */
export const clusterLongProfile = {
  ...longProfile,
  kills: 10,
  mixedFaults: 40,
} as const;

/** `--cluster --short`: every fault kind once, two leader kills, 3 mixed faults. */
export const clusterShortProfile = {
  ...shortProfile,
  kills: 2,
} as const;

export class UsageError extends Error {
  override name = 'UsageError';

  /** 0 for --help (commander printed it), 2 for a bad flag. */
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

function whole(min: number) {
  return (raw: string): number => {
    const n = Number(raw.replace(/_/g, ''));
    if (!/^\d[\d_]*$/.test(raw) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number ≥ ${min}`);
    return n;
  };
}

function scenarioList(raw: string): Scenario[] {
  const out = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of out)
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new InvalidArgumentError(`unknown scenario ${JSON.stringify(s)} (one of ${SCENARIOS.join(', ')})`);
  if (out.length === 0) throw new InvalidArgumentError('needs at least one scenario');
  return [...new Set(out)] as Scenario[];
}

export function chaosCommand(): Command {
  return new Command('chaos')
    .description('Faults under a steady load, then a check of the whole history (npm run chaos)')
    .option('--short', 'CI variant: each fault kind at least once at a low rate')
    .option(
      '--cluster',
      'on the cluster stack (3 brokers, 3 ZooKeeper servers) with its fault kinds too: broker kills, ZooKeeper quorum loss, network partitions (needs root)',
    )
    .option('--seed <n>', 'seed of the random parts (default: random, printed)', whole(0))
    .option('--rate <n>', `records/s offered (default ${longProfile.rate}, --short ${shortProfile.rate})`, whole(1))
    .option('--scenarios <list>', `comma-separated, from: ${SCENARIOS.join(', ')} (default all)`, scenarioList)
    .option('--kills <n>', `leader SIGKILLs (default ${longProfile.kills}, --short ${shortProfile.kills})`, whole(0))
    .option('--mixed-faults <n>', `random faults of the mixed phase (default ${longProfile.mixedFaults}, --short ${shortProfile.mixedFaults})`, whole(0))
    .option('--replicas <n>', `replicas (default ${longProfile.replicas})`, whole(2))
    .option('--partitions <n>', `source partitions at the start (default ${longProfile.partitions})`, whole(1))
    .option('--recovery-timeout <ms>', `a fault not recovered after this is a violation (default ${longProfile.recoveryTimeoutMs})`, whole(1_000))
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
}

/** Parses `argv` (without node and the script). Throws UsageError on a bad flag. */
export function parseChaosArgs(argv: readonly string[]): Readonly<ChaosOptions> {
  const cmd = chaosCommand();
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) throw new UsageError(err.message, err.code === 'commander.helpDisplayed' ? 0 : 2);
    throw err;
  }
  const v = cmd.opts<{
    short?: boolean;
    cluster?: boolean;
    seed?: number;
    rate?: number;
    scenarios?: Scenario[];
    kills?: number;
    mixedFaults?: number;
    replicas?: number;
    partitions?: number;
    recoveryTimeout?: number;
  }>();
  const cluster = v.cluster ?? false;
  const p = cluster ? (v.short ? clusterShortProfile : clusterLongProfile) : v.short ? shortProfile : longProfile;
  const pool: FaultName[] = cluster ? [...FAULT_NAMES, ...CLUSTER_FAULT_NAMES] : [...FAULT_NAMES];
  const clusterOnly = (v.scenarios ?? []).filter((s) => !cluster && (CLUSTER_FAULT_NAMES as readonly string[]).includes(s));
  if (clusterOnly.length > 0) throw new UsageError(`--scenarios ${clusterOnly.join(',')} need --cluster (three brokers, a ZooKeeper ensemble)`);
  const options: ChaosOptions = {
    short: v.short ?? false,
    cluster,
    pool,
    seed: v.seed ?? randomSeed(),
    rate: v.rate ?? p.rate,
    scenarios: v.scenarios ?? [...pool, 'mixed'],
    kills: v.kills ?? p.kills,
    mixedFaults: v.mixedFaults ?? p.mixedFaults,
    replicas: v.replicas ?? p.replicas,
    partitions: v.partitions ?? p.partitions,
    recoveryTimeoutMs: v.recoveryTimeout ?? p.recoveryTimeoutMs,
    zkSessionTimeoutMs: p.zkSessionTimeoutMs,
    outageMs: p.outageMs,
  };
  if (options.seed > 0xffff_ffff) throw new UsageError(`--seed must be below 2^32, got ${options.seed}`);
  return Object.freeze(options);
}
