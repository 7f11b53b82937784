/**
 * Client ceiling and one-partition baseline: N child processes (bench/child/consumer.ts) in one
 * fresh consumer group read a topic from the beginning until `total` records are read. They join
 * first and read nothing until every process holds its final share of the partitions (the
 * group's joins and rebalances are over); then all start at once. The figure is the sustained
 * rate over the middle 80% of the records (lib/trace.ts), as for seqchain; the rate from the
 * start signal to the last record is reported beside it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Progress } from '../../src/cli/progress.js';
import type { ChildMessage, ConsumerMode } from '../child/consumer.js';
import { cpuSeconds, stackPid } from '../lib/proc.js';
import { perRecordUs, steadyRate } from '../lib/stats.js';
import { ProgressTrace } from '../lib/trace.js';

const CHILD = fileURLToPath(new URL('../child/consumer.js', import.meta.url));

export interface ConsumerRunResult {
  /** Sustained rate over the middle 80% of the records, records/s. */
  rps: number;
  /** From the start signal (group settled) to the last record, records/s. */
  fromReadyRps: number;
  /** From the first process start to the last record, records/s (includes joins). */
  wallRps: number;
  /** From the start of the processes until the group was steady, ms. */
  joinMs: number;
  steadyMs: number;
  /** CPU from the start signal to the last record, cores: the consumer processes together, and Kafka. */
  cpu: { consumers: number; kafka: number };
  /** The same CPU, consumers and Kafka together, µs per record. */
  cpuUsPerRecord: number;
}

export async function runConsumers(opts: {
  label: string;
  mode: ConsumerMode;
  topic: string;
  groupId: string;
  processes: number;
  partitions: number;
  total: number;
  timeoutMs: number;
}): Promise<ConsumerRunResult> {
  const { processes, partitions, total } = opts;
  const counts = new Array<number>(processes).fill(0);
  const assigned = new Array<number[] | null>(processes).fill(null);
  const children: ChildProcess[] = [];
  const startedAt = Date.now();
  let steadyAt: number | null = null;
  let endAt: number | null = null;
  const trace = new ProgressTrace();
  const sum = () => counts.reduce((a, b) => a + b, 0);
  const expectedMembers = Math.min(processes, partitions);
  const kafkaPid = stackPid('kafka');
  // CPU seconds so far: the consumer processes together, and Kafka.
  const cpuNow = () => ({ consumers: children.reduce((n, c) => n + cpuSeconds(c.pid), 0), kafka: cpuSeconds(kafkaPid) });
  let cpuAtSteady = { consumers: Number.NaN, kafka: Number.NaN };
  let cpuAtEnd = cpuAtSteady;

  const isSteady = () => {
    const shares = assigned.filter((a): a is number[] => a !== null && a.length > 0);
    if (shares.length !== expectedMembers) return false;
    const all = new Set(shares.flat());
    return all.size === partitions && shares.reduce((n, s) => n + s.length, 0) === partitions;
  };

  const progress = new Progress(`bench ${opts.label}`, total);
  try {
    for (let i = 0; i < processes; i++) {
      const child = fork(CHILD, [], {
        env: { ...process.env, BENCH_MODE: opts.mode, BENCH_TOPIC: opts.topic, BENCH_GROUP: opts.groupId, BENCH_ID: `${opts.mode}-${i}` },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      child.on('message', (msg: ChildMessage) => {
        if (msg.type === 'assigned') {
          assigned[i] = msg.partitions;
          counts[i] = msg.count;
          if (steadyAt === null && isSteady()) {
            steadyAt = Date.now();
            cpuAtSteady = cpuNow();
            trace.add(steadyAt, 0);
            for (const c of children) c.send({ type: 'go' });
          }
        } else if (msg.type === 'progress') {
          counts[i] = msg.count;
          if (steadyAt !== null) trace.add(Date.now(), sum());
        }
        if (endAt === null && sum() >= total) {
          endAt = Date.now();
          cpuAtEnd = cpuNow();
        }
      });
      children.push(child);
    }
    const deadline = startedAt + opts.timeoutMs;
    while (endAt === null) {
      if (Date.now() > deadline) throw new Error(`${opts.label}: read ${sum()} of ${total} records in ${opts.timeoutMs} ms`);
      const dead = children.find((c) => c.exitCode !== null);
      if (dead) throw new Error(`${opts.label}: a consumer process exited with code ${dead.exitCode}`);
      progress.update(sum());
      await sleep(50);
    }
    progress.finish(sum());
    const end: number = endAt;
    const steady: number = steadyAt ?? startedAt;
    const windowS = (end - steady) / 1000;
    const cpu = { consumers: (cpuAtEnd.consumers - cpuAtSteady.consumers) / windowS, kafka: (cpuAtEnd.kafka - cpuAtSteady.kafka) / windowS };
    return {
      rps: trace.sustainedRate(total),
      fromReadyRps: steadyRate({ steadyAt: steady, doneAtSteady: 0, endAt: end, total }),
      wallRps: steadyRate({ steadyAt: startedAt, doneAtSteady: 0, endAt: end, total }),
      joinMs: steady - startedAt,
      steadyMs: end - steady,
      cpu,
      cpuUsPerRecord: perRecordUs([cpu.consumers, cpu.kafka], windowS, total),
    };
  } finally {
    await Promise.all(
      children.map(async (c) => {
        if (c.exitCode !== null) return;
        const exited = new Promise((res) => c.once('exit', res));
        c.send({ type: 'stop' });
        await Promise.race([exited, sleep(15_000)]);
        if (c.exitCode === null) c.kill('SIGKILL');
      }),
    );
  }
}
