/**
 * Witness cosignatures on the real stack (issue 12 item 5, docs/LOG.md "Witnesses"): a chain with
 * the log view and one `seqchain witness` process in `logView.witnesses`. The leader submits its
 * checkpoints; `/checkpoint` carries a cosignature that verifies under the witness key; with the
 * witness down sequencing goes on; back up (same state), cosignatures resume through a
 * consistency proof from the size it kept; a new leader, which starts knowing nothing of the
 * witness, resumes through the witness's 409 answer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { cosignatureTime, type NoteVerifier, openCheckpoint, parseCosignatureVerifierKey, parseVerifierKey } from '../../../src/tlog/index.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'seqchain-witness-stack-'));
let closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A `seqchain witness` process; resolves once it listens. */
async function startWitness(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'witness', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', () => undefined);
  await waitFor('the witness to listen', async () => out.includes('listening on'), 15_000);
  return child;
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** The served checkpoint: its size and the names of the verified signatures (log and witness). */
async function served(api: string, keys: NoteVerifier[], origin: string): Promise<{ size: number; signers: string[]; times: (number | null)[] }> {
  const res = await fetch(`${api}/checkpoint`);
  if (res.status !== 200) return { size: -1, signers: [], times: [] };
  const opened = openCheckpoint(await res.text(), keys, origin);
  return { size: opened.checkpoint.size, signers: opened.verified.map((s) => s.name), times: opened.verified.map(cosignatureTime) };
}

describe('witness cosignatures (real Kafka, ZooKeeper, Redis; seqchain witness as a process)', () => {
  it('serves cosigned checkpoints; a witness down delays no cut; cosignatures resume when it is back and under a new leader', async () => {
    const origin = `example.com/witnessed-${randomBytes(4).toString('hex')}`;
    const logKeyFile = join(dir, 'log.key');
    const logGen = await runCli(['log-keygen', '--origin', origin, '--out', logKeyFile]);
    expect(logGen.code).toBe(0);
    const logKey = parseVerifierKey(logGen.stdout.trim());
    const wKeyFile = join(dir, 'witness.key');
    const wGen = await runCli(['witness-keygen', '--name', 'witness.example/stack', '--out', wKeyFile]);
    expect(wGen.code).toBe(0);
    const wKey = parseCosignatureVerifierKey(wGen.stdout.trim());
    const keys = [logKey, wKey];

    const port = await freePort();
    const stateDir = join(dir, 'state');
    const witnessArgs = ['--listen', `127.0.0.1:${port}`, '--key-file', wKeyFile, '--log', logKey.verifierKey, '--state-dir', stateDir];
    let witness = await startWitness(witnessArgs);
    closers.push(() => stop(witness));

    const f = new ChainFixture({
      SEQCHAIN_LOG_VIEW_ENABLED: 'true',
      SEQCHAIN_LOG_VIEW_ORIGIN: origin,
      SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: logKeyFile,
      SEQCHAIN_LOG_VIEW_WITNESSES: JSON.stringify([{ url: `http://127.0.0.1:${port}`, verifierKey: wKey.verifierKey }]),
      SEQCHAIN_LOG_VIEW_WITNESS_INTERVAL_MS: '200',
    });
    closers.push(() => f.close());
    const started = Math.floor(Date.now() / 1000);
    await f.startSequenced(2, 2_000);
    const api = await f.set.apiUrl(`${f.chain}-r1`);

    // 1. The checkpoint of the last cut, cosigned: both signatures verify, the timestamp is now.
    const first = await waitFor(
      'a cosigned checkpoint of size 2000',
      async () => {
        const s = await served(api, keys, origin);
        return s.size === 2_000 && s.signers.length === 2 ? s : undefined;
      },
      30_000,
      100,
    );
    expect(first.signers).toEqual([origin, 'witness.example/stack']);
    expect(first.times[1]).toBeGreaterThanOrEqual(started);
    expect(first.times[1]).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));

    // 2. The witness down: sequencing goes on, the checkpoint is served with the log's signature alone.
    await stop(witness, 'SIGKILL');
    const t0 = Date.now();
    await f.produce(2_000);
    await waitFor('4000 sequenced with the witness down', async () => (await f.set.sequenced()) >= 4_000, 60_000, 100);
    const sequencedInMs = Date.now() - t0;
    const down = await waitFor(
      'the checkpoint of size 4000',
      async () => {
        const s = await served(api, keys, origin);
        return s.size === 4_000 ? s : undefined;
      },
      30_000,
      100,
    );
    expect(down.signers).toEqual([origin]);

    // 3. The witness back with its state (size 2000): the leader proves 2000 → 4000, cosignatures resume.
    witness = await startWitness(witnessArgs);
    await waitFor(
      'the checkpoint of size 4000 cosigned',
      async () => {
        const s = await served(api, keys, origin);
        return s.size === 4_000 && s.signers.length === 2;
      },
      30_000,
      100,
    );
    const stored = readFileSync(join(stateDir, readdirSync(stateDir).find((n) => n.endsWith('.checkpoint'))!), 'utf8');
    expect(openCheckpoint(stored, keys, origin).checkpoint.size).toBe(4_000);

    // 4. A new leader: it does not know the witness's size, submits "old 0", follows the 409 to 4000.
    f.set.start(`${f.chain}-r2`);
    await f.set.apiUrl(`${f.chain}-r2`);
    await f.set.kill(`${f.chain}-r1`, 'SIGTERM');
    await waitFor('r2 leads', async () => (await f.set.leader())?.replicaId === `${f.chain}-r2`, 60_000, 100);
    await f.produce(500);
    await waitFor('4500 sequenced', async () => (await f.set.sequenced()) >= 4_500, 60_000, 100);
    const api2 = await f.set.apiUrl(`${f.chain}-r2`);
    await waitFor(
      'the checkpoint of size 4500 cosigned',
      async () => {
        const s = await served(api2, keys, origin);
        return s.size === 4_500 && s.signers.length === 2;
      },
      30_000,
      100,
    );
    const r2log = readFileSync(f.set.replicas.get(`${f.chain}-r2`)!.logFile, 'utf8');
    expect(r2log).toMatch(/witness answered 409: resubmitting from its size/);
    expect(r2log).not.toMatch(/"level":50[^\n]*witness/);
    console.log(JSON.stringify({ witnessDownSequenced2000InMs: sequencedInMs }));
  }, 240_000);
});
