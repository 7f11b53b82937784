import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IHeaders, Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAll } from '../../helpers/read-all.js';
import { runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { loadKeyring } from '../../../src/config/key-file.js';
import { ChainBrokenError, SealError } from '../../../src/errors.js';
import { topicOffsets, withAdmin } from '../../../src/kafka/offsets.js';
import type { SequencedReaderOptions } from '../../../src/reader/options.js';
import type { SequencedRecordJson } from '../../../src/reader/record-json.js';
import type { Keyring } from '../../../src/seal/keyring.js';
import { SEAL_KEY_ID_HEADER, sealValue } from '../../../src/seal/sealed-value-v1.js';
import { ChainFixture, type LedgerRow } from '../../helpers/chain-fixture.js';
import { copySourceTopic, deleteTopic } from '../../helpers/tamper.js';

/**
 * Sealed payloads on the real stack (docs/CONSUMING.md, "Sealed payloads"): a chain whose source
 * holds plain records and records sealed under two key ids (rotation), some written with kafkajs
 * and `sealValue`, some with `seqchain produce --seal-key-file`, and one sealed record whose tag a
 * producer corrupted on purpose (the chain covers it: it verifies, it does not open). Read back
 * with the library reader and `seqchain tail`, with the right, an old, a wrong and a loose key
 * file; verified by `seqchain verify` without any key.
 */
const PARTITIONS = 2;
const KAFKAJS_RECORDS = 30;
const CLI_RECORDS = 20;
const GOOD = KAFKAJS_RECORDS + CLI_RECORDS;
const K_OLD = Buffer.alloc(32, 0x11);
const K_NEW = Buffer.alloc(32, 0x22);

let f: ChainFixture;
let dir: string;
let env: Record<string, string>;
let rows: LedgerRow[];
/** Key files: `new` (k-new seals, k-old kept: after rotation), `old` (k-old only), `wrong` (k-old's id, another key), `loose` (0644). */
const keyFile: Record<'new' | 'old' | 'wrong' | 'loose', string> = { new: '', old: '', wrong: '', loose: '' };
let ringNew: Keyring;
let ringOld: Keyring;
let ringWrong: Keyring;
const copies: string[] = [];

/** What the kafkajs producer wrote, by `<partition>/<offset>`: the plaintext and the key it was sealed under (null: plain). */
const sent = new Map<string, { plaintext: Buffer; keyId: string | null; stored: Buffer }>();
/** Where the record with the corrupt tag is. */
let badTag: { partition: number; offset: bigint };

function writeKeyFile(name: string, lines: [string, Buffer][], mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, `# ${name}\n${lines.map(([id, k]) => `${id} ${k.toString('base64')}`).join('\n')}\n`, { mode });
  chmodSync(path, mode);
  return path;
}

async function send(messages: (Message & { partition: number })[]): Promise<{ partition: number; offset: bigint }[]> {
  const producer = f.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const at: { partition: number; offset: bigint }[] = [];
  try {
    // One message per send: the offsets are known exactly.
    for (const m of messages) {
      const [meta] = await producer.send({ topic: f.topic, messages: [m], acks: -1 });
      at.push({ partition: m.partition, offset: BigInt(meta!.baseOffset!) });
    }
  } finally {
    await producer.disconnect();
  }
  return at;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seqchain-sealed-'));
  keyFile.new = writeKeyFile('keys-new', [
    ['k-new', K_NEW],
    ['k-old', K_OLD],
  ]);
  keyFile.old = writeKeyFile('keys-old', [['k-old', K_OLD]]);
  keyFile.wrong = writeKeyFile('keys-wrong', [
    ['k-new', K_NEW],
    ['k-old', Buffer.alloc(32, 0x33)],
  ]);
  keyFile.loose = writeKeyFile('keys-loose', [['k-new', K_NEW]], 0o644);
  ringNew = loadKeyring(keyFile.new);
  ringOld = loadKeyring(keyFile.old);
  ringWrong = loadKeyring(keyFile.wrong);

  f = new ChainFixture();
  await f.init(PARTITIONS);
  f.set.start(`${f.chain}-r1`);
  await waitFor('a leader', async () => (await f.set.leader()) ?? undefined, 60_000);
  env = { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' };

  // Plain, sealed under k-old (before rotation), sealed under k-new (after), in turn.
  const messages = Array.from({ length: KAFKAJS_RECORDS }, (_, i) => {
    const plaintext = Buffer.from(`value ${i} é`);
    const ring = i % 3 === 1 ? ringOld : i % 3 === 2 ? ringNew : null;
    const sealed = ring ? sealValue(ring, f.topic, plaintext) : null;
    const headers: IHeaders = { trace: `t${i}`, ...(sealed ? sealed.headers : {}) };
    return { partition: i % PARTITIONS, key: `key-${i}`, value: sealed ? sealed.value : plaintext, headers, plaintext, keyId: ring?.sealingKeyId ?? null };
  });
  const at = await send(messages.map(({ partition, key, value, headers }) => ({ partition, key, value, headers })));
  messages.forEach((m, i) => {
    sent.set(`${at[i]!.partition}/${at[i]!.offset}`, { plaintext: m.plaintext, keyId: m.keyId, stored: m.value });
  });

  const produced = await runCli(['produce', '--topic', f.topic, '--count', String(CLI_RECORDS), '--size', '16', '--seal-key-file', keyFile.new, '--json'], env);
  expect(produced.stderr).not.toMatch(/SEQCHAIN_ERR/);
  expect(produced.code).toBe(0);
  expect(JSON.parse(produced.stdout)).toMatchObject({ records: CLI_RECORDS, sealedWith: 'k-new' });
  await waitFor(`${GOOD} sequenced`, async () => (await f.set.sequenced()) >= GOOD, 120_000, 100);
  rows = await f.ledgerRows();
  expect(rows).toHaveLength(GOOD);

  // A producer that sealed wrongly: the tag's last bit flipped before sending. The chain sequences it as stored.
  const sealed = sealValue(ringNew, f.topic, 'corrupt tag');
  sealed.value[sealed.value.length - 1]! ^= 0x01;
  [badTag] = (await send([{ partition: 1, key: 'bad', value: sealed.value, headers: sealed.headers }])) as [{ partition: number; offset: bigint }];
  await waitFor(`${GOOD + 1} sequenced`, async () => (await f.set.sequenced()) >= GOOD + 1, 60_000, 100);
}, 180_000);

afterAll(async () => {
  for (const t of copies) if (f) await deleteTopic(f, t);
  await f?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const opts = (more: Partial<SequencedReaderOptions> = {}): SequencedReaderOptions => ({
  kafka: f.kafka,
  chain: f.chain,
  genesis: f.genesis,
  logger: f.logger,
  until: BigInt(GOOD),
  ...more,
});

/** The first good record (by seq) sealed under `keyId`, as the kafkajs producer sent it. */
function firstSealedWith(keyId: string): LedgerRow {
  return rows.find((r) => sent.get(`${r.partition}/${r.offset}`)?.keyId === keyId)!;
}
const cli = (args: string[]) => runCli(args, env);
const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as SequencedRecordJson);

const withoutProgress = (stderr: string): string => stderr.replace(/^tail: .*\n/gm, '');

describe('sealed payloads: the reader', () => {
  it('with a keyring holding both key ids: plain and sealed records mixed read back equal to what was produced, in the ledger order', async () => {
    const { records, error } = await readAll(opts({ keyring: ringNew }));
    expect(error).toBeNull();
    expect(records.map((r) => [r.seq, r.partition, r.offset])).toEqual(rows.map((r) => [r.seq, r.partition, r.offset]));
    let byCli = 0;
    const keyIds = new Set<string>();
    for (const r of records) {
      const s = sent.get(`${r.partition}/${r.offset}`);
      if (s === undefined) {
        // `seqchain produce --seal-key-file`: 16-byte values, every one sealed under the file's first key.
        byCli++;
        expect(r.value).toHaveLength(16);
        expect(r.sealed?.keyId).toBe('k-new');
        expect(r.sealed!.value.subarray(0, 4).toString('latin1')).toBe('SCE1');
        continue;
      }
      expect(r.value).toEqual(s.plaintext);
      if (s.keyId === null) expect(r.sealed).toBeUndefined();
      else {
        expect(r.sealed).toEqual({ keyId: s.keyId, value: s.stored });
        // Headers as stored: the key-id header stays.
        expect(r.headers.filter((h) => h.name === SEAL_KEY_ID_HEADER).map((h) => h.value?.toString())).toEqual([s.keyId]);
        keyIds.add(s.keyId);
      }
      expect(r.headers.find((h) => h.name === 'trace')).toBeDefined();
    }
    expect(byCli).toBe(CLI_RECORDS);
    expect([...keyIds].sort()).toEqual(['k-new', 'k-old']);
  }, 60_000);

  it('without a keyring: sealed records come as stored (the envelope), with the same digests and hashes', async () => {
    const plain = await readAll(opts());
    const opened = await readAll(opts({ keyring: ringNew }));
    expect(plain.error).toBeNull();
    expect(plain.records.map((r) => r.hash.toString('hex'))).toEqual(opened.records.map((r) => r.hash.toString('hex')));
    expect(plain.records.map((r) => r.digest.toString('hex'))).toEqual(opened.records.map((r) => r.digest.toString('hex')));
    for (const r of plain.records) {
      expect(r.sealed).toBeUndefined();
      const s = sent.get(`${r.partition}/${r.offset}`);
      if (s) expect(r.value).toEqual(s.stored);
      else expect(r.value!.subarray(0, 4).toString('latin1')).toBe('SCE1');
    }
  }, 60_000);

  it('an old keyring (k-old only): SEQCHAIN_ERR_SEAL_UNKNOWN_KEY at the first record sealed under k-new, nothing from it on', async () => {
    const first = rows.find((r) => {
      const s = sent.get(`${r.partition}/${r.offset}`);
      return s === undefined || s.keyId === 'k-new';
    })!;
    const { records, error } = await readAll(opts({ keyring: ringOld }));
    expect(error).toBeInstanceOf(SealError);
    expect((error as SealError).code).toBe('SEQCHAIN_ERR_SEAL_UNKNOWN_KEY');
    expect((error as SealError).details).toMatchObject({
      keyId: 'k-new',
      seq: first.seq.toString(),
      partition: first.partition,
      offset: first.offset.toString(),
    });
    expect((error as SealError).message).toMatch(new RegExp(`^seq ${first.seq} \\(partition ${first.partition}, offset ${first.offset}\\): `));
    expect(records.map((r) => r.seq)).toEqual(rows.filter((r) => r.seq < first.seq).map((r) => r.seq));
  }, 60_000);

  it('a wrong key under a known id: SEQCHAIN_ERR_SEAL_OPEN_FAILED at the first record sealed under it', async () => {
    const first = firstSealedWith('k-old');
    const { records, error } = await readAll(opts({ keyring: ringWrong }));
    expect(error).toBeInstanceOf(SealError);
    expect((error as SealError).code).toBe('SEQCHAIN_ERR_SEAL_OPEN_FAILED');
    expect((error as SealError).retriable).toBe(false);
    expect((error as SealError).details).toMatchObject({ keyId: 'k-old', seq: first.seq.toString(), partition: first.partition });
    expect(records.map((r) => r.seq)).toEqual(rows.filter((r) => r.seq < first.seq).map((r) => r.seq));
  }, 60_000);

  it('a sealed record with a bad tag that the chain covers: the chain verifies it, opening it names its seq', async () => {
    const seq = BigInt(GOOD + 1);
    const plain = await readAll(opts({ from: seq, until: seq }));
    expect(plain.error).toBeNull();
    expect(plain.records.map((r) => [r.seq, r.partition, r.offset])).toEqual([[seq, badTag.partition, badTag.offset]]);
    const { records, error } = await readAll(opts({ keyring: ringNew, from: seq, until: seq }));
    expect(records).toEqual([]);
    expect(error).toBeInstanceOf(SealError);
    expect((error as SealError).code).toBe('SEQCHAIN_ERR_SEAL_OPEN_FAILED');
    expect((error as SealError).details).toMatchObject({ keyId: 'k-new', seq: seq.toString(), partition: badTag.partition, offset: badTag.offset.toString() });
  }, 60_000);

  it('a copy of the source with a sealed ciphertext altered: the chain break is reported first (digest mismatch), not an open error', async () => {
    const target = firstSealedWith('k-new');
    const copy = `${f.chain}.copy-sealed`;
    copies.push(copy);
    await copySourceTopic(f, copy, (p, o, m) => {
      if (p !== target.partition || o !== target.offset) return m;
      const value = Buffer.from(m.value as Buffer);
      value[20]! ^= 0x80;
      return { ...m, value };
    });
    const { records, error } = await readAll(opts({ keyring: ringNew, sourceTopic: copy }));
    expect(error).toBeInstanceOf(ChainBrokenError);
    expect((error as ChainBrokenError).details).toMatchObject({ kind: 'digest-mismatch', seq: target.seq.toString(), partition: target.partition });
    expect(records.map((r) => r.seq)).toEqual(rows.filter((r) => r.seq < target.seq).map((r) => r.seq));
  }, 60_000);
});

describe('sealed payloads: the CLI', () => {
  it('seqchain verify passes over sealed records (and the one with a bad tag) without any key', async () => {
    const run = await cli(['verify', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true });
  }, 60_000);

  it('tail --key-file prints the plaintexts and the key ids; without it, the envelopes', async () => {
    const opened = await cli(['tail', '--from', '1', '--to', String(GOOD), '--json', '--key-file', keyFile.new]);
    expect(opened.stderr).toBe('');
    expect(opened.code).toBe(0);
    const got = jsonLines(opened.stdout);
    expect(got).toHaveLength(GOOD);
    for (const r of got) {
      const s = sent.get(`${r.partition}/${r.offset}`);
      if (s === undefined) {
        expect(r.sealed).toEqual({ keyId: 'k-new' });
        expect(Buffer.from(r.value!, 'base64')).toHaveLength(16);
      } else {
        expect(Buffer.from(r.value!, 'base64')).toEqual(s.plaintext);
        expect(r.sealed).toEqual(s.keyId === null ? undefined : { keyId: s.keyId });
      }
    }
    const stored = jsonLines((await cli(['tail', '--from', '1', '--to', String(GOOD), '--json'])).stdout);
    expect(stored.map((r) => r.hash)).toEqual(got.map((r) => r.hash));
    expect(stored.every((r) => r.sealed === undefined)).toBe(true);
    const table = await cli(['tail', '--from', '1', '--to', String(GOOD), '--key-file', keyFile.new]);
    expect(table.stdout).toMatch(/\[opened, key k-old\]/);
  }, 60_000);

  it('tail --key-file with a wrong key: the records before it, then one line naming the seq, exit 2', async () => {
    const first = firstSealedWith('k-old');
    const run = await cli(['tail', '--from', '1', '--to', String(GOOD), '--json', '--key-file', keyFile.wrong]);
    expect(run.code).toBe(2);
    // On a loaded machine a run past 1 s shows progress lines ("tail: …") before the error.
    expect(withoutProgress(run.stderr)).toMatch(
      new RegExp(`^seqchain: SEQCHAIN_ERR_SEAL_OPEN_FAILED: seq ${first.seq} \\(partition ${first.partition}, offset ${first.offset}\\): [^\\n]*\\n$`),
    );
    expect(jsonLines(run.stdout).map((r) => r.seq)).toEqual(rows.filter((r) => r.seq < first.seq).map((r) => r.seq.toString()));
    const bad = await cli(['tail', '--from', String(GOOD + 1), '--key-file', keyFile.new]);
    expect(bad.code).toBe(2);
    expect(withoutProgress(bad.stderr)).toMatch(
      new RegExp(`^seqchain: SEQCHAIN_ERR_SEAL_OPEN_FAILED: seq ${GOOD + 1} \\(partition ${badTag.partition}, offset ${badTag.offset}\\)`),
    );
    expect(bad.stdout).toBe('');
  }, 60_000);

  it('a key file with mode 0644 is refused by tail and produce, naming the file; produce writes nothing', async () => {
    const before = await withAdmin(f.kafka, (admin) => topicOffsets(admin, f.topic));
    const tail = await cli(['tail', '--from', '1', '--key-file', keyFile.loose]);
    expect(tail.code).toBe(2);
    expect(tail.stdout).toBe('');
    expect(tail.stderr).toBe(
      `seqchain: SEQCHAIN_ERR_CONFIG: invalid configuration: --key-file: ${keyFile.loose} has loose permissions (mode 0644): group or others may access it; chmod 0600 ${keyFile.loose} or stricter\n`,
    );
    const produce = await cli(['produce', '--topic', f.topic, '--count', '5', '--seal-key-file', keyFile.loose]);
    expect(produce.code).toBe(2);
    expect(produce.stderr).toMatch(/^seqchain: SEQCHAIN_ERR_CONFIG: invalid configuration: --seal-key-file: .*keys-loose has loose permissions/);
    expect(await withAdmin(f.kafka, (admin) => topicOffsets(admin, f.topic))).toEqual(before);
    // The key never reaches the output.
    for (const out of [tail.stderr, produce.stderr]) expect(out).not.toContain(K_NEW.toString('base64'));
  }, 60_000);
});
