/**
 * `seqchain witness` over real HTTP on loopback (docs/LOG.md, "Witness"): the spec's answers to
 * add-checkpoint, the cosignature verifying under the witness key, the state persisted and read
 * back by a restarted witness, concurrent requests never rolling the state back, and the CLI:
 * witness-keygen, a loose key file refused, the witness process serving.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { createLogger } from '../../../src/log.js';
import {
  consistencyProof,
  CosignatureSigner,
  cosignatureTime,
  formatAddCheckpoint,
  NoteSigner,
  type NoteVerifier,
  openNote,
  parseCosignatureVerifierKey,
  parseVerifierKey,
  signCheckpoint,
  treeRoot,
} from '../../../src/tlog/index.js';
import { buildTree } from '../../unit/tlog/fixtures.js';
import { originHash } from '../../../src/witness/state-dir.js';
import { WitnessServer } from '../../../src/witness/witness-server.js';

const ORIGIN = 'example.com/witness-http';
const log = NoteSigner.generate(ORIGIN);
const witnessKey = CosignatureSigner.generate('witness.example/test');
const { store } = buildTree(600);
const note = (size: number) => signCheckpoint({ origin: ORIGIN, size, root: treeRoot(store, size) }, log);
const body = (oldSize: number, size: number) =>
  formatAddCheckpoint({ oldSize, proof: oldSize === 0 ? [] : consistencyProof(store, oldSize, size), note: note(size) });

let closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

async function startWitness(stateDir: string, now?: () => number): Promise<{ url: string; server: WitnessServer }> {
  const server = new WitnessServer({
    signer: witnessKey,
    logs: new Map<string, NoteVerifier[]>([[ORIGIN, [log.verifier]]]),
    stateDir,
    logger: createLogger({ level: 'silent' }),
    ...(now ? { now } : {}),
  });
  const url = await server.start('127.0.0.1', 0);
  closers.push(() => server.close());
  return { url, server };
}

async function post(url: string, b: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`${url}/add-checkpoint`, { method: 'POST', body: b });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('seqchain witness over HTTP (loopback)', () => {
  it("answers the spec's codes, cosigns what verifies, persists atomically and resumes from its state after a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqchain-witness-'));
    const { url, server } = await startWitness(dir, () => 1_800_000_000);

    const first = await post(url, body(0, 100));
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/^— witness\.example\/test [A-Za-z0-9+/=]+\n$/);
    // The answer appended to the checkpoint opens under the log key and the witness key.
    const opened = openNote(`${note(100)}${first.text}`, [log.verifier, parseCosignatureVerifierKey(witnessKey.verifierKey)]);
    expect(opened.verified.map((s) => s.name)).toEqual([ORIGIN, 'witness.example/test']);
    expect(cosignatureTime(opened.verified[1]!)).toBe(1_800_000_000);

    // Stale old size: 409, text/x.tlog.size, the size it holds.
    const stale = await post(url, body(0, 200));
    expect(stale).toEqual({ status: 409, type: 'text/x.tlog.size', text: '100\n' });
    expect((await post(url, body(100, 257))).status).toBe(200);

    const wrongProof = body(257, 300).replace(/^(old 257\n)([A-Za-z0-9+/]{4})/, (_m, a: string, b: string) => `${a}${b === 'AAAA' ? 'BBBB' : 'AAAA'}`);
    const refused = await post(url, wrongProof);
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/^SEQCHAIN_ERR_PROOF_INVALID: example\.com\/witness-http: consistency proof from size 257 to 300/);
    expect(
      (
        await post(
          url,
          formatAddCheckpoint({
            oldSize: 0,
            proof: [],
            note: signCheckpoint({ origin: 'example.com/nope', size: 1, root: treeRoot(store, 1) }, NoteSigner.generate('example.com/nope')),
          }),
        )
      ).status,
    ).toBe(404);
    const forged = await post(
      url,
      formatAddCheckpoint({
        oldSize: 257,
        proof: consistencyProof(store, 257, 300),
        note: signCheckpoint({ origin: ORIGIN, size: 300, root: treeRoot(store, 300) }, NoteSigner.generate(ORIGIN)),
      }),
    );
    expect(forged.status).toBe(403);
    expect(forged.text).toMatch(/^SEQCHAIN_ERR_NOTE_UNVERIFIED: /);
    expect((await post(url, 'old 0\n')).status).toBe(400);
    expect((await fetch(`${url}/add-checkpoint`)).status).toBe(405);
    expect(server.head(ORIGIN)?.size).toBe(257);

    // State: one file per origin, the log's note plus the witness's cosignature, mode 0600; no temp file left.
    const files = readdirSync(dir);
    expect(files).toEqual([`${originHash(ORIGIN)}.checkpoint`]);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    const stored = readFileSync(join(dir, files[0]!), 'utf8');
    expect(openNote(stored, [log.verifier, witnessKey.verifier]).verified).toHaveLength(2);
    const monitor = await fetch(`${url}/${originHash(ORIGIN)}/checkpoint`);
    expect(monitor.status).toBe(200);
    expect(await monitor.text()).toBe(stored);
    expect((await fetch(`${url}/${originHash('example.com/nope')}/checkpoint`)).status).toBe(404);

    // A restarted witness reads its state back: it still holds 257, and cosigns on from there.
    await server.close();
    const again = await startWitness(dir);
    expect(again.server.head(ORIGIN)?.size).toBe(257);
    expect(await post(again.url, body(0, 300))).toMatchObject({ status: 409, text: '257\n' });
    expect((await post(again.url, body(257, 300))).status).toBe(200);
  });

  it('handles concurrent requests for one origin one at a time: one wins, the others get 409, the state never rolls back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqchain-witness-race-'));
    const { url, server } = await startWitness(dir);
    expect((await post(url, body(0, 10))).status).toBe(200);
    const sizes = [20, 400, 30, 500, 40];
    const answers = await Promise.all(sizes.map((n) => post(url, body(10, n))));
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    const winner = sizes[answers.findIndex((a) => a.status === 200)]!;
    for (const a of answers.filter((x) => x.status !== 200)) expect(a).toMatchObject({ status: 409, text: `${winner}\n` });
    expect(server.head(ORIGIN)?.size).toBe(winner);
  });

  it('CLI: witness-keygen writes a 0600 key and prints its verifier key; a loose key file is refused; the witness process cosigns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqchain-witness-cli-'));
    const keyFile = join(dir, 'witness.key');
    const gen = await runCli(['witness-keygen', '--name', 'witness.example/cli', '--out', keyFile]);
    expect(gen.code).toBe(0);
    const vkey = parseCosignatureVerifierKey(gen.stdout.trim());
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(gen.stdout + gen.stderr).not.toContain(readFileSync(keyFile, 'utf8').split('+')[4]!.trim());
    expect((await runCli(['witness-keygen', '--name', 'witness.example/cli', '--out', keyFile])).code).toBe(2);

    const args = ['witness', '--listen', '127.0.0.1:0', '--key-file', keyFile, '--log', log.verifierKey, '--state-dir', join(dir, 'state')];
    chmodSync(keyFile, 0o644);
    const loose = await runCli(args);
    expect(loose.code).toBe(2);
    expect(loose.stderr).toMatch(/SEQCHAIN_ERR_CONFIG: .*--key-file: .*loose permissions/);
    chmodSync(keyFile, 0o600);
    expect((await runCli([...args.slice(0, 5), '--log', 'not-a-key', '--state-dir', dir])).stderr).toMatch(/SEQCHAIN_ERR_USAGE: --log /);

    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    closers.push(
      () =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const url = await waitFor('the witness to listen', async () => /listening on (http:\/\/\S+)/.exec(out)?.[1], 10_000);
    expect(out).toContain(vkey.verifierKey);
    const res = await post(url, body(0, 42));
    expect(res.status).toBe(200);
    expect(openNote(`${note(42)}${res.text}`, [parseVerifierKey(log.verifierKey), vkey]).verified).toHaveLength(2);
    // A second witness on the same address: one line naming --listen.
    const busy = await runCli([...args.slice(0, 2), url.replace('http://', ''), ...args.slice(3, 7), '--state-dir', join(dir, 'state2')]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(/^seqchain: SEQCHAIN_ERR_USAGE: --listen 127\.0\.0\.1:\d+: cannot listen: .*EADDRINUSE/);
  });
});
