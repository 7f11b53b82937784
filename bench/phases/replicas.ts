/**
 * seqchain replicas for the benchmark: a ReplicaSet (scripts/lib/replica-set.ts) of real
 * `seqchain run` processes, started and waited on until the set is steady: a leader has
 * reconciled the counter under its epoch and every worker holds its final share of partitions.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO, ReplicaSet, waitFor } from '../../scripts/lib/replica-set.js';
import type { Logger } from '../../src/log.js';
import { cpuSeconds, rssMb } from '../lib/proc.js';

const CPU_PROFILE_PRELOAD = fileURLToPath(new URL('../child/cpu-profile.js', import.meta.url));

export interface BenchReplicas {
  set: ReplicaSet;
  ids: string[];
}

export function startReplicas(opts: {
  chain: string;
  replicas: number;
  logger: Logger;
  cpuProfDir: string | null;
  /** Extra environment of every replica (the log-view phase switches the view on with it). */
  env?: Record<string, string>;
}): BenchReplicas {
  // Replicas log as in production (info) unless BENCH_REPLICA_LOG_LEVEL says otherwise (debug: one line per cut).
  const env: Record<string, string> = { SEQCHAIN_LOG_LEVEL: process.env.BENCH_REPLICA_LOG_LEVEL ?? 'info', ...opts.env };
  // The replicas' own Node options (V8's heap sizes, docs/PERFORMANCE.md), apart from the bench process's.
  const nodeOptions = process.env.BENCH_REPLICA_NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? '';
  if (nodeOptions !== '') env.NODE_OPTIONS = nodeOptions;
  if (opts.cpuProfDir) {
    // Node refuses --cpu-prof in NODE_OPTIONS: a preloaded module runs the profiler instead.
    mkdirSync(opts.cpuProfDir, { recursive: true });
    env.BENCH_CPU_PROF_DIR = opts.cpuProfDir;
    env.NODE_OPTIONS = `${nodeOptions} --import ${pathToFileURL(CPU_PROFILE_PRELOAD).href}`.trim();
  }
  const set = new ReplicaSet({ chain: opts.chain, logDir: logDirOf(opts.chain), logger: opts.logger, env });
  const ids: string[] = [];
  for (let i = 1; i <= opts.replicas; i++) {
    const id = `${opts.chain}-r${i}`;
    set.start(id);
    ids.push(id);
  }
  return { set, ids };
}

/** True once a leader leads under the counter's epoch and the partitions are spread over every worker that can hold one. */
export async function isSteady(r: BenchReplicas, partitions: number): Promise<boolean> {
  const [leader, counter, members] = await Promise.all([r.set.leader(), r.set.counter(), r.set.members()]);
  if (!leader || !counter || counter.epoch !== leader.epoch || leader.epoch < 1n) return false;
  // A member node of a killed process outlives it by its ZooKeeper session: only the live
  // process's own node counts (a restarted replica joins the election after its worker is assigned).
  const live = (m: { replicaId: string; pid: number }) => r.set.replicas.get(m.replicaId)?.child.pid === m.pid;
  const holders = members.filter((m) => m.partitions.length > 0 && live(m));
  if (holders.length !== Math.min(r.ids.length, partitions)) return false;
  const all = new Set(holders.flatMap((m) => m.partitions));
  return all.size === partitions && holders.reduce((n, m) => n + m.partitions.length, 0) === partitions;
}

export async function waitSteady(r: BenchReplicas, partitions: number, timeoutMs = 90_000): Promise<void> {
  await waitFor(
    'a steady replica set (leader + every worker assigned)',
    async () => {
      const dead = [...r.set.replicas.values()].find((p) => p.child.exitCode !== null);
      if (dead) throw new Error(`replica ${dead.id} exited with code ${dead.child.exitCode}; see ${dead.logFile}`);
      return isSteady(r, partitions);
    },
    timeoutMs,
    200,
  );
}

export async function leaderPid(r: BenchReplicas): Promise<{ id: string; pid: number | undefined }> {
  const leader = await r.set.leader();
  const id = leader?.replicaId ?? '';
  return { id, pid: r.set.replicas.get(id)?.child.pid };
}

/** RSS (MiB) and CPU seconds of every replica process, keyed by replica id. */
export function sampleReplicas(r: BenchReplicas): Map<string, { rssMb: number; cpuS: number }> {
  const out = new Map<string, { rssMb: number; cpuS: number }>();
  for (const [id, p] of r.set.replicas) out.set(id, { rssMb: rssMb(p.child.pid), cpuS: cpuSeconds(p.child.pid) });
  return out;
}

export async function stopReplicas(r: BenchReplicas): Promise<void> {
  await r.set.close();
  await sleep(10);
}

/** Where the bench's replicas of `chain` write their logs. */
function logDirOf(chain: string): string {
  return join(REPO, '.stack', 'bench', chain);
}

/** The text of every replica log of `chain` (restarted processes append to the same file). */
export function replicaLogs(chain: string): string[] {
  const dir = logDirOf(chain);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}
