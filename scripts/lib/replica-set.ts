/**
 * Local orchestration of seqchain replicas as real OS processes (`seqchain run`), for the demo,
 * the integration tests and the benchmarks: start, SIGKILL, SIGTERM, and read the chain's
 * znodes (leader, counter) to see what the replica set is doing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { connectZk } from '../../src/coordination/connect.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { readCounter, type CounterValue } from '../../src/coordination/counter.js';
import { listCandidates } from '../../src/coordination/election.js';
import { readLeader, type LeaderInfo } from '../../src/coordination/leader.js';
import { listMembers, type MemberInfo } from '../../src/coordination/members.js';
import { chainPaths, type ChainPaths } from '../../src/coordination/paths.js';
import type { ZkSession } from '../../src/coordination/zk-session.js';
import { createLogger, type Logger } from '../../src/log.js';

/** The repository root: the nearest folder above this file with a package.json. */
export const REPO = findRepo(fileURLToPath(new URL('.', import.meta.url)));
/** The compiled CLI (`npm run build`), whether this file runs from dist/ or from source. */
export const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');

function findRepo(dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, 'package.json'))) return d;
  throw new Error(`no package.json above ${dir}`);
}

export interface ReplicaProcess {
  id: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  logFile: string;
}

export interface ReplicaSetOptions {
  chain: string;
  logDir: string;
  /** Extra environment for every replica (e.g. SEQCHAIN_WORKER_SESSION_TIMEOUT_MS). */
  env?: Record<string, string>;
  logger?: Logger;
  /**
   * Configuration of the set's own ZooKeeper reads (leader, counter, members). Default: loaded
   * from process.env for `chain`. Pass it when `env` points the replicas at another stack.
   */
  config?: Readonly<Config>;
}

export class ReplicaSet {
  readonly config: Readonly<Config>;
  readonly paths: ChainPaths;
  readonly replicas = new Map<string, ReplicaProcess>();
  private zk: ZkSession | null = null;
  readonly logger: Logger;

  constructor(private readonly options: ReplicaSetOptions) {
    this.logger = options.logger ?? createLogger({ level: 'warn', name: 'replica-set' });
    this.config = options.config ?? loadConfig({ overrides: { chain: options.chain } });
    this.paths = chainPaths(this.config.zookeeper.root, options.chain);
    mkdirSync(options.logDir, { recursive: true });
  }

  start(id: string): ReplicaProcess {
    const logFile = join(this.options.logDir, `${id}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(process.execPath, [CLI, 'run'], {
      // Port 0: every replica's API listens on a free port and publishes its URL in ZooKeeper.
      env: { ...process.env, SEQCHAIN_CHAIN: this.options.chain, SEQCHAIN_REPLICA_ID: id, SEQCHAIN_API_PORT: '0', ...this.options.env },
      stdio: ['ignore', fd, fd],
    });
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    const proc = { id, child, exited, logFile };
    this.replicas.set(id, proc);
    return proc;
  }

  async kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const proc = this.replicas.get(id);
    if (!proc) throw new Error(`no replica ${id}`);
    proc.child.kill(signal);
    await proc.exited;
    this.replicas.delete(id);
  }

  async stopAll(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<void> {
    const all = [...this.replicas.values()];
    for (const p of all) p.child.kill(signal);
    await Promise.race([Promise.all(all.map((p) => p.exited)), sleep(timeoutMs)]);
    for (const p of all) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(all.map((p) => p.exited));
    this.replicas.clear();
  }

  private async session(): Promise<ZkSession> {
    this.zk ??= await connectZk(this.config.zookeeper, this.logger);
    return this.zk;
  }

  async leader(): Promise<LeaderInfo | null> {
    return readLeader(await this.session(), this.paths);
  }

  async counter(): Promise<CounterValue | null> {
    return (await readCounter(await this.session(), this.paths))?.value ?? null;
  }

  /** Replica ids in the election queue, in order (the first leads). */
  async candidates(): Promise<string[]> {
    return (await listCandidates(await this.session(), this.paths)).map((c) => c.replicaId);
  }

  async members(): Promise<MemberInfo[]> {
    return listMembers(await this.session(), this.paths);
  }

  /** The HTTP API address a running replica published in its member znode. */
  async apiUrl(id: string, timeoutMs = 30_000): Promise<string> {
    return waitFor(
      `replica ${id} publishes its API address`,
      async () => (await this.members()).find((m) => m.replicaId === id && m.apiAddress)?.apiAddress,
      timeoutMs,
    );
  }

  /** Sequenced so far, according to the counter znode (the ledger itself is checked by verify). */
  async sequenced(): Promise<number> {
    const c = await this.counter();
    return c ? Number(c.nextSeq - 1n) : 0;
  }

  async close(): Promise<void> {
    await this.stopAll();
    await this.zk?.close();
    this.zk = null;
  }
}

/** Polls `check` until it returns a value other than undefined/false, or throws after timeoutMs. */
export async function waitFor<T>(label: string, check: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await sleep(intervalMs);
  }
}

/** Runs the CLI to completion; returns exit code and stdout. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', rej);
    child.on('exit', (code) => res({ code, stdout, stderr }));
  });
}
