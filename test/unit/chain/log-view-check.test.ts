/**
 * The log view's checks in the chain verifier (src/chain/log-view-check.ts) against checkpoints
 * written by the leader's side (src/sequencer/checkpoint-log.ts): size, root and border recomputed
 * from the ledger's digests, signatures under a pinned key, and the gaps a forger would try.
 */
import { describe, expect, it } from 'vitest';
import { ChainVerifier, type Break, type CutView } from '../../../src/chain/verify.js';
import { SeqchainError } from '../../../src/errors.js';
import type { ChainHead } from '../../../src/kafka/ledger-tail.js';
import { CheckpointLog } from '../../../src/sequencer/checkpoint-log.js';
import { leafEntry, leafHash, NoteSigner, nodeHash, openCheckpoint, signCheckpoint, TreeBorder, EMPTY_ROOT } from '../../../src/tlog/index.js';
import { GENESIS, GOOD_CUTS, ledger, START } from './fixtures.js';

const ORIGIN = 'example.com/unit-log';
const signer = NoteSigner.fromSeed(ORIGIN, Buffer.alloc(32, 1));
/** Same name, another key: what a writer without the signing key can make. */
const forger = NoteSigner.fromSeed(ORIGIN, Buffer.alloc(32, 2));

const noKafka = { kafka: null as never, ledgerTopic: 't', groupPrefix: 'g', logger: null as never };
const genesisHead: ChainHead = { seq: 0n, hash: GENESIS, cutId: 0n, epoch: 0n, ledgerOffset: 0n, coverage: [] };

/** RFC 9162 MTH, recursively, over SCT1 leaves: an independent root to compare with. */
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** The leader's side over a ledger: cuts from index `from` on carry a log view (earlier ones are SCM1 cuts). */
async function signed(cuts: CutView[], from = 0, signers = [signer]): Promise<CutView[]> {
  const log = new CheckpointLog(signers);
  await log.recover({ head: genesisHead, ...noKafka });
  // A leader switched on later rebuilds the tree over the SCM1 cuts: the same leaves.
  return cuts.map((c, i) => {
    const view = log.next(c.firstSeq, c.entries);
    log.committed();
    return i >= from ? { ...c, log: view } : c;
  });
}

function run(cuts: readonly CutView[], keys = [signer.verifier]): { verifier: ChainVerifier; brk: Break | null } {
  const verifier = new ChainVerifier(GENESIS, START, { keys });
  let brk: Break | null = null;
  for (const c of cuts) {
    brk = verifier.addCut(c);
    if (brk !== null) break;
  }
  return { verifier, brk };
}

describe('log view checks over the ledger', () => {
  it('accepts signed checkpoints whose root is the RFC 9162 root of the ledger', async () => {
    const cuts = await signed(ledger(GOOD_CUTS));
    const { verifier, brk } = run(cuts);
    expect(brk).toBeNull();
    expect([verifier.logView!.checkpoints, verifier.logView!.signed]).toEqual([3, 3]);
    const leaves = cuts.flatMap((c) => c.entries.map((e, i) => leafHash(leafEntry(c.firstSeq + BigInt(i), e.digest))));
    const last = openCheckpoint(cuts[2]!.log!.checkpoint, [signer.verifier], ORIGIN).checkpoint;
    expect(last.size).toBe(11);
    expect(last.root.equals(mth(leaves))).toBe(true);
    expect(verifier.logView!.root().equals(mth(leaves))).toBe(true);
  });

  it('without keys, checks size, root and border but not signatures', async () => {
    const cuts = await signed(ledger(GOOD_CUTS));
    const forged = { ...cuts[1]!, log: { ...cuts[1]!.log!, checkpoint: resign(cuts[1]!, forger) } };
    const { verifier, brk } = run([cuts[0]!, forged, cuts[2]!], []);
    expect(brk).toBeNull();
    expect(verifier.logView!.signaturesChecked).toBe(false);
    expect(verifier.logView!.signed).toBe(0);
  });

  it('names a checkpoint signed by another key (same name) as a checkpoint-signature break at its seq and ledger offset', async () => {
    const cuts = await signed(ledger(GOOD_CUTS));
    const forged = { ...cuts[1]!, log: { ...cuts[1]!.log!, checkpoint: resign(cuts[1]!, forger) } };
    const { brk } = run([cuts[0]!, forged, cuts[2]!]);
    expect(brk).toMatchObject({ kind: 'checkpoint-signature', seq: cuts[1]!.lastSeq, ledgerOffset: 2n });
    expect(brk!.message).toMatch(/cut 2 at ledger offset 2 \(seq 7\): checkpoint is not signed by the pinned key/);
  });

  it('names a signed checkpoint whose root or size is not the ledger tree', async () => {
    const cuts = await signed(ledger(GOOD_CUTS));
    const c = cuts[1]!;
    const wrongRoot = signCheckpoint({ origin: ORIGIN, size: Number(c.lastSeq), root: Buffer.alloc(32, 9) }, signer);
    expect(run([cuts[0]!, { ...c, log: { ...c.log!, checkpoint: wrongRoot } }]).brk).toMatchObject({
      kind: 'checkpoint',
      seq: 7n,
      actual: '09'.repeat(32),
    });
    const wrongSize = signCheckpoint({ origin: ORIGIN, size: 6, root: Buffer.alloc(32, 9) }, signer);
    expect(run([cuts[0]!, { ...c, log: { ...c.log!, checkpoint: wrongSize } }]).brk?.message).toMatch(/checkpoint size 6 is not the tree size 7/);
  });

  it('names a stored border that is not the recomputed one', async () => {
    const cuts = await signed(ledger(GOOD_CUTS));
    const c = cuts[2]!;
    const border = Buffer.from(c.log!.border);
    border[0] = border[0]! ^ 1;
    const { brk } = run([cuts[0]!, cuts[1]!, { ...c, log: { ...c.log!, border } }]);
    expect(brk).toMatchObject({ kind: 'checkpoint', seq: 11n, ledgerOffset: 3n });
    expect(brk!.message).toMatch(/stored tree border differs/);
  });

  it('accepts SCM1 cuts then signed cuts (the log view switched on for an existing chain)', async () => {
    const cuts = await signed(ledger(GOOD_CUTS), 2);
    expect(cuts[0]!.log).toBeUndefined();
    const { verifier, brk } = run(cuts);
    expect(brk).toBeNull();
    expect(verifier.logView!.checkpoints).toBe(1);
  });

  it('with a pinned key, names a cut without a checkpoint after signed ones', async () => {
    const cuts = await signed(ledger(GOOD_CUTS));
    const { log: _dropped, ...unsigned } = cuts[2]!;
    expect(run([cuts[0]!, cuts[1]!, unsigned]).brk).toMatchObject({ kind: 'checkpoint-signature', seq: 11n, ledgerOffset: 3n });
    expect(run([cuts[0]!, cuts[1]!, unsigned], []).brk).toBeNull();
  });

  it('is not checked by a verifier that did not ask for the log view (as before it)', async () => {
    const cuts = await signed(ledger(GOOD_CUTS));
    const c = cuts[1]!;
    const wrong = { ...c, log: { ...c.log!, checkpoint: resign(c, forger) } };
    const v = new ChainVerifier(GENESIS, START);
    expect(v.logView).toBeNull();
    for (const cut of [cuts[0]!, wrong, cuts[2]!]) expect(v.addCut(cut)).toBeNull();
  });
});

describe("the leader's checkpoint log", () => {
  it('signs nothing before its border is rebuilt', () => {
    expect(() => new CheckpointLog([signer]).next(1n, [])).toThrow(/no tree border/);
  });

  it('signs a cut prepared while the one before commits on top of it, and adopts borders in commit order', async () => {
    const cuts = ledger(GOOD_CUTS);
    const [a, b] = cuts;
    const expected = await signed(cuts);
    const log = new CheckpointLog([signer]);
    await log.recover({ head: genesisHead, ...noKafka });
    const first = log.next(a!.firstSeq, a!.entries);
    // b is signed before a commits: its tree extends a's, as the ledger will hold them.
    const second = log.next(b!.firstSeq, b!.entries);
    expect([first.checkpoint, second.checkpoint]).toEqual([expected[0]!.log!.checkpoint, expected[1]!.log!.checkpoint]);
    expect(log.size).toBe(0);
    log.committed();
    expect(log.size).toBe(4);
    log.committed();
    expect(log.size).toBe(7);
  });

  it('drops what was signed but not committed when a term rebuilds its border', async () => {
    const [a] = ledger(GOOD_CUTS);
    const log = new CheckpointLog([signer]);
    await log.recover({ head: genesisHead, ...noKafka });
    log.next(a!.firstSeq, a!.entries);
    // The transaction failed: the term ends, and the next one rebuilds from the ledger, which lacks the cut.
    await log.recover({ head: genesisHead, ...noKafka });
    const again = log.next(a!.firstSeq, a!.entries);
    log.committed();
    expect(log.size).toBe(4);
    expect(TreeBorder.decode(4, again.border).size).toBe(4);
  });

  it("resumes from the tail's stored border when it is signed by its key, and refuses one that is not", async () => {
    const cuts = await signed(ledger(GOOD_CUTS));
    const tail = cuts[1]!;
    const head: ChainHead = { seq: tail.lastSeq, hash: tail.headHash, cutId: 2n, epoch: 1n, ledgerOffset: 2n, coverage: [], log: tail.log! };
    const log = new CheckpointLog([signer]);
    expect((await log.recover({ head, ...noKafka })).from).toBe('tail');
    expect(log.next(cuts[2]!.firstSeq, cuts[2]!.entries).checkpoint).toBe(cuts[2]!.log!.checkpoint);

    const forgedHead = { ...head, log: { ...tail.log!, checkpoint: resign(tail, forger) } };
    const err = await new CheckpointLog([signer]).recover({ head: forgedHead, ...noKafka }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SeqchainError);
    expect((err as SeqchainError).code).toBe('SEQCHAIN_ERR_CHAIN_BROKEN');
    expect((err as Error).message).toMatch(/ledger tail \(offset 2, seq 7\) is not signed by example\.com\/unit-log\+/);
  });
});

function resign(cut: CutView, by: NoteSigner): string {
  const text = cut.log!.checkpoint.slice(0, cut.log!.checkpoint.lastIndexOf('\n\n') + 1);
  const [origin, size, root] = text.split('\n');
  return signCheckpoint({ origin: origin!, size: Number(size), root: Buffer.from(root!, 'base64') }, by);
}

describe('key rotation', () => {
  const next = NoteSigner.generate(ORIGIN);
  /** Cut 1 signed by the old key only, cut 2 by both (the overlap), cut 3 by the new key only. */
  async function rotated(): Promise<CutView[]> {
    const [a, b, c] = ledger(GOOD_CUTS);
    const [first] = await signed([a!], 0, [signer]);
    const log = new CheckpointLog([next, signer]);
    const head: ChainHead = { seq: first!.lastSeq, hash: first!.headHash, cutId: 1n, epoch: 1n, ledgerOffset: 1n, coverage: [], log: first!.log! };
    expect((await log.recover({ head, ...noKafka })).from).toBe('tail');
    const second = { ...b!, log: log.next(b!.firstSeq, b!.entries) };
    log.committed();
    const newOnly = new CheckpointLog([next]);
    const head2: ChainHead = { ...head, seq: second.lastSeq, hash: second.headHash, cutId: 2n, ledgerOffset: 2n, log: second.log };
    expect((await newOnly.recover({ head: head2, ...noKafka })).from).toBe('tail');
    const third = { ...c!, log: newOnly.next(c!.firstSeq, c!.entries) };
    return [first!, second, third];
  }

  it('every checkpoint verifies under the keys it was signed with: old ones keep verifying under the old key', async () => {
    const cuts = await rotated();
    const both = new ChainVerifier(GENESIS, START, { keys: [signer.verifier, next.verifier] });
    for (const cut of cuts) expect(both.addCut(cut)).toBeNull();
    expect(both.logView!.signed).toBe(3);
  });

  it('a verifier pinning only the new key names the first cut signed only by the old one', async () => {
    const cuts = await rotated();
    const v = new ChainVerifier(GENESIS, START, { keys: [next.verifier] });
    const brk = v.addCut(cuts[0]!);
    expect(brk).toMatchObject({ kind: 'checkpoint-signature', seq: cuts[0]!.lastSeq });
    expect(brk!.message).toMatch(/not signed by the pinned key/);
  });

  it('a verifier pinning only the old key names the first cut signed only by the new one', async () => {
    const cuts = await rotated();
    const v = new ChainVerifier(GENESIS, START, { keys: [signer.verifier] });
    expect(v.addCut(cuts[0]!)).toBeNull();
    expect(v.addCut(cuts[1]!)).toBeNull();
    expect(v.addCut(cuts[2]!)).toMatchObject({ kind: 'checkpoint-signature', seq: cuts[2]!.lastSeq });
  });

  it('a leader with only the new key refuses a tail the old key alone signed: a rotation overlaps', async () => {
    const [first] = await signed(ledger(GOOD_CUTS).slice(0, 1), 0, [signer]);
    const head: ChainHead = { seq: first!.lastSeq, hash: first!.headHash, cutId: 1n, epoch: 1n, ledgerOffset: 1n, coverage: [], log: first!.log! };
    await expect(new CheckpointLog([next]).recover({ head, ...noKafka })).rejects.toThrow(/is not signed by/);
  });
});
