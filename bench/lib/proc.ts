/**
 * Resident memory and CPU time of a process, from Linux's /proc. Elsewhere each reads NaN:
 * the benchmark then reports "n/a" rather than a made-up figure.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../scripts/lib/replica-set.js';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** Resident set size of a process, MiB (VmRSS of /proc/<pid>/status). */
export function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU time a process has used so far (user + system), seconds. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    return parseCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return Number.NaN;
  }
}

/** utime + stime of one /proc/<pid>/stat line, seconds (the command name may hold spaces). */
export function parseCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0: utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : Number.NaN;
}

/** Where scripts/stack.sh keeps the local stack (its pid files). */
export const STACK_DIR = process.env.SEQCHAIN_STACK_DIR ?? join(REPO, '.stack');

/** A process of the local stack (scripts/stack.sh writes their pids), for its CPU share. */
export function stackPid(component: 'kafka' | 'redis' | 'zookeeper'): number | undefined {
  try {
    const pid = Number(readFileSync(join(STACK_DIR, component, `${component}.pid`), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
