/**
 * The reader phase (issue 11): the library's verifying reader (`readSequenced`) over the chain
 * the seqchain phase just sequenced, in a child process of its own (bench/child/reader.ts), from
 * seq 1 to the head. Its figure is the sustained rate over the middle 80% of the records, as for
 * every other rate here, and the highest resident memory of its process. The baseline is the
 * same source topic consumed by one kafkajs process (the client ceiling's child, one process):
 * the reader does strictly more (reads the ledger, recomputes every digest and link).
 */
import { fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Progress } from '../../src/cli/progress.js';
import type { ReaderChildMessage } from '../child/reader.js';
import { steadyRate } from '../lib/stats.js';
import { ProgressTrace } from '../lib/trace.js';

/**
 * The reader's process runs as docs/CONSUMING.md ("Memory and speed") advises a user to run one
 * that must stay under a memory bound: V8's young generation capped (it otherwise grows its
 * semi-spaces to tens of MB under the reader's allocation rate), its old generation bounded, and
 * glibc's malloc kept to two arenas (one per thread otherwise, the hashing thread's included).
 */
export const READER_NODE_OPTIONS = ['--max-semi-space-size=4', '--max-old-space-size=128'];
export const READER_ENV = { MALLOC_ARENA_MAX: '2' };

const CHILD = fileURLToPath(new URL('../child/reader.js', import.meta.url));

export interface ReaderRunResult {
  /** Sustained over the middle 80% of the records, records/s. */
  rps: number;
  /** From the process start (genesis from ZooKeeper, connections) to the last record, records/s. */
  fromStartRps: number;
  /** Highest resident memory of the reader's process, MiB. */
  maxRssMb: number;
  /** Hash of the last record read (hex). */
  head: string;
}

export async function runReader(opts: {
  label: string;
  chain: string;
  total: number;
  timeoutMs: number;
  /** Another build's reader child (an A/B against an older checkout: bench/probes/reader-ab.ts). @defaultValue this build's */
  child?: string;
  /** More environment for the child. */
  env?: Record<string, string>;
  /** Node options of the child. @defaultValue READER_NODE_OPTIONS */
  execArgv?: string[];
}): Promise<ReaderRunResult> {
  const trace = new ProgressTrace();
  const startedAt = Date.now();
  trace.add(startedAt, 0);
  const progress = new Progress(`bench ${opts.label}`, opts.total);
  const child = fork(opts.child ?? CHILD, [], {
    env: { ...process.env, ...(opts.execArgv === undefined ? READER_ENV : {}), ...opts.env, BENCH_CHAIN: opts.chain },
    execArgv: opts.execArgv ?? READER_NODE_OPTIONS,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let count = 0;
  let maxRssMb = 0;
  let done: Extract<ReaderChildMessage, { type: 'done' }> | null = null;
  let endAt = 0;
  child.on('message', (msg: ReaderChildMessage) => {
    count = msg.count;
    trace.add(Date.now(), count);
    if (msg.type === 'progress') maxRssMb = Math.max(maxRssMb, msg.rssMb);
    else {
      done = msg;
      endAt = Date.now();
    }
  });
  try {
    const deadline = startedAt + opts.timeoutMs;
    while (done === null) {
      if (child.exitCode !== null) throw new Error(`${opts.label}: the reader process exited with code ${child.exitCode} after ${count} records`);
      if (Date.now() > deadline) throw new Error(`${opts.label}: read ${count} of ${opts.total} records in ${opts.timeoutMs} ms`);
      progress.update(count);
      await sleep(50);
    }
    progress.finish(count);
    const result: Extract<ReaderChildMessage, { type: 'done' }> = done;
    if (result.count !== opts.total) throw new Error(`${opts.label}: the reader read ${result.count} records, the chain holds ${opts.total}`);
    return {
      rps: trace.sustainedRate(opts.total),
      fromStartRps: steadyRate({ steadyAt: startedAt, doneAtSteady: 0, endAt, total: opts.total }),
      maxRssMb: Math.max(maxRssMb, result.maxRssMb),
      head: result.head,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
