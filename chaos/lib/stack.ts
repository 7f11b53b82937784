/**
 * Stops and starts parts of the chaos run's own stack through scripts/stack.sh, with the
 * environment chaos/chaos.sh exported (SEQCHAIN_STACK_DIR, ports, and SEQCHAIN_STACK_CLUSTER for
 * `--cluster`). Refuses to act on the shared stack (<repo>/.stack): other people run tests on it.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { REPO } from '../../scripts/lib/replica-set.js';

export type Component = 'zookeeper' | 'kafka' | 'redis';

/** Throws unless SEQCHAIN_STACK_DIR names a work folder other than the shared one. */
export function assertOwnStack(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.SEQCHAIN_STACK_DIR;
  if (!dir) throw new Error('SEQCHAIN_STACK_DIR is not set: run the chaos suite through chaos/chaos.sh (it starts a stack of its own)');
  if (resolve(dir) === resolve(join(REPO, '.stack')))
    throw new Error(`SEQCHAIN_STACK_DIR is the shared stack (${dir}); the chaos suite stops components and needs its own`);
  return dir;
}

/** Runs `scripts/stack.sh <args>`; resolves with its output, rejects on a non-zero exit. */
function runStack(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  assertOwnStack();
  return new Promise((res, rej) => {
    const child = spawn('bash', [join(REPO, 'scripts', 'stack.sh'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', rej);
    child.on('exit', (code) =>
      code === 0 ? res(out) : rej(new Error(`stack.sh ${args.join(' ')} exited ${code}: ${out.trim().split('\n').slice(-5).join(' | ')}`)),
    );
  });
}

/** `stack.sh up|down` for every node of one kind (all three Kafka nodes of the cluster together). */
export function stackCommand(cmd: 'up' | 'down', component: Component): Promise<string> {
  return runStack([cmd], { ...process.env, SEQCHAIN_STACK_COMPONENTS: component });
}

/**
 * One node of the cluster stack by name (kafka-1, zookeeper-3, redis): `stop` (SIGTERM, or
 * SIGKILL with kill) returns once it is gone, `start` once it is really up (a broker registered,
 * a ZooKeeper server serving).
 */
export function nodeCommand(cmd: 'stop' | 'start', node: string, opts: { kill?: boolean } = {}): Promise<string> {
  return runStack([cmd, node, ...(cmd === 'stop' && opts.kill ? ['--kill'] : [])]);
}
