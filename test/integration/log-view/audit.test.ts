/**
 * `seqchain audit` on the real stack (issue 12 part 5, docs/LOG.md "Auditing the log"): the first
 * audit trusts the log's checkpoint on first use and keeps it; after more records, the next one
 * checks the log's consistency proof and keeps the new checkpoint. A state file holding a
 * checkpoint the log's own key signed over another tree (a fork), or of a size the log never
 * reached (a rollback), and a wrong --key are refused, and the state file stays byte for byte.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { leafHash, NoteSigner, openCheckpoint, parseNote, parseVerifierKey, signCheckpoint, signNote, TreeBorder } from '../../../src/tlog/index.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'seqchain-audit-'));
let fixtures: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const f of fixtures.reverse()) await f.close();
  fixtures = [];
});

/** The root of a tree of `size` leaves the log never held: what a forked log would sign. */
function otherRoot(size: number): Buffer {
  const border = TreeBorder.empty();
  const salt = randomBytes(8).toString('hex');
  for (let i = 0; i < size; i++) border.append(leafHash(Buffer.from(`forked ${salt} ${i}`)));
  return border.root();
}

interface AuditRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: Record<string, unknown> | null;
}

describe('seqchain audit (real Kafka, ZooKeeper, Redis)', () => {
  it('trusts on first use, advances on a consistent log, and refuses a fork, a rollback and a wrong key, leaving the state file as it was', async () => {
    const origin = `example.com/audit-${randomBytes(4).toString('hex')}`;
    const keyFile = join(dir, 'log.key');
    const gen = await runCli(['log-keygen', '--origin', origin, '--out', keyFile]);
    expect(gen.code).toBe(0);
    const vkey = gen.stdout.trim();
    const verifier = parseVerifierKey(vkey);
    // The log's own signing key: the forks below are signed by it, as a misbehaving log would.
    const logKey = NoteSigner.parse(readFileSync(keyFile, 'utf8'));

    const f = new ChainFixture({ SEQCHAIN_LOG_VIEW_ENABLED: 'true', SEQCHAIN_LOG_VIEW_ORIGIN: origin, SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: keyFile });
    fixtures.push(f);
    const FIRST = 1_000;
    await f.startSequenced(2, FIRST);
    const api = await f.set.apiUrl(`${f.chain}-r1`);
    const served = async (): Promise<string> => (await fetch(`${api}/checkpoint`)).text();
    const servesSize = (size: number) => waitFor(`the checkpoint of size ${size}`, async () => (await served()).split('\n')[1] === String(size), 60_000, 100);
    await servesSize(FIRST);

    const state = join(dir, 'state', 'checkpoint');
    mkdirSync(join(dir, 'state'));
    const audit = async (args: string[], key = vkey): Promise<AuditRun> => {
      const out = await runCli(['audit', '--state-file', state, '--key', key, '--json', ...args], { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' });
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(out.stdout) as Record<string, unknown>;
      } catch {
        // no JSON: the assertions below show stdout and stderr
      }
      return { ...out, json };
    };

    // Trust on first use, the API found in ZooKeeper: said on stderr and in the JSON, the note kept exactly as served.
    const first = await audit([]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/no state file at .*: trusting the log's checkpoint \(size 1000\) on first use/);
    expect(first.json).toMatchObject({
      ok: true,
      verdict: 'trust-on-first-use',
      trustOnFirstUse: true,
      origin,
      keptSize: null,
      latestSize: String(FIRST),
      stateFileWritten: true,
    });
    const firstNote = readFileSync(state, 'utf8');
    expect(firstNote).toBe(await served());
    expect(openCheckpoint(firstNote, [verifier], origin).checkpoint.size).toBe(FIRST);
    expect(statSync(state).mode & 0o777).toBe(0o644 & ~process.umask());

    // More records: the next audit checks the consistency proof and keeps the new checkpoint.
    const SECOND = FIRST + 1_500;
    await f.produce(SECOND - FIRST);
    await waitFor(`${SECOND} sequenced`, async () => (await f.set.sequenced()) >= SECOND, 120_000, 100);
    await servesSize(SECOND);
    // /checkpoint comes from the ledger; the proofs from the index, which a loaded machine may
    // update seconds later (a proof waits 5 s for it, then says 503 try again).
    await waitFor(
      `the index at ${SECOND}`,
      async () => {
        const r = await fetch(`${api}/v1/head`);
        return r.status === 200 && Number(((await r.json()) as { seq: string }).seq) >= SECOND;
      },
      60_000,
      100,
    );
    const second = await audit(['--api', api]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toBe('');
    expect(second.json).toMatchObject({ ok: true, verdict: 'advanced', trustOnFirstUse: false, origin, keptSize: String(FIRST), latestSize: String(SECOND) });
    const secondNote = readFileSync(state, 'utf8');
    expect(secondNote).toBe(await served());

    // Nothing new: unchanged, the human line says so.
    const human = await runCli(['audit', '--state-file', state, '--key', vkey, '--api', api]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toBe(`audit ok: ${origin} size ${SECOND} → ${SECOND} (unchanged)\n`);

    /** Puts `note` in the state file, runs the audit, and checks it is refused with `verdict` and the file untouched. */
    const refused = async (note: string | Buffer, verdict: string, key = vkey): Promise<AuditRun> => {
      writeFileSync(state, note);
      const before = readFileSync(state);
      const run = await audit(['--api', api], key);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^seqchain: SEQCHAIN_ERR_AUDIT_FAILED: ${verdict}: .*left as it was\\n$`));
      expect(run.json).toMatchObject({ ok: false, verdict, stateFileWritten: false });
      expect(readFileSync(state).equals(before)).toBe(true);
      return run;
    };

    // A fork: the log's key signed a smaller tree the served one does not extend (the log's proof fails).
    const FORK = 700;
    const fork = await refused(signCheckpoint({ origin, size: FORK, root: otherRoot(FORK) }, logKey), 'fork');
    expect(fork.json).toMatchObject({ keptSize: String(FORK), latestSize: String(SECOND) });
    expect(fork.stderr).toMatch(/does not extend the kept one/);
    // A fork at the same size: two roots signed for one tree size.
    await refused(signCheckpoint({ origin, size: SECOND, root: otherRoot(SECOND) }, logKey), 'fork');
    // A rollback: the kept checkpoint is bigger than anything the log serves now.
    const rollback = await refused(signCheckpoint({ origin, size: SECOND + 5_000, root: otherRoot(16) }, logKey), 'rollback');
    expect(rollback.json).toMatchObject({ keptSize: String(SECOND + 5_000), latestSize: String(SECOND) });
    // The state file altered by hand: its signature no longer verifies.
    await refused(secondNote.replace(`\n${SECOND}\n`, `\n${SECOND - 1}\n`), 'kept-signature');
    await refused('', 'malformed-state');

    // A wrong --key: the kept note (signed by the log) does not open under it…
    const wrong = NoteSigner.generate(origin).verifierKey;
    await refused(secondNote, 'kept-signature', wrong);
    // …and with no state file, the log's checkpoint does not either: nothing is trusted, nothing written.
    const fresh = join(dir, 'state', 'fresh');
    const noFile = await runCli(['audit', '--state-file', fresh, '--key', wrong, '--api', api]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/^seqchain: SEQCHAIN_ERR_AUDIT_FAILED: new-signature: the log's latest checkpoint does not verify under the given key\(s\)/);
    expect(existsSync(fresh)).toBe(false);

    // After all that, the genuine kept note still audits, also with a witness cosignature line by a key it does not know.
    writeFileSync(state, secondNote);
    expect((await audit(['--api', api])).json).toMatchObject({ ok: true, verdict: 'unchanged' });
    const { text, signatures } = parseNote(secondNote);
    const cosigned = signNote(text, [NoteSigner.generate('witness.example/w1')], signatures);
    writeFileSync(state, cosigned);
    expect((await audit(['--api', api])).json).toMatchObject({ ok: true, verdict: 'unchanged', stateFileWritten: false });
    expect(readFileSync(state, 'utf8')).toBe(cosigned);
  }, 300_000);
});
