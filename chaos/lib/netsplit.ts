/**
 * Network partitions of one replica process, on this machine only: each replica the chaos run
 * starts is put in a cgroup of its own (cgroup v2), and a partition is an iptables rule in a
 * chain of the run's own that DROPs the TCP segments that cgroup's sockets send to the chosen
 * stack ports. Nothing is rejected or reset: the replica's connections just stop answering, as
 * across a real network split, and come back when the rule goes. Other processes (the driver,
 * the stack, the other replicas) are untouched. Needs root and iptables (chaos/chaos.sh installs
 * it for `--cluster`).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StackLayout } from './layout.js';

const run = promisify(execFile);

/** The iptables chain a run's rules live in (jumped to from OUTPUT): one per run, so runs side by side never touch each other's rules. */
export function chainName(runName: string): string {
  // iptables refuses chain names over 28 characters; the end of a run name is what differs.
  return `SQC-${runName.slice(-24)}`;
}

export type SplitFrom = 'zookeeper' | 'kafka' | 'redis';

/** The cgroup v2 mount point, from /proc/mounts (e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified). */
export function cgroup2Root(mounts: string): string | null {
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type] = line.split(' ');
    if (type === 'cgroup2' && mountPoint) return mountPoint;
  }
  return null;
}

/** The iptables arguments (after -A/-D CHAIN) that drop what cgroup `path` sends to `ports`. */
export function dropRule(path: string, ports: readonly number[]): string[] {
  // multiport takes at most 15 ports; a split names at most 7 (3 + 3 + 1).
  return ['-m', 'cgroup', '--path', path, '-p', 'tcp', '-m', 'multiport', '--dports', ports.join(','), '-j', 'DROP'];
}

export class NetSplit {
  /** Active rules per replica id, to heal exactly what was cut. */
  private readonly rules = new Map<string, string[][]>();
  private readonly groups = new Set<string>();

  private constructor(
    private readonly layout: StackLayout,
    private readonly chain: string,
    private readonly root: string,
    /** The run's cgroup, relative to the cgroup v2 root (what iptables' --path takes). */
    private readonly base: string,
  ) {}

  /** Makes the run's cgroup and an empty iptables chain; throws with what is missing. */
  static async open(layout: StackLayout, runName: string): Promise<NetSplit> {
    if (process.getuid?.() !== 0) throw new Error('network partitions need root (cgroups and iptables): run the cluster chaos suite as root');
    const root = cgroup2Root(readFileSync('/proc/mounts', 'utf8'));
    if (!root) throw new Error('network partitions need a cgroup v2 hierarchy, and /proc/mounts shows none');
    const base = `seqchain-${runName}`;
    const chain = chainName(runName);
    mkdirSync(join(root, base), { recursive: true });
    await iptables(['-N', chain]).catch(() => iptables(['-F', chain]));
    await iptables(['-C', 'OUTPUT', '-j', chain]).catch(() => iptables(['-I', 'OUTPUT', '1', '-j', chain]));
    return new NetSplit(layout, chain, root, base);
  }

  /** Puts a just-started replica process in its cgroup (before it opens a socket: sockets keep the cgroup they were made in). */
  place(replicaId: string, pid: number): void {
    const dir = join(this.root, this.base, replicaId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cgroup.procs'), String(pid));
    this.groups.add(replicaId);
  }

  /** Cuts the replica off from the named parts of the stack (adds to what is cut already). */
  async cut(replicaId: string, from: readonly SplitFrom[]): Promise<void> {
    const ports = from.flatMap((f) => (f === 'zookeeper' ? this.layout.zkPorts : f === 'kafka' ? this.layout.kafkaPorts : [this.layout.redisPort]));
    const rule = dropRule(`${this.base}/${replicaId}`, ports);
    await iptables(['-A', this.chain, ...rule]);
    this.rules.set(replicaId, [...(this.rules.get(replicaId) ?? []), rule]);
  }

  /** Removes every cut of the replica. */
  async heal(replicaId: string): Promise<void> {
    for (const rule of this.rules.get(replicaId) ?? []) await iptables(['-D', this.chain, ...rule]);
    this.rules.delete(replicaId);
  }

  /** Heals everything, removes the chain and (once their processes are gone) the cgroups. */
  async close(): Promise<void> {
    this.rules.clear();
    await iptables(['-D', 'OUTPUT', '-j', this.chain]).catch(() => undefined);
    await iptables(['-F', this.chain]).catch(() => undefined);
    await iptables(['-X', this.chain]).catch(() => undefined);
    for (const id of this.groups) {
      try {
        rmdirSync(join(this.root, this.base, id));
      } catch {
        // A process still in it (rmdir of a busy cgroup fails): left for the next run's purge.
      }
    }
    try {
      rmdirSync(join(this.root, this.base));
    } catch {
      // Same.
    }
  }
}

async function iptables(args: readonly string[]): Promise<void> {
  // -w: wait for the xtables lock instead of failing when another iptables runs.
  await run('iptables', ['-w', ...args]);
}
