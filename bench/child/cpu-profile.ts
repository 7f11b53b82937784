/**
 * Preloaded into a replica (`NODE_OPTIONS=--import <this file>`) when the benchmark runs with
 * `--cpu-prof <dir>`: Node refuses `--cpu-prof` in NODE_OPTIONS, so this starts V8's sampling
 * profiler through the in-process inspector and writes `<dir>/<replica>-<pid>.cpuprofile` when
 * the process exits (a graceful stop; a SIGKILLed replica leaves no profile), and beside it
 * `<replica>-<pid>.eventloop.json`: how long the event loop was blocked (the sequencer's cut loop
 * shares it with the worker, the indexer and the API), from perf_hooks.monitorEventLoopDelay.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.enable');
  session.post('Profiler.start');
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  process.once('exit', () => {
    delay.disable();
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const base = `${process.env.SEQCHAIN_REPLICA_ID ?? 'node'}-${process.pid}`;
    const stats = {
      p50: ms(delay.percentile(50)),
      p90: ms(delay.percentile(90)),
      p99: ms(delay.percentile(99)),
      max: ms(delay.max),
      mean: ms(delay.mean),
      samples: delay.count,
    };
    writeFileSync(join(dir, `${base}.eventloop.json`), `${JSON.stringify({ eventLoopDelayMs: stats })}\n`);
    // An in-process session answers synchronously, so this completes inside the exit handler.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      const name = `${process.env.SEQCHAIN_REPLICA_ID ?? 'node'}-${process.pid}.cpuprofile`;
      writeFileSync(join(dir, name), JSON.stringify(result.profile));
    });
  });
}
