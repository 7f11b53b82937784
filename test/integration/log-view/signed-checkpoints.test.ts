/**
 * The log view's signed checkpoints on the real stack (issue 12, docs/LOG.md): the leader signs a
 * checkpoint with every cut and writes it in the ledger with the cut (SCM2); a new leader rebuilds
 * the tree before it signs; verify checks every checkpoint against the tree it recomputes from the
 * ledger, and signatures under the pinned key — which a writer without the key cannot forge.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, ReplicaSet, runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { linkHash } from '../../../src/chain/link.js';
import { recordDigest } from '../../../src/chain/record-digest.js';
import { decodeEpoch, encodeEpoch } from '../../../src/coordination/epoch.js';
import { kafkaNames } from '../../../src/kafka/names.js';
import { toSourceRecord } from '../../../src/kafka/source-record.js';
import {
  consistencyProof,
  NoteSigner,
  type NoteVerifier,
  openCheckpoint,
  parseVerifierKey,
  recordLeafHash,
  signCheckpoint,
  TileHashStore,
  TreeBorder,
  verifyConsistency,
} from '../../../src/tlog/index.js';
import { type CutEntry, type CutMessage, encodeCutMessageV2 } from '../../../src/wire/ledger.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';
import { appendLedger, rewriteZnode, topicRecords, verifyCli } from '../../helpers/tamper.js';

const keys = mkdtempSync(join(tmpdir(), 'seqchain-log-view-'));
let fixtures: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const f of fixtures.reverse()) await f.close();
  fixtures = [];
});

/** `seqchain log-keygen`: the key file (mode 0600) and the verifier key it prints. */
async function keygen(origin: string): Promise<{ file: string; verifier: NoteVerifier }> {
  const file = join(keys, `${origin.replace(/\W/g, '_')}.key`);
  const out = await runCli(['log-keygen', '--origin', origin, '--out', file]);
  expect(out.code).toBe(0);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const verifier = parseVerifierKey(out.stdout.trim());
  expect(verifier.name).toBe(origin);
  // Never overwritten: a key that signed checkpoints must not be lost.
  expect((await runCli(['log-keygen', '--origin', origin, '--out', file])).code).toBe(2);
  return { file, verifier };
}

function logViewEnv(origin: string, file: string): Record<string, string> {
  return { SEQCHAIN_LOG_VIEW_ENABLED: 'true', SEQCHAIN_LOG_VIEW_ORIGIN: origin, SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: file };
}

/**
 * Recomputes the tree from the ledger's digests (src/tlog, independent of the verifier), checking
 * every SCM2 cut's checkpoint (signature, size, root) and border; returns the checkpoints by cut.
 */
function checkCheckpoints(cuts: CutMessage[], key: NoteVerifier) {
  const border = TreeBorder.empty();
  const store = new TileHashStore();
  const checkpoints: { cut: CutMessage; size: number; root: Buffer }[] = [];
  for (const cut of cuts) {
    cut.entries.forEach((e, i) => {
      store.add(border.append(recordLeafHash(cut.firstSeq + BigInt(i), e.digest)));
    });
    if (!cut.log) continue;
    const { checkpoint } = openCheckpoint(cut.log.checkpoint, [key], key.name);
    expect(checkpoint.size).toBe(Number(cut.lastSeq));
    expect(checkpoint.root.equals(border.root())).toBe(true);
    expect(cut.log.border.equals(border.encode())).toBe(true);
    checkpoints.push({ cut, size: checkpoint.size, root: checkpoint.root });
  }
  return { checkpoints, store };
}

/** The replicas' "tree border rebuilt" log lines (how each term rebuilt it, and how long it took). */
function rebuildLines(chain: string): { from: string; ms: number; seq: string }[] {
  const dir = join(REPO, '.stack', 'test-logs', chain);
  return readdirSync(dir)
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((l) => l.includes('log view: tree border rebuilt'))
    .map((l) => JSON.parse(l) as { from: string; ms: number; seq: string });
}

describe('signed checkpoints in the ledger (3 replicas, real Kafka and ZooKeeper)', () => {
  it('every cut carries a checkpoint signed by the key whose root is the ledger tree, across a leader SIGKILL; verify checks them; a forged cut is named', async () => {
    const origin = `example.com/${randomName()}`;
    const { file, verifier } = await keygen(origin);
    const f = new ChainFixture(logViewEnv(origin, file));
    fixtures.push(f);
    await f.init(6);
    for (let i = 1; i <= 3; i++) f.set.start(`${f.chain}-r${i}`);
    await waitFor('a leader', async () => (await f.set.leader()) ?? undefined, 60_000);
    const RECORDS = 20_000;
    const producing = f.produce(RECORDS, { rate: 8_000 });
    await waitFor('some records sequenced', async () => (await f.set.sequenced()) >= 5_000, 60_000, 20);
    const victim = (await f.set.leader())!;
    await f.set.kill(victim.replicaId, 'SIGKILL');
    await producing;
    await waitFor(`${RECORDS} sequenced`, async () => (await f.set.sequenced()) >= RECORDS, 120_000, 200);
    const successor = (await f.set.leader())!;
    expect(successor.epoch).toBeGreaterThan(victim.epoch);
    await f.set.stopAll();

    const cuts = (await f.ledgerMessages()).filter((m): m is CutMessage => m.kind === 'cut');
    expect(cuts.every((c) => c.log !== undefined)).toBe(true);
    const { checkpoints, store } = checkCheckpoints(cuts, verifier);
    expect(checkpoints.at(-1)!.size).toBe(RECORDS);
    // The last checkpoint of the killed leader and the first of its successor: the later tree extends the earlier.
    const before = checkpoints.filter((c) => c.cut.epoch === victim.epoch).at(-1)!;
    const after = checkpoints.find((c) => c.cut.epoch > victim.epoch && c.size > before.size)!;
    verifyConsistency(before.size, after.size, consistencyProof(store, before.size, after.size), before.root, after.root);
    const last = checkpoints.at(-1)!;
    verifyConsistency(before.size, last.size, consistencyProof(store, before.size, last.size), before.root, last.root);
    // The successor rebuilt its border from the killed leader's last cut, not from the genesis.
    expect(rebuildLines(f.chain).some((l) => l.from === 'tail' && BigInt(l.seq) > 0n)).toBe(true);

    const pinned = await verifyCli(f, ['--key', verifier.verifierKey]);
    expect(pinned.report.firstBreak).toBeNull();
    expect(pinned.code).toBe(0);
    expect(pinned.report.logView).toMatchObject({ checkpoints: cuts.length, signaturesChecked: true, treeSize: RECORDS, keySource: '--key' });
    // Created with the view on: the genesis record holds the key, and verify falls back to it, saying so.
    expect(f.genesis.logVerifierKey).toBe(verifier.verifierKey);
    const unpinned = await runCli(['verify'], { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' });
    expect(unpinned.code).toBe(0);
    expect(unpinned.stdout).toMatch(/signatures checked under .* \(no --key: fell back to the genesis record \(not hashed: pin it with --key\)\)/);
    const fallback = await runCli(['verify'], { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn', SEQCHAIN_LOG_VIEW_VERIFIER_KEY: verifier.verifierKey });
    expect(fallback.stdout).toMatch(/signatures checked under .* \(no --key: fell back to logView\.verifierKey\)/);

    // A writer with seqchain's transactional.id and ZooKeeper access, but not the key (the gap
    // docs/SECURITY.md names): it bumps the epoch, fences, and appends a well-linked cut that
    // sequences a real source record, with a correct tree, signed under its own key of the same name.
    await f.produce(1);
    const tail = cuts.at(-1)!;
    const records = await topicRecords(f, f.topic);
    const p = records.findIndex((rs, q) => rs.length > 0 && BigInt(rs.at(-1)!.offset) >= tail.coverage[q]!.sourceNext);
    const m = records[p]!.at(-1)!;
    const entry: CutEntry = { partition: p, offset: BigInt(m.offset), timestampMs: BigInt(m.timestamp), digest: recordDigest(toSourceRecord(f.topic, p, m)) };
    const epoch = decodeEpoch(await rewriteZnode(f, 'epoch', (d) => encodeEpoch(decodeEpoch(d) + 1n))) + 1n;
    const seq = tail.lastSeq + 1n;
    const forgedBorder = TreeBorder.decode(Number(tail.lastSeq), tail.log!.border);
    forgedBorder.append(recordLeafHash(seq, entry.digest));
    const forger = NoteSigner.generate(origin);
    const cut = {
      epoch,
      cutId: tail.cutId + 1n,
      firstSeq: seq,
      lastSeq: seq,
      prevHash: tail.headHash,
      headHash: linkHash(tail.headHash, seq, entry.digest),
      closedAtMs: BigInt(Date.now()),
      coverage: tail.coverage.map((c, q) => (q === p ? { ...c, sourceNext: entry.offset + 1n } : c)),
      entries: [entry],
    };
    const checkpoint = signCheckpoint({ origin, size: forgedBorder.size, root: forgedBorder.root() }, forger);
    const [at] = await appendLedger(f, [encodeCutMessageV2({ ...cut, log: { checkpoint, border: forgedBorder.encode() } })], {
      transactionalId: kafkaNames.transactionalId(f.chain),
    });
    // Without the key, nothing tells it from a new leader's cut: the gap (here closed by the genesis
    // record's key, which verify falls back to; a verifier pins the key out of band).
    const fromGenesis = await verifyCli(f);
    expect(fromGenesis.code).toBe(1);
    expect(fromGenesis.report.firstBreak).toMatchObject({ kind: 'checkpoint-signature', seq: String(seq) });
    const caught = await verifyCli(f, ['--key', verifier.verifierKey]);
    expect(caught.code).toBe(1);
    expect(caught.report.firstBreak).toMatchObject({ kind: 'checkpoint-signature', seq: String(seq), ledgerOffset: String(at) });
    expect(caught.report.firstBreak!.message).toMatch(
      new RegExp(`cut ${cut.cutId} at ledger offset ${at} \\(seq ${seq}\\): checkpoint is not signed by the pinned key`),
    );
  }, 300_000);

  it('switched on for an existing chain: the leader rebuilds the tree over the SCM1 cuts, then signs; verify checks the mixed ledger', async () => {
    const origin = `example.com/${randomName()}`;
    const { file, verifier } = await keygen(origin);
    const f = new ChainFixture();
    fixtures.push(f);
    const BEFORE = 100_000;
    await f.startSequenced(3, BEFORE);
    await f.set.stopAll();
    const on = new ReplicaSet({ chain: f.chain, logDir: join(REPO, '.stack', 'test-logs', f.chain), env: logViewEnv(origin, file), logger: f.logger });
    fixtures.push(on);
    on.start(`${f.chain}-on1`);
    await waitFor('the log-view leader', async () => (await on.leader())?.replicaId === `${f.chain}-on1` || undefined, 60_000);
    await f.produce(2_000);
    await waitFor(`${BEFORE + 2_000} sequenced`, async () => (await on.sequenced()) >= BEFORE + 2_000, 120_000, 100);
    await on.stopAll();

    const cuts = (await f.ledgerMessages()).filter((m): m is CutMessage => m.kind === 'cut');
    const firstSigned = cuts.findIndex((c) => c.log !== undefined);
    expect(firstSigned).toBeGreaterThan(0);
    expect(cuts.slice(0, firstSigned).every((c) => c.log === undefined && c.lastSeq <= BigInt(BEFORE))).toBe(true);
    expect(cuts.slice(firstSigned).every((c) => c.log !== undefined)).toBe(true);
    const { checkpoints } = checkCheckpoints(cuts, verifier);
    expect(checkpoints.at(-1)!.size).toBe(BEFORE + 2_000);
    const rebuilt = rebuildLines(f.chain).find((l) => l.from === 'ledger');
    expect(rebuilt).toMatchObject({ seq: String(BEFORE) });
    // The figure docs/LOG.md quotes: reading and hashing 100,000 records' cuts from the ledger.
    console.log(`[log view] rebuilt the tree over ${BEFORE} records from the ledger in ${rebuilt!.ms} ms`);

    // A chain created with the view off has no key in its genesis: without --key, signatures are not checked.
    const unpinned = await runCli(['verify'], { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' });
    expect(unpinned.code).toBe(0);
    expect(unpinned.stdout).toMatch(/log view +\d+ checkpoints checked against the tree .*; signatures NOT checked \(no key: pass --key/);
    const run = await verifyCli(f, ['--key', verifier.verifierKey]);
    expect(run.report.firstBreak).toBeNull();
    expect(run.code).toBe(0);
    expect(run.report.logView).toMatchObject({ checkpoints: cuts.length - firstSigned, signaturesChecked: true, treeSize: BEFORE + 2_000 });
  }, 300_000);

  it('a replica with the log view on fails at start without its key file (one line), or with a key file others may read', async () => {
    const origin = `example.com/${randomName()}`;
    const f = new ChainFixture();
    fixtures.push(f);
    await f.init(1);
    const env = { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn', SEQCHAIN_LOG_VIEW_ENABLED: 'true', SEQCHAIN_LOG_VIEW_ORIGIN: origin };
    const missing = await runCli(['run'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^seqchain: SEQCHAIN_ERR_CONFIG: invalid configuration: logView\.signingKeyFile is required when logView\.enabled is true/),
    ]);

    const signer = NoteSigner.generate(origin);
    const loose = join(keys, `${randomName()}.key`);
    writeFileSync(loose, `${signer.format()}\n`, { mode: 0o644 });
    const refused = await runCli(['run'], { ...env, SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: loose });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/SEQCHAIN_ERR_CONFIG: invalid configuration: logView\.signingKeyFile: .* has loose permissions \(mode 0644\)/);
    expect(refused.stderr).not.toContain(signer.format().split('+').at(-1));
  }, 60_000);
});

function randomName(): string {
  return Math.random().toString(36).slice(2, 10);
}
