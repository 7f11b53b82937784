import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IHeaders } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import type { SequencedRecordJson as TailJson } from '../../../src/reader/record-json.js';
import { ChainFixture, type LedgerRow } from '../../helpers/chain-fixture.js';

/**
 * `seqchain tail` on the real stack: a chain with one replica, records with null and binary keys
 * and values, repeated and empty headers, and set timestamps, produced with kafkajs; tail's lines
 * must be the ledger's order and the produced records field by field. (kafkajs cannot write a
 * header with a null value: its size computation calls Buffer.byteLength on it.)
 */
const PARTITIONS = 3;
const RECORDS = 24;
const LATER = 6;
// Recent on purpose: records older than the broker's retention (7 days) can be deleted by its next
// retention check when they fill a segment on their own.
const T0 = Date.now() - 3_600_000;
let f: ChainFixture;
let env: Record<string, string>;

interface Sent {
  key: Buffer | null;
  value: Buffer | null;
  headers: { name: string; value: string | null }[];
  timestampMs: string;
}
/** What was written, by `<partition>/<offset>`. */
const sent = new Map<string, Sent>();

function message(i: number) {
  const key = i % 4 === 0 ? null : i % 4 === 1 ? Buffer.from([0xff, 0x00, i]) : Buffer.from(`key-${i}`);
  const value = i % 5 === 0 ? null : i % 5 === 1 ? Buffer.from([i, 0x80, 0x00]) : Buffer.from(`value ${i} é`);
  const headers: IHeaders = i % 3 === 0 ? {} : { trace: [Buffer.from(`t${i}`), Buffer.alloc(0)], id: Buffer.from([i, 0, 255]) };
  return { partition: i % PARTITIONS, key, value, headers, timestamp: String(T0 + i) };
}

async function produce(from: number, count: number): Promise<void> {
  const producer = f.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      const messages = Array.from({ length: count }, (_, k) => message(from + k)).filter((m) => m.partition === p);
      const [meta] = await producer.send({ topic: f.topic, messages, acks: -1 });
      messages.forEach((m, k) => {
        const headers = Object.entries(m.headers).flatMap(([name, v]) =>
          (Array.isArray(v) ? v : [v]).map((b) => ({ name, value: b === undefined ? null : Buffer.from(b).toString('base64') })),
        );
        sent.set(`${p}/${BigInt(meta!.baseOffset!) + BigInt(k)}`, { key: m.key, value: m.value, headers, timestampMs: m.timestamp });
      });
    }
  } finally {
    await producer.disconnect();
  }
}

const lines = (stdout: string): TailJson[] =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TailJson);
const bytes = (b64: string | null): Buffer | null => (b64 === null ? null : Buffer.from(b64, 'base64'));

/** Each line is the ledger's row at its seq and holds the record produced at that position. */
function expectRecords(got: TailJson[], rows: LedgerRow[], firstSeq: number): void {
  got.forEach((r, i) => {
    const row = rows[firstSeq - 1 + i]!;
    expect({ seq: r.seq, partition: r.partition, offset: r.offset }).toEqual({
      seq: row.seq.toString(),
      partition: row.partition,
      offset: row.offset.toString(),
    });
    const s = sent.get(`${r.partition}/${r.offset}`)!;
    expect(s).toBeDefined();
    expect(bytes(r.key)).toEqual(s.key);
    expect(bytes(r.value)).toEqual(s.value);
    expect(r.headers).toEqual(s.headers);
    expect(r.timestampMs).toBe(s.timestampMs);
    expect(r.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
  });
}

beforeAll(async () => {
  f = new ChainFixture();
  await f.init(PARTITIONS);
  f.set.start(`${f.chain}-r1`);
  await waitFor('a leader', async () => (await f.set.leader()) ?? undefined, 60_000);
  await produce(0, RECORDS);
  await waitFor(`${RECORDS} sequenced`, async () => (await f.set.sequenced()) >= RECORDS, 120_000, 100);
  env = { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' };
}, 180_000);

afterAll(async () => {
  await f?.close();
});

const cli = (args: string[]) => runCli(args, env);

describe('seqchain tail (real stack, a running replica)', () => {
  it('--from 1 --json: every record in the ledger order, field by field as produced; nothing else on stdout', async () => {
    const run = await cli(['tail', '--from', '1', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const got = lines(run.stdout);
    const rows = await f.ledgerRows();
    expect(got).toHaveLength(rows.length);
    expect(got.map((r) => r.seq)).toEqual(rows.map((r) => r.seq.toString()));
    expectRecords(got, rows, 1);
    // The chain's hash at the last seq is the head verify reports.
    const verify = await cli(['verify', '--json']);
    expect(JSON.parse(verify.stdout).headHash).toBe(got.at(-1)!.hash);
  });

  it('--from/--to gives exactly that range (inclusive); the table prints one line per record', async () => {
    const rows = await f.ledgerRows();
    const run = await cli(['tail', '--from', '5', '--to', '12', '--json']);
    expect(run.code).toBe(0);
    const got = lines(run.stdout);
    expect(got.map((r) => r.seq)).toEqual(['5', '6', '7', '8', '9', '10', '11', '12']);
    expectRecords(got, rows, 5);

    const table = await cli(['tail', '--from', '2', '--to', '4']);
    expect(table.code).toBe(0);
    const tableLines = table.stdout.trimEnd().split('\n');
    expect(tableLines).toHaveLength(3);
    tableLines.forEach((l, i) => {
      expect(l).toMatch(new RegExp(`^ +${i + 2}  ${rows[i + 1]!.partition}/${rows[i + 1]!.offset} +\\d{4}-`));
    });
  });

  it('--genesis-hash pins the genesis without ZooKeeper; a hash that is not the chain genesis is a broken chain (exit 1)', async () => {
    const pinned = await cli(['tail', '--from', '1', '--to', '3', '--json', '--genesis-hash', f.genesis.hash.toString('hex'), '--zk', '127.0.0.1:1']);
    expect(pinned.code).toBe(0);
    expect(lines(pinned.stdout).map((r) => r.seq)).toEqual(['1', '2', '3']);

    const wrong = await cli(['tail', '--from', '1', '--json', '--genesis-hash', 'ab'.repeat(32)]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/^seqchain: SEQCHAIN_ERR_CHAIN_BROKEN: /);
  });

  it('usage errors exit 2 and name the option', async () => {
    const bad = await cli(['tail', '--from', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--from must be a seq from 1.*"x"/);
    expect((await cli(['tail', '--from', '0'])).code).toBe(2);
    expect((await cli(['tail', '--to', '5'])).stderr).toMatch(/required option '--from <seq>'/);
    const conflict = await cli(['tail', '--from', '1', '--to', '5', '--follow']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/--follow.*cannot be used with.*--to/);
    const backwards = await cli(['tail', '--from', '5', '--to', '3']);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toMatch(/SEQCHAIN_ERR_USAGE: .*until/);
  });

  it('--follow prints records sequenced after it started, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'tail', '--from', String(RECORDS + 1), '--follow', '--json'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Time for it to reach the head and wait there, so the records come through its follow loop.
      await sleep(2_000);
      await produce(RECORDS, LATER);
      await waitFor(`${LATER} records followed`, async () => lines(stdout).length >= LATER, 60_000, 100);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(stderr).toBe('');
    const got = lines(stdout);
    expect(got.map((r) => r.seq)).toEqual(Array.from({ length: LATER }, (_, i) => String(RECORDS + 1 + i)));
    expectRecords(got, await f.ledgerRows(), RECORDS + 1);
  });
});
