/**
 * Offline proofs on the real stack (issue 12 part 4, docs/LOG.md "Offline proofs"): a record
 * printed by `seqchain tail --json`, its c2sp.org/tlog-proof@v1 file from `seqchain prove` (the
 * API found in ZooKeeper), checked by `seqchain check-proof` with no network, and by Go's
 * sumdb/note and sumdb/tlog from the same file. Each tampered part fails with exit 1, named.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { NoteSigner, parseTlogProof, parseVerifierKey } from '../../../src/tlog/index.js';
import type { CutMessage } from '../../../src/wire/ledger.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';
import { runGoInterop } from '../../helpers/go-interop.js';

const dir = mkdtempSync(join(tmpdir(), 'seqchain-offline-proof-'));
let fixtures: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const f of fixtures.reverse()) await f.close();
  fixtures = [];
});

describe('seqchain prove and check-proof (real Kafka, ZooKeeper, Redis)', () => {
  it('a tail --json record, its prove file and check-proof agree, Go accepts the file, and each tampered part fails with exit 1, named', async () => {
    const origin = `example.com/offline-${randomBytes(4).toString('hex')}`;
    const keyFile = join(dir, 'log.key');
    const gen = await runCli(['log-keygen', '--origin', origin, '--out', keyFile]);
    expect(gen.code).toBe(0);
    const vkey = gen.stdout.trim();

    const f = new ChainFixture({ SEQCHAIN_LOG_VIEW_ENABLED: 'true', SEQCHAIN_LOG_VIEW_ORIGIN: origin, SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: keyFile });
    fixtures.push(f);
    const RECORDS = 3_000;
    await f.init(3);
    f.set.start(`${f.chain}-r1`);
    await waitFor('a leader', async () => (await f.set.leader()) ?? undefined, 60_000);
    await f.produce(RECORDS, { rate: 5_000 });
    await waitFor(`${RECORDS} sequenced`, async () => (await f.set.sequenced()) >= RECORDS, 120_000, 100);
    const url = await f.set.apiUrl(`${f.chain}-r1`);
    await waitFor(
      `the checkpoint of size ${RECORDS}`,
      async () => {
        const r = await fetch(`${url}/checkpoint`);
        return r.ok && (await r.text()).split('\n')[1] === String(RECORDS);
      },
      60_000,
      100,
    );
    const env = { SEQCHAIN_CHAIN: f.chain };
    // In the first half, so that later cuts (signed sizes) and sizes no cut ended at lie between it and the head.
    const SEQ = 1 + Math.floor(Math.random() * (RECORDS / 2));

    // The record as tail prints it.
    const tail = await runCli(['tail', '--from', String(SEQ), '--to', String(SEQ), '--json'], env);
    expect(tail.code, tail.stderr).toBe(0);
    const recordFile = join(dir, 'record.json');
    writeFileSync(recordFile, tail.stdout);
    const record = JSON.parse(tail.stdout) as { seq: string; value: string; digest: string };
    expect(record.seq).toBe(String(SEQ));

    // prove: stdout, and the same bytes with --out.
    const proved = await runCli(['prove', String(SEQ)], env);
    expect(proved.code, proved.stderr).toBe(0);
    const proofFile = join(dir, 'record.tlog-proof');
    expect((await runCli(['prove', String(SEQ), '--out', proofFile], env)).code).toBe(0);
    expect(readFileSync(proofFile, 'utf8')).toBe(proved.stdout);
    const proof = parseTlogProof(proved.stdout);
    expect(proof.index).toBe(SEQ - 1);
    expect(proof.checkpoint.split('\n').slice(0, 2)).toEqual([origin, String(RECORDS)]);

    // The tail line names its topic: the line and the proof file are all check-proof needs.
    expect((record as unknown as { topic: string }).topic).toBe(f.topic);
    const topic = ['--topic', f.topic];
    const check = (proofPath: string, recordPath = recordFile, key = vkey, more: string[] = []) =>
      runCli(['check-proof', proofPath, '--key', key, '--record', recordPath, ...more]);
    const ok = await check(proofFile);
    expect(ok.code, ok.stderr).toBe(0);
    const keyId = parseVerifierKey(vkey).keyId.toString(16).padStart(8, '0');
    expect(ok.stdout).toBe(`ok: seq ${SEQ} is in ${origin} at tree size ${RECORDS} (signed by ${origin}+${keyId})\n`);
    const okJson = await check(proofFile, recordFile, vkey, ['--json']);
    expect(JSON.parse(okJson.stdout)).toMatchObject({
      ok: true,
      seq: String(SEQ),
      leafIndex: String(SEQ - 1),
      treeSize: String(RECORDS),
      origin,
      digest: record.digest,
    });
    // Key rotation: another pinned key beside the log's does not hurt.
    expect((await check(proofFile, recordFile, vkey, ['--key', NoteSigner.generate(origin).verifierKey])).code).toBe(0);

    // --size: a size a cut ended at proves against that cut's checkpoint; another size falls back to the latest, said on stderr.
    const signed = (await f.ledgerMessages())
      .filter((m): m is CutMessage => m.kind === 'cut' && m.log !== undefined)
      .map((c) => Number(c.lastSeq))
      .filter((s) => s >= SEQ && s < RECORDS);
    expect(signed.length).toBeGreaterThan(0);
    {
      const older = await runCli(['prove', String(SEQ), '--size', String(signed[0])], env);
      expect(older.code, older.stderr).toBe(0);
      expect(parseTlogProof(older.stdout).checkpoint.split('\n')[1]).toBe(String(signed[0]));
      const olderFile = join(dir, 'older.tlog-proof');
      writeFileSync(olderFile, older.stdout);
      expect((await check(olderFile)).stdout).toContain(`at tree size ${signed[0]}`);
    }
    const cutEnds = new Set((await f.ledgerMessages()).filter((m): m is CutMessage => m.kind === 'cut' && m.log !== undefined).map((c) => Number(c.lastSeq)));
    const between = [...Array(RECORDS - SEQ + 1).keys()].map((i) => SEQ + i).find((s) => !cutEnds.has(s));
    expect(between).toBeDefined();
    {
      const fallback = await runCli(['prove', String(SEQ), '--size', String(between)], env);
      expect(fallback.code, fallback.stderr).toBe(0);
      expect(fallback.stderr).toContain(`no signed checkpoint at size ${between}`);
      expect(parseTlogProof(fallback.stdout).checkpoint.split('\n')[1]).toBe(String(RECORDS));
    }

    // Go's reference implementation reads the same file.
    const go = runGoInterop({ verifierKey: vkey, proofFile, proofSeq: SEQ, proofDigest: record.digest });
    expect(go.errors).toEqual([]);
    expect(go).toMatchObject({ proofFileOrigin: origin, proofFileIndex: SEQ - 1, proofFileSize: RECORDS, proofFilePassed: true, proofFileTamperFailed: true });

    // Tampering: each part fails with exit 1 and names itself.
    const write = (name: string, text: string): string => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    const expectFailure = async (run: Promise<{ code: number | null; stderr: string }>, part: string, code: string) => {
      const r = await run;
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^seqchain: check-proof: SEQCHAIN_ERR_${code}: ${part}: `));
    };
    const value = Buffer.from(record.value, 'base64');
    value[0]! ^= 1;
    const tamperedRecord = write('value.json', JSON.stringify({ ...JSON.parse(tail.stdout), value: value.toString('base64') }));
    await expectFailure(check(proofFile, tamperedRecord), 'record', 'RECORD_MISMATCH');

    const lines = proved.stdout.split('\n');
    const hash = Buffer.from(lines[2]!, 'base64');
    hash[5]! ^= 0x80;
    const tamperedProof = write('hash.tlog-proof', [...lines.slice(0, 2), hash.toString('base64'), ...lines.slice(3)].join('\n'));
    await expectFailure(check(tamperedProof), 'proof', 'PROOF_INVALID');

    const sigLine = lines.findIndex((l) => l.startsWith('\u2014 '));
    const [dash, name, sig] = lines[sigLine]!.split(' ') as [string, string, string];
    const sigBytes = Buffer.from(sig, 'base64');
    sigBytes[10]! ^= 1;
    const tamperedSig = write('sig.tlog-proof', lines.map((l, i) => (i === sigLine ? `${dash} ${name} ${sigBytes.toString('base64')}` : l)).join('\n'));
    await expectFailure(check(tamperedSig), 'checkpoint', 'SIGNATURE_INVALID');

    await expectFailure(check(proofFile, recordFile, NoteSigner.generate(origin).verifierKey), 'checkpoint', 'NOTE_UNVERIFIED');
    await expectFailure(check(write('index.tlog-proof', proved.stdout.replace(`index ${SEQ - 1}\n`, `index ${SEQ}\n`))), 'index', 'PROOF_INVALID');
    await expectFailure(check(write('garbled.tlog-proof', proved.stdout.replace('tlog-proof@v1', 'tlog-proof@v9'))), 'proof-file', 'MALFORMED_MESSAGE');

    // --topic agrees with the line's: still proven.
    expect((await check(proofFile, recordFile, vkey, topic)).code).toBe(0);
    // Usage: a file that is not there, a key that does not parse, a line without its topic and no --topic: exit 2.
    const noTopic = write('no-topic.json', `${JSON.stringify({ ...record, topic: undefined })}\n`);
    for (const args of [
      ['check-proof', join(dir, 'missing'), '--key', vkey, '--record', recordFile],
      ['check-proof', proofFile, '--key', 'not-a-key', '--record', recordFile],
      ['check-proof', proofFile, '--key', vkey, '--record', noTopic],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/SEQCHAIN_ERR_USAGE/);
    }
    // prove of a seq beyond the tree: the API's 400, naming seq.
    const beyond = await runCli(['prove', String(RECORDS + 10)], env);
    expect(beyond.code).toBe(2);
    expect(beyond.stderr).toContain('seq');
  }, 240_000);
});
