/**
 * The chaos suite's network partition (chaos/lib/netsplit.ts) on this machine's real network
 * stack: a process placed in its cgroup loses its connections to the cut ports (they stall,
 * nothing is refused), gets them back on heal, and nobody else is affected. The cluster fault
 * kinds (netsplit-leader-zookeeper, …) rely on exactly this. Needs root and iptables
 * (scripts/lib/iptables.sh, which `npm test` runs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetSplit } from '../../../chaos/lib/netsplit.js';

/** A child that connects to `port` every 100 ms and prints `ok` or `stalled` (no answer within 500 ms). */
const PROBE = `
const net = require('node:net');
const port = Number(process.argv[1]);
setInterval(() => {
  const s = net.connect({ host: '127.0.0.1', port });
  const t = setTimeout(() => { s.destroy(); console.log('stalled'); }, 500);
  s.once('data', () => { clearTimeout(t); s.destroy(); console.log('ok'); });
  s.once('error', (e) => { clearTimeout(t); console.log('error ' + e.code); });
}, 100);
`;

/** Whether this process (not in any cut cgroup) still gets an answer from `port`. */
function answers(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (answered: boolean) => {
      clearTimeout(t);
      s.destroy();
      res(answered);
    };
    const t = setTimeout(() => done(false), 1_000);
    s.once('data', () => done(true));
    s.once('error', () => done(false));
  });
}

describe('network partition of one process (cgroup + iptables DROP)', () => {
  let server: Server;
  let port: number;
  let split: NetSplit;
  let child: ChildProcess;
  const lines: string[] = [];
  const runName = `nstest-${process.pid}`;

  beforeAll(async () => {
    // A client that gives up resets the connection: not an error of the server's.
    server = createServer((s) => s.on('error', () => undefined).end('hi'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    // Only the Redis port of this layout is ever cut: the test's own server stands in for it.
    split = await NetSplit.open({ cluster: true, kafkaPorts: [1], zkPorts: [2], redisPort: port }, runName);
    child = spawn(process.execPath, ['-e', PROBE, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    split.place('probe', child.pid!);
    child.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().trim().split('\n')));
    while (!lines.includes('ok')) await sleep(50); // the child is up and connecting
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await sleep(200);
    await split?.close();
    server?.close();
  });

  /** The probe's lines from now on, for `ms`. */
  async function window(ms: number): Promise<string[]> {
    const from = lines.length;
    await sleep(ms);
    return lines.slice(from);
  }

  it('cuts the placed process off (its connections stall, none is refused), leaves others alone, and heals', async () => {
    const before = await window(1_000);
    expect(before.length).toBeGreaterThan(3);
    expect(before.every((l) => l === 'ok')).toBe(true);

    await split.cut('probe', ['redis']);
    await sleep(600); // probes that were already answered drain
    const during = await window(1_500);
    expect(during.length).toBeGreaterThan(3);
    expect(during.every((l) => l === 'stalled')).toBe(true);
    expect(await answers(port)).toBe(true);

    await split.heal('probe');
    await sleep(600);
    const after = await window(1_000);
    expect(after.length).toBeGreaterThan(3);
    expect(after.filter((l) => l === 'ok').length).toBeGreaterThan(after.length / 2);
    expect(after.slice(-3)).toEqual(['ok', 'ok', 'ok']);
  }, 20_000);

  it('a cut names only the ports of what it splits from', async () => {
    await split.cut('probe', ['zookeeper', 'kafka']);
    const during = await window(1_000);
    await split.heal('probe');
    expect(during.length).toBeGreaterThan(3);
    expect(during.every((l) => l === 'ok')).toBe(true);
  });
});
