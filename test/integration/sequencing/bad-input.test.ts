import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, ReplicaSet, runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { kafkaNames } from '../../../src/kafka/names.js';
import type { VerifyReport } from '../../../src/verify/verify-chain.js';
import { ChainFixture, invariantOneViolations } from '../../helpers/chain-fixture.js';

/** Bad input at runtime (docs/DESIGN.md invariant 5): stop, say where and why, count it; never guess, never skip. */

// biome-ignore lint/suspicious/noExplicitAny: a JSON body read loosely in a test
async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

async function metric(api: string, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  const line = text.split('\n').find((l) => pattern.test(l));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function verify(chain: string): Promise<{ code: number | null; report: VerifyReport }> {
  const out = await runCli(['verify', '--json'], { SEQCHAIN_CHAIN: chain, SEQCHAIN_LOG_LEVEL: 'warn' });
  return { code: out.code, report: JSON.parse(out.stdout) as VerifyReport };
}

describe('a malformed message on the digest topic halts sequencing', () => {
  let f: ChainFixture;
  let api: string;

  beforeAll(async () => {
    f = new ChainFixture();
    await f.startSequenced(2, 500);
    api = await f.set.apiUrl(`${f.chain}-r1`);
  }, 180_000);

  afterAll(async () => {
    await f?.close();
  });

  it('names topic, partition, offset and what was wrong; counts it; the counter stops; verify passes on what was written', async () => {
    const digestTopic = kafkaNames.digestTopic(f.chain);
    const producer = f.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const [sent] = await producer.send({ topic: digestTopic, acks: -1, messages: [{ partition: 1, value: Buffer.from('definitely not SCD1') }] });
    await producer.disconnect();
    const offset = sent!.baseOffset!;

    const logFile = join(REPO, '.stack', 'test-logs', f.chain, `${f.chain}-r1.log`);
    const where = `digest topic ${digestTopic} partition 1 offset ${offset}`;
    await waitFor(
      'the halt in the log',
      async () => readFileSync(logFile, 'utf8').includes('sequencing halted') && readFileSync(logFile, 'utf8').includes(where),
      30_000,
      100,
    );
    const haltLine = readFileSync(logFile, 'utf8')
      .split('\n')
      .find((l) => l.includes('sequencing halted'))!;
    expect(haltLine).toContain('SEQCHAIN_ERR_MALFORMED_MESSAGE');
    expect(haltLine).toContain('magic is');

    expect(await metric(api, /^seqchain_rejected_messages_total\{.*topic="digest".*reason="bad_magic"/)).toBe(1);
    expect(await metric(api, /^seqchain_sequencer_halted\{/)).toBe(1);

    const status = await getJson(`${api}/v1/status`);
    expect(status.body.replica.sequencingHalted).toMatchObject({
      code: 'SEQCHAIN_ERR_MALFORMED_MESSAGE',
      details: { stream: 'digest', reason: 'bad_magic', topic: digestTopic, partition: 1, offset },
    });
    const ready = await getJson(`${api}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body.checks.sequencing).toMatchObject({ ok: false });
    expect(ready.body.checks.sequencing.detail).toContain(where);

    // Nothing more is sequenced: the replica stopped rather than guess.
    const before = await f.set.sequenced();
    await f.produce(200);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await f.set.sequenced()).toBe(before);

    const { code, report } = await verify(f.chain);
    expect(report.firstBreak ?? null).toBeNull();
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
    expect(BigInt(report.lastSeq)).toBe(BigInt(before));
  }, 90_000);
});

describe('a source record above worker.maxRecordBytes stops its partition, never skipped', () => {
  const LIMIT = 2_048;
  let f: ChainFixture;
  let raised: ReplicaSet | null = null;
  let api: string;

  beforeAll(async () => {
    f = new ChainFixture({ SEQCHAIN_WORKER_MAX_RECORD_BYTES: String(LIMIT) });
    await f.startSequenced(2, 300);
    api = await f.set.apiUrl(`${f.chain}-r1`);
  }, 180_000);

  afterAll(async () => {
    await raised?.close();
    await f?.close();
  });

  it('stops partition 0 at the big record with SEQCHAIN_ERR_RECORD_TOO_LARGE; partition 1 goes on; a higher limit then sequences everything exactly once', async () => {
    const producer = f.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const small = (n: number, partition: number) => Array.from({ length: n }, (_, i) => ({ partition, value: Buffer.from(`small-${partition}-${i}`) }));
    const [big] = await producer.send({ topic: f.topic, acks: -1, messages: [{ partition: 0, key: 'big', value: Buffer.alloc(LIMIT + 1, 7) }] });
    await producer.send({ topic: f.topic, acks: -1, messages: [...small(50, 0), ...small(50, 1)] });
    await producer.disconnect();
    const bigOffset = big!.baseOffset!;

    // Partition 1's 50 records are sequenced; partition 0 stops right below the big record.
    await waitFor('partition 1 sequenced', async () => (await f.set.sequenced()) >= 350, 60_000, 100);
    await waitFor('the stall is counted', async () => (await metric(api, /^seqchain_records_too_large_total\{.*partition="0"/)) === 1, 30_000, 100);
    expect(await metric(api, /^seqchain_worker_stalled_partitions\{/)).toBe(1);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await f.set.sequenced()).toBe(350);

    const status = await getJson(`${api}/v1/status`);
    expect(status.body.replica.stalledPartitions).toEqual([
      expect.objectContaining({ code: 'SEQCHAIN_ERR_RECORD_TOO_LARGE', partition: 0, offset: bigOffset, size: LIMIT + 1 + 3, limit: LIMIT }),
    ]);
    const ready = await getJson(`${api}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body.checks.worker.detail).toContain(`source topic ${f.topic} partition 0 offset ${bigOffset}`);
    const log = readFileSync(join(REPO, '.stack', 'test-logs', f.chain, `${f.chain}-r1.log`), 'utf8');
    expect(log).toContain('SEQCHAIN_ERR_RECORD_TOO_LARGE');
    const rows = await f.ledgerRows();
    expect(rows.filter((r) => r.partition === 0 && r.offset >= BigInt(bigOffset))).toEqual([]);

    // Raise the limit and restart: the big record and everything after it is sequenced, once.
    await f.set.stopAll();
    raised = new ReplicaSet({
      chain: f.chain,
      logDir: join(REPO, '.stack', 'test-logs', f.chain, 'raised'),
      env: { SEQCHAIN_WORKER_MAX_RECORD_BYTES: String(LIMIT * 4) },
    });
    raised.start(`${f.chain}-r2`);
    await waitFor('all 401 sequenced', async () => (await raised!.sequenced()) >= 401, 90_000, 100);
    await raised.stopAll();
    expect(invariantOneViolations(await f.sourcePositions(), await f.ledgerRows())).toEqual([]);
    const { code, report } = await verify(f.chain);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
  }, 180_000);
});
