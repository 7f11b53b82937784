import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';
import { duplicateKeys } from '../../helpers/log-lines.js';

const TOKEN = 'cli-ops-test-token-0123456789';
const RECORDS = 1_000;
let f: ChainFixture;
let env: Record<string, string>;
let tokenFile: string;
let replicaLog: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqchain-cli-token-'));
  tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  f = new ChainFixture({ SEQCHAIN_API_TOKEN: TOKEN });
  await f.init(3);
  replicaLog = f.set.start(`${f.chain}-r1`).logFile;
  const api = await f.set.apiUrl(`${f.chain}-r1`);
  await f.produce(RECORDS);
  await waitFor(
    'records indexed',
    async () => {
      const res = await fetch(`${api}/v1/head`).catch(() => null);
      return res?.ok && ((await res.json()) as { seq: string }).seq === String(RECORDS);
    },
    120_000,
    100,
  );
  // No --api: the CLI finds the replica's API address in ZooKeeper.
  env = { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' };
}, 180_000);

afterAll(async () => {
  await f?.close();
  if (tokenFile) rmSync(join(tokenFile, '..'), { recursive: true, force: true });
});

const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { ...env, ...extra });
// biome-ignore lint/suspicious/noExplicitAny: a JSON body read loosely in a test
const json = (out: string) => JSON.parse(out.trim().split('\n').pop()!) as Record<string, any>;

describe('CLI mirrors of the API (real stack, a running replica)', () => {
  it('head, get and lookup by position and by digest', async () => {
    const head = await cli(['head', '--json']);
    expect(head.code).toBe(0);
    expect(json(head.stdout)).toMatchObject({ seq: String(RECORDS), leader: { replicaId: `${f.chain}-r1` } });

    const rows = await f.ledgerRows();
    const row = rows[RECORDS - 1]!;
    const got = json((await cli(['get', String(RECORDS), '--json'])).stdout);
    expect(got).toMatchObject({ seq: String(RECORDS), position: { partition: row.partition, offset: row.offset.toString() } });
    expect(json((await cli(['lookup', String(row.partition), row.offset.toString(), '--json'])).stdout)).toEqual(got);
    expect(json((await cli(['lookup', '--digest', got.digest, '--json'])).stdout)).toEqual(got);

    const table = await cli(['get', '1']);
    expect(table.stdout).toMatch(/^seq\s+1$/m);
    expect(table.stdout).toMatch(/^position\.partition\s+\d+$/m);
  });

  it('names bad arguments and unknown records, exit code 2', async () => {
    const bad = await cli(['get', 'abc']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/seq must be a non-negative integer, got "abc"/);
    const none = await cli(['lookup']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/SEQCHAIN_ERR_USAGE: lookup needs <partition> <offset>/);
    const unknown = await cli(['get', '99999999']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/SEQCHAIN_ERR_NOT_FOUND: .*HTTP 404: seq 99999999 is not in the index/);
  });

  it('pause, status, resume and resign through the leader, with the token from the environment or a file; refused without it', async () => {
    const refused = await cli(['pause']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/SEQCHAIN_ERR_UNAUTHORIZED/);
    expect(refused.stderr).not.toContain(TOKEN);

    const paused = await cli(['pause', '--reason', 'cli test'], { SEQCHAIN_API_TOKEN: TOKEN });
    expect(paused.code).toBe(0);
    expect(json(paused.stdout)).toMatchObject({ paused: true, reason: 'cli test' });
    const status = await cli(['status']);
    expect(status.stdout).toMatch(/^state\s+PAUSED by .* \(cli test\)$/m);
    expect(json((await cli(['resume'], { SEQCHAIN_API_TOKEN_FILE: tokenFile })).stdout)).toEqual({ paused: false, wasPaused: true });
    expect((await cli(['status'])).stdout).toMatch(/^state\s+sequencing$/m);

    const before = (await f.set.leader())!;
    const resigned = await cli(['resign'], { SEQCHAIN_API_TOKEN: TOKEN });
    expect(resigned.code).toBe(0);
    expect(json(resigned.stdout)).toEqual({ resigned: before.replicaId, epoch: before.epoch.toString() });
    // The only replica joins the queue again and leads under a new epoch.
    await waitFor('a new term', async () => ((await f.set.leader())?.epoch ?? 0n) > before.epoch, 30_000, 50);
    // Seven CLI processes, each a Node start: 30 s was seen to run out on a loaded machine.
  }, 90_000);

  it("the replica's JSON log lines carry each key once", () => {
    const lines = readFileSync(replicaLog, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(duplicateKeys(line), line).toEqual([]);
  });
});
