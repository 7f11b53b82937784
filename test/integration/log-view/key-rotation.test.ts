/**
 * The log's verifier key in the genesis, and key rotation, on the real stack (issue 12, docs/LOG.md
 * "Key rotation"). A chain created with the log view on carries its key in the genesis record
 * (ZooKeeper and the ledger's SCM2 genesis); verify falls back to it, saying so. A rotation
 * overlaps: the leaders sign with the new and the old key, then with the new one alone; every old
 * checkpoint keeps verifying under the key it was signed with, and a verifier pinning one key only
 * names the first cut that key did not sign.
 */
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, ReplicaSet, runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { parseNote, parseVerifierKey, type NoteVerifier } from '../../../src/tlog/index.js';
import type { CutMessage, GenesisMessage } from '../../../src/wire/ledger.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';
import { verifyCli } from '../../helpers/tamper.js';

const keys = mkdtempSync(join(tmpdir(), 'seqchain-key-rotation-'));
let fixtures: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const f of fixtures.reverse()) await f.close();
  fixtures = [];
});

async function keygen(origin: string, name: string): Promise<{ file: string; verifier: NoteVerifier }> {
  const file = join(keys, `${name}.key`);
  const out = await runCli(['log-keygen', '--origin', origin, '--out', file]);
  expect(out.code).toBe(0);
  return { file, verifier: parseVerifierKey(out.stdout.trim()) };
}

describe('the verifier key in the genesis, and key rotation (real Kafka, ZooKeeper, Redis)', () => {
  it('the genesis carries the key; old, overlapping and new checkpoints verify under their keys; one pinned key names the first cut it did not sign', async () => {
    const origin = `example.com/rotation-${randomBytes(4).toString('hex')}`;
    const oldKey = await keygen(origin, `${origin.replace(/\W/g, '_')}-old`);
    const newKey = await keygen(origin, `${origin.replace(/\W/g, '_')}-new`);
    const env = (files: string) => ({ SEQCHAIN_LOG_VIEW_ENABLED: 'true', SEQCHAIN_LOG_VIEW_ORIGIN: origin, SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: files });

    const f = new ChainFixture(env(oldKey.file));
    fixtures.push(f);
    const genesis = await f.init(2);
    expect(genesis.logVerifierKey).toBe(oldKey.verifier.verifierKey);
    const first = (await f.ledgerMessages())[0] as GenesisMessage;
    expect(first).toMatchObject({ kind: 'genesis', logVerifierKey: oldKey.verifier.verifierKey });
    expect(first.hash.equals(genesis.hash)).toBe(true);

    // Three terms: the old key, the overlap (new and old), the new key alone.
    const PER_PHASE = 2_000;
    const phases = [oldKey.file, `${newKey.file},${oldKey.file}`, newKey.file];
    for (const [i, files] of phases.entries()) {
      const set = i === 0 ? f.set : new ReplicaSet({ chain: f.chain, logDir: join(REPO, '.stack', 'test-logs', f.chain), env: env(files), logger: f.logger });
      if (i > 0) fixtures.push(set);
      const id = `${f.chain}-p${i}`;
      set.start(id);
      await waitFor(`the phase ${i} leader`, async () => (await set.leader())?.replicaId === id || undefined, 60_000);
      if (i === 1) {
        const res = await fetch(`${await set.apiUrl(id)}/v1/log/key`);
        expect(await res.json()).toEqual({
          origin,
          verifierKey: newKey.verifier.verifierKey,
          verifierKeys: [newKey.verifier.verifierKey, oldKey.verifier.verifierKey],
        });
      }
      await f.produce(PER_PHASE);
      await waitFor(`${(i + 1) * PER_PHASE} sequenced`, async () => (await set.sequenced()) >= (i + 1) * PER_PHASE, 120_000, 100);
      await set.stopAll();
    }

    const cuts = (await f.ledgerMessages()).filter((m): m is CutMessage => m.kind === 'cut');
    const signers = cuts.map((c) => new Set(parseNote(c.log!.checkpoint).signatures.map((s) => s.keyId)));
    const [oldId, newId] = [oldKey.verifier.keyId, newKey.verifier.keyId];
    const phaseOf = (s: Set<number>) => (s.has(oldId) && s.has(newId) ? 'both' : s.has(oldId) ? 'old' : s.has(newId) ? 'new' : 'none');
    // Each cut is signed by its term's keys, in the order of the terms.
    const order = signers.map(phaseOf).filter((p, i, all) => i === 0 || p !== all[i - 1]);
    expect(order).toEqual(['old', 'both', 'new']);
    const firstNewOnly = cuts[signers.findIndex((s) => phaseOf(s) === 'new')]!;

    const both = await verifyCli(f, ['--key', oldKey.verifier.verifierKey, '--key', newKey.verifier.verifierKey]);
    expect(both.report.firstBreak).toBeNull();
    expect(both.code).toBe(0);
    expect(both.report.logView).toMatchObject({ checkpoints: cuts.length, signaturesChecked: true, treeSize: 3 * PER_PHASE });

    const newOnly = await verifyCli(f, ['--key', newKey.verifier.verifierKey]);
    expect(newOnly.code).toBe(1);
    expect(newOnly.report.firstBreak).toMatchObject({ kind: 'checkpoint-signature', seq: String(cuts[0]!.lastSeq) });

    // No key pinned or configured: the genesis record's (the old key), and the report says so.
    const fromGenesis = await verifyCli(f);
    expect(fromGenesis.code).toBe(1);
    expect(fromGenesis.report.logView).toMatchObject({ keySource: expect.stringMatching(/^the genesis record/) });
    expect(fromGenesis.report.firstBreak).toMatchObject({ kind: 'checkpoint-signature', seq: String(firstNewOnly.lastSeq) });
    const text = await runCli(['verify', '--key', oldKey.verifier.verifierKey, '--key', newKey.verifier.verifierKey], {
      SEQCHAIN_CHAIN: f.chain,
      SEQCHAIN_LOG_LEVEL: 'warn',
    });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`signatures checked under ${oldKey.verifier.verifierKey} ${newKey.verifier.verifierKey} (pinned with --key)`);
    const bad = await runCli(['verify', '--key', 'not-a-key'], { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^seqchain: SEQCHAIN_ERR_USAGE: --key "not-a-key": /);
  }, 300_000);
});
