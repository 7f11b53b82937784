/**
 * Preloaded (`node --import`) into the processes of bench/probes/reader-ab.ts: at exit, writes the
 * process's CPU time (all threads) and its main thread's to `$PROBE_CPU_DIR/<pid>.json`. CPU time
 * per record is what the A/B compares when the machine's load makes wall-clock rates noise.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.PROBE_CPU_DIR;
if (dir !== undefined && dir !== '') {
  process.on('exit', () => {
    const thread = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.() ?? null;
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({ script: process.argv[1], cpu: process.cpuUsage(), thread }));
  });
}
