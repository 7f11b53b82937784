/**
 * Child process of the log-view phase's checkpoint lag: asks one replica's `GET /checkpoint`
 * (BENCH_URL) again and again, one request at a time, at most one every BENCH_POLL_MS (default
 * 1) ms, and notes when each answer arrived and the tree size it served. In a process of its own
 * so that neither the load generator nor the ledger reader delays its answers, nor it theirs.
 *
 * IPC: on {type:'stop'} it answers {type:'polls', at, size, failures} (parallel arrays: arrival
 * times in ms since the epoch, the same clock as the ledger reader's; answers without a
 * checkpoint, a 404 before the first signed cut is indexed, count as failures) and exits.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export type PollMessage = { type: 'polls'; at: number[]; size: number[]; failures: number };

const url = `${process.env.BENCH_URL!}/checkpoint`;
const intervalMs = Number(process.env.BENCH_POLL_MS ?? '1');

async function main(): Promise<void> {
  const at: number[] = [];
  const size: number[] = [];
  let failures = 0;
  let stopped = false;
  process.on('message', (msg: { type?: string }) => {
    if (msg?.type === 'stop') stopped = true;
  });
  process.on('disconnect', () => process.exit(0));
  while (!stopped) {
    const sentAt = Date.now();
    try {
      const res = await fetch(url);
      const text = await res.text();
      const arrived = Date.now();
      // The second line of a checkpoint is its tree size (C2SP tlog-checkpoint).
      const n = res.status === 200 ? Number(text.split('\n')[1]) : Number.NaN;
      if (Number.isSafeInteger(n)) {
        at.push(arrived);
        size.push(n);
      } else failures++;
    } catch {
      failures++;
    }
    const wait = sentAt + intervalMs - Date.now();
    if (wait > 0) await sleep(wait);
  }
  process.send?.({ type: 'polls', at, size, failures } satisfies PollMessage, () => process.exit(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench checkpoint poll: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
