import { describe, expect, it } from 'vitest';
import {
  type AuditInput,
  type AuditVerdict,
  NoteSigner,
  TileHashStore,
  TreeBorder,
  auditCheckpoint,
  consistencyProof,
  leafHash,
  parseConsistencyAnswer,
  signCheckpoint,
  signNote,
  treeRoot,
} from '../../../src/tlog/index.js';
import { buildTree } from './fixtures.js';

const ORIGIN = 'log.example/audit';
const logKey = NoteSigner.generate(ORIGIN);
const witness = NoteSigner.generate('witness.example/w1');
const { store } = buildTree(300);

/** Another tree over other leaves: what a forked log would sign. */
const forked = new TileHashStore();
{
  const border = TreeBorder.empty();
  for (let g = 1; g <= 300; g++) forked.add(border.append(leafHash(Buffer.from(`forked leaf ${g}`))));
}

const note = (size: number, opts: { tree?: TileHashStore; signer?: NoteSigner; origin?: string } = {}): Buffer =>
  Buffer.from(signCheckpoint({ origin: opts.origin ?? ORIGIN, size, root: treeRoot(opts.tree ?? store, size) }, opts.signer ?? logKey));
const proofAnswer = (from: number, to: number, tree: TileHashStore = store) => ({
  from: String(from),
  to: String(to),
  proof: consistencyProof(tree, from, to).map((h) => h.toString('base64')),
});

/** Runs the audit the way the CLI does: ask, fetch the proof it names from `tree`, decide. */
function run(input: Omit<AuditInput, 'keys'> & { keys?: AuditInput['keys'] }, tree: TileHashStore = store): AuditVerdict {
  const full = { keys: [logKey.verifier], ...input };
  const first = auditCheckpoint(full);
  if (first.ok !== null) return first;
  const second = auditCheckpoint({ ...full, proof: input.proof ?? proofAnswer(first.from, first.to, tree) });
  if (second.ok === null) throw new Error('asked for a proof twice');
  return second;
}
const verdictOf = (v: AuditVerdict) => v.verdict;

describe('auditCheckpoint: accepted', () => {
  it('keeps the first checkpoint on trust on first use, with nothing to check it against', () => {
    const latest = note(100);
    const v = run({ kept: null, latest });
    expect(v).toMatchObject({ ok: true, verdict: 'trust-on-first-use', kept: null, latest: { origin: ORIGIN, size: 100 } });
    expect(v.ok && v.note).toBe(latest.toString('utf8'));
  });

  it('asks for the consistency proof between the kept and the latest size, then accepts a log that extends the kept tree', () => {
    const kept = note(100);
    const latest = note(257);
    expect(auditCheckpoint({ keys: [logKey.verifier], kept, latest })).toEqual({ ok: null, from: 100, to: 257 });
    const v = run({ kept, latest });
    expect(v).toMatchObject({ ok: true, verdict: 'advanced', kept: { size: 100 }, latest: { size: 257 } });
  });

  it.each([
    [1, 2],
    [255, 256],
    [256, 257],
    [7, 300],
  ])('advances from %i to %i', (from, to) => {
    expect(verdictOf(run({ kept: note(from), latest: note(to) }))).toBe('advanced');
  });

  it('accepts the same size and root as unchanged, even when the note now carries a cosignature', () => {
    const kept = note(200);
    const cosigned = Buffer.from(signNote(`${note(200).toString('utf8').split('\n\n')[0]!}\n`, [logKey, witness]));
    expect(verdictOf(run({ kept, latest: kept }))).toBe('unchanged');
    expect(verdictOf(run({ kept, latest: cosigned }))).toBe('unchanged');
  });

  it('ignores cosignature lines from keys it does not know, in the latest note and in the kept one', () => {
    const cosign = (size: number) => {
      const text = `${ORIGIN}\n${size}\n${treeRoot(store, size).toString('base64')}\n`;
      return Buffer.from(signNote(text, [witness, logKey]));
    };
    expect(verdictOf(run({ kept: cosign(50), latest: cosign(120) }))).toBe('advanced');
    expect(verdictOf(run({ kept: null, latest: cosign(120) }))).toBe('trust-on-first-use');
  });

  it('follows a key rotation: the kept note under the old key, the latest under the new one, both keys pinned', () => {
    const newKey = NoteSigner.generate(ORIGIN);
    const v = run({ keys: [logKey.verifier, newKey.verifier], kept: note(80), latest: note(160, { signer: newKey }) });
    expect(verdictOf(v)).toBe('advanced');
    // With only the new key pinned, the old kept note no longer opens: the verdict names it.
    expect(verdictOf(run({ keys: [newKey.verifier], kept: note(80), latest: note(160, { signer: newKey }) }))).toBe('kept-signature');
  });

  it('advances from a kept empty tree without a proof', () => {
    expect(auditCheckpoint({ keys: [logKey.verifier], kept: note(0), latest: note(10) })).toMatchObject({ ok: true, verdict: 'advanced' });
  });
});

describe('auditCheckpoint: refused, naming which rule', () => {
  it('rollback: the latest checkpoint is smaller than the kept one', () => {
    const v = run({ kept: note(200), latest: note(150) });
    expect(v).toMatchObject({ ok: false, verdict: 'rollback' });
    expect(!v.ok && v.message).toMatch(/size 150.*smaller than the kept one \(size 200\)/);
  });

  it('fork: the same size with another root', () => {
    const v = run({ kept: note(200, { tree: forked }), latest: note(200) });
    expect(v).toMatchObject({ ok: false, verdict: 'fork' });
    expect(!v.ok && v.message).toMatch(/two trees of size 200 with different roots/);
  });

  it('fork: the kept checkpoint is of a tree the latest does not extend (the log’s proof fails)', () => {
    expect(verdictOf(run({ kept: note(100, { tree: forked }), latest: note(257) }))).toBe('fork');
    // Whichever tree the proof comes from, it cannot join both roots.
    expect(verdictOf(run({ kept: note(100, { tree: forked }), latest: note(257) }, forked))).toBe('fork');
  });

  it('fork: a kept empty tree with a root that is not the empty tree’s', () => {
    const bogus = Buffer.from(signCheckpoint({ origin: ORIGIN, size: 0, root: treeRoot(store, 1) }, logKey));
    expect(verdictOf(run({ kept: bogus, latest: note(10) }))).toBe('fork');
  });

  it('new-signature: the latest note signed by another key, or altered after signing', () => {
    const other = NoteSigner.generate(ORIGIN);
    expect(verdictOf(run({ kept: note(100), latest: note(200, { signer: other }) }))).toBe('new-signature');
    const altered = Buffer.from(note(200).toString('utf8').replace(/^200$/m, '201'));
    const v = run({ kept: note(100), latest: altered });
    expect(v).toMatchObject({ ok: false, verdict: 'new-signature', cause: { code: 'SEQCHAIN_ERR_SIGNATURE_INVALID' } });
    // The wrong key pinned: the first run refuses rather than trusting a note it cannot open.
    expect(verdictOf(run({ kept: null, latest: note(200, { signer: other }) }))).toBe('new-signature');
  });

  it('kept-signature: the state file altered, or signed by a key not pinned', () => {
    const altered = Buffer.from(note(100).toString('utf8').replace(/^100$/m, '99'));
    const v = run({ kept: altered, latest: note(200) });
    expect(v).toMatchObject({ ok: false, verdict: 'kept-signature', kept: null, latest: null });
    expect(!v.ok && v.message).toMatch(/state file was altered/);
    expect(verdictOf(run({ kept: note(100, { signer: NoteSigner.generate(ORIGIN) }), latest: note(200) }))).toBe('kept-signature');
  });

  it('origin: the latest checkpoint names another log', () => {
    const otherLog = NoteSigner.generate('other.example/log');
    const v = run({ keys: [logKey.verifier, otherLog.verifier], kept: note(100), latest: note(200, { signer: otherLog, origin: 'other.example/log' }) });
    expect(v).toMatchObject({ ok: false, verdict: 'origin' });
    expect(!v.ok && v.message).toContain('"other.example/log"');
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['not a note', Buffer.from('hello\n')],
    ['not UTF-8', Buffer.concat([note(100).subarray(0, 10), Buffer.from([0xff]), note(100).subarray(11)])],
    ['a signed note that is not a checkpoint', Buffer.from(signNote('just text\n', [logKey]))],
  ])('malformed-state: a kept file that is %s (never taken as "no file yet")', (_, kept) => {
    expect(verdictOf(run({ kept, latest: note(200) }))).toBe('malformed-state');
  });

  it('malformed-checkpoint: the log serves something that is not a signed checkpoint', () => {
    expect(verdictOf(run({ kept: note(100), latest: Buffer.from('<html>not found</html>\n') }))).toBe('malformed-checkpoint');
    expect(verdictOf(run({ kept: null, latest: Buffer.from(signNote('two\nlines\n', [logKey])) }))).toBe('malformed-checkpoint');
  });

  it.each([
    ['not an object', 'proof'],
    ['for other sizes', { ...proofAnswer(100, 257), from: '99' }],
    ['sizes as numbers', { ...proofAnswer(100, 257), from: 100 }],
    ['without a list', { from: '100', to: '257', proof: 'abc' }],
    ['with a hash that is not base64', { from: '100', to: '257', proof: ['!!!'] }],
    ['with a hash of 31 bytes', { from: '100', to: '257', proof: [Buffer.alloc(31).toString('base64')] }],
    ['with 65 hashes', { from: '100', to: '257', proof: Array(65).fill(Buffer.alloc(32).toString('base64')) }],
  ])('malformed-proof: an answer %s', (_, proof) => {
    expect(verdictOf(run({ kept: note(100), latest: note(257), proof }))).toBe('malformed-proof');
  });

  it('fork, not malformed: a well-formed proof with a hash changed or one hash too few', () => {
    const good = proofAnswer(100, 257);
    const changed = { ...good, proof: [Buffer.alloc(32).toString('base64'), ...good.proof.slice(1)] };
    const short = { ...good, proof: good.proof.slice(1) };
    expect(verdictOf(run({ kept: note(100), latest: note(257), proof: changed }))).toBe('fork');
    expect(verdictOf(run({ kept: note(100), latest: note(257), proof: short }))).toBe('fork');
  });
});

describe('parseConsistencyAnswer', () => {
  it('gives the hashes of a well-formed answer', () => {
    const hashes = parseConsistencyAnswer(proofAnswer(3, 9), 3, 9);
    expect(hashes).toEqual(consistencyProof(store, 3, 9));
  });
});
