import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { genesisHash } from '../../../src/chain/genesis.js';
import { extendChain } from '../../../src/chain/link.js';
import { decodeLedgerMessage, encodeCutMessage, encodeGenesisMessage, type CutMessage, type GenesisMessage } from '../../../src/wire/ledger.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';
import { ledgerValues, rewriteLedger, rewriteZnode, verifyCli } from '../../helpers/tamper.js';

/**
 * A rogue with admin rights on Kafka rewrites the ledger topic (delete, recreate, write back a
 * modified copy through a transactional producer, as seqchain writes it), or a ZooKeeper client
 * rewrites the genesis znode. `verify` names each change: kind, seq and ledger offset. Each test
 * starts from the original ledger.
 */
describe('verify names a rewritten ledger or genesis', () => {
  let f: ChainFixture;
  let original: Buffer[];
  let cuts: CutMessage[];
  let dir: string;

  const cutAt = (i: number) => decodeLedgerMessage(original[i]!) as CutMessage;

  beforeAll(async () => {
    f = new ChainFixture();
    await f.init(2);
    f.set.start(`${f.chain}-r1`);
    await waitFor('a leader', async () => (await f.set.leader()) ?? undefined, 60_000);
    // Several rounds, so the ledger has enough cuts to remove, swap and duplicate in the middle.
    for (let round = 1; round <= 6; round++) {
      await f.produce(150);
      await waitFor(`${round * 150} sequenced`, async () => (await f.set.sequenced()) >= round * 150, 60_000, 50);
    }
    await f.set.stopAll();
    original = await ledgerValues(f);
    cuts = original.slice(1).map((v) => decodeLedgerMessage(v) as CutMessage);
    expect(cuts.length).toBeGreaterThanOrEqual(6);
    dir = await mkdtemp(join(tmpdir(), 'seqchain-head-'));
  }, 180_000);

  afterAll(async () => {
    await f?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('passes on a byte-identical rewrite (the rewrite itself leaves no trace)', async () => {
    await rewriteLedger(f, original);
    const { code, report } = await verifyCli(f);
    expect(report.firstBreak).toBeNull();
    expect(code).toBe(0);
    expect(report.cuts).toBe(cuts.length);
  }, 60_000);

  it('names one byte altered in a cut (a digest): head-hash of that cut', async () => {
    const k = 3;
    const c = cutAt(k);
    const altered = encodeCutMessage({
      ...c,
      entries: c.entries.map((e, i) => (i === 0 ? { ...e, digest: Buffer.from(e.digest).fill(e.digest[0]! ^ 0x01, 0, 1) } : e)),
    });
    expect(countDiffering(altered, original[k]!)).toBe(1);
    const at = await rewriteLedger(
      f,
      original.map((v, i) => (i === k ? altered : v)),
    );
    const { code, report } = await verifyCli(f);
    expect(code).toBe(1);
    expect(report.firstBreak).toMatchObject({ kind: 'head-hash', seq: c.lastSeq.toString(), ledgerOffset: String(at[k]), actual: c.headHash.toString('hex') });
    expect(report.firstBreak!.message).toContain(`seqs ${c.firstSeq}..${c.lastSeq}`);
  }, 60_000);

  it('names a cut removed from the middle: seq-gap where it is missing, with its cut id', async () => {
    const k = 3;
    const c = cutAt(k);
    const at = await rewriteLedger(
      f,
      original.filter((_, i) => i !== k),
    );
    const { code, report } = await verifyCli(f);
    expect(code).toBe(1);
    expect(report.firstBreak).toMatchObject({
      kind: 'seq-gap',
      seq: c.firstSeq.toString(),
      ledgerOffset: String(at[k]),
      expected: c.firstSeq.toString(),
      actual: cutAt(k + 1).firstSeq.toString(),
    });
    expect(report.firstBreak!.message).toContain(`cut ${c.cutId} is not here`);
  }, 60_000);

  it('names two cuts swapped: cut-order at the first of them', async () => {
    const k = 3;
    const swapped = [...original];
    [swapped[k], swapped[k + 1]] = [original[k + 1]!, original[k]!];
    const at = await rewriteLedger(f, swapped);
    const { code, report } = await verifyCli(f);
    expect(code).toBe(1);
    expect(report.firstBreak).toMatchObject({ kind: 'cut-order', seq: cutAt(k).firstSeq.toString(), ledgerOffset: String(at[k]) });
    expect(report.firstBreak!.message).toContain(`cut ${cutAt(k).cutId} (seqs ${cutAt(k).firstSeq}..${cutAt(k).lastSeq}) is at ledger offset ${at[k + 1]}`);
  }, 60_000);

  it('names a cut duplicated: duplicate-cut at the copy', async () => {
    const k = 3;
    const at = await rewriteLedger(f, [...original.slice(0, k + 1), original[k]!, ...original.slice(k + 1)]);
    const { code, report } = await verifyCli(f);
    expect(code).toBe(1);
    expect(report.firstBreak).toMatchObject({ kind: 'duplicate-cut', seq: cutAt(k).firstSeq.toString(), ledgerOffset: String(at[k + 1]) });
    expect(report.firstBreak!.message).toContain(`a copy of cut ${cutAt(k).cutId} at ledger offset ${at[k]}`);
  }, 60_000);

  describe('a ledger cut short at the end, against a kept head', () => {
    const lastHead = () => `${cuts.at(-1)!.lastSeq}:${cuts.at(-1)!.headHash.toString('hex')}`;

    it('keeps the head in --head-file on success', async () => {
      await rewriteLedger(f, original);
      const file = join(dir, 'head-ok');
      const { code } = await verifyCli(f, ['--head-file', file]);
      expect(code).toBe(0);
      expect((await readFile(file, 'utf8')).trim()).toBe(lastHead());
    }, 60_000);

    it('passes without a kept head, names truncated with one (--expect-head and --head-file)', async () => {
      await rewriteLedger(f, original.slice(0, -2));
      const plain = await verifyCli(f);
      expect(plain.code).toBe(0); // a shorter chain is consistent on its own
      const short = cuts.at(-3)!;
      const expected = await verifyCli(f, ['--expect-head', lastHead()]);
      expect(expected.code).toBe(1);
      expect(expected.report.firstBreak).toMatchObject({ kind: 'truncated', seq: cuts.at(-1)!.lastSeq.toString(), actual: `ends at seq ${short.lastSeq}` });
      const file = join(dir, 'head-kept');
      await writeFile(file, `${lastHead()}\n`);
      const kept = await verifyCli(f, ['--head-file', file]);
      expect(kept.report.firstBreak).toMatchObject({ kind: 'truncated' });
      expect((await readFile(file, 'utf8')).trim()).toBe(lastHead()); // a failed run keeps the old head
    }, 90_000);

    it('names another hash at the kept seq a fork (history rewritten from a cut on: two records of different partitions swapped, re-hashed)', async () => {
      // The last cut where two neighbouring records come from different partitions.
      const mixed = cuts.map((c) => c.entries.some((e, j) => j + 1 < c.entries.length && c.entries[j + 1]!.partition !== e.partition));
      const m = mixed.lastIndexOf(true);
      expect(m).toBeGreaterThanOrEqual(0);
      const last = cuts[m]!;
      const i = last.entries.findIndex((e, j) => j + 1 < last.entries.length && last.entries[j + 1]!.partition !== e.partition);
      const entries = [...last.entries];
      [entries[i], entries[i + 1]] = [entries[i + 1]!, entries[i]!];
      const hashes = extendChain(
        last.prevHash,
        last.firstSeq,
        entries.map((e) => e.digest),
      );
      const forked = encodeCutMessage({ ...last, entries, headHash: hashes.at(-1)! });
      await rewriteLedger(f, [...original.slice(0, m + 1), forked]);
      // Positions, digests and links all hold: only the kept head can tell.
      expect((await verifyCli(f)).code).toBe(0);
      const { code, report } = await verifyCli(f, ['--expect-head', `${last.lastSeq}:${last.headHash.toString('hex')}`]);
      expect(code).toBe(1);
      expect(report.firstBreak).toMatchObject({
        kind: 'fork',
        seq: last.lastSeq.toString(),
        expected: last.headHash.toString('hex'),
        actual: hashes.at(-1)!.toString('hex'),
      });
    }, 90_000);
  });

  describe('a genesis znode changed', () => {
    const changeStart = (data: Buffer, rehash: boolean) => {
      const g = JSON.parse(data.toString('utf8')) as Record<string, unknown> & { start: string[] };
      g.start = g.start.map((s, p) => (p === 1 ? String(BigInt(s) + 1n) : s));
      if (rehash)
        g.hash = genesisHash({
          chainId: g.chainId as string,
          topic: g.topic as string,
          start: g.start.map(BigInt),
          createdAtMs: BigInt(g.createdAtMs as string),
          nonce: Buffer.from(g.nonce as string, 'hex'),
        }).toString('hex');
      return Buffer.from(JSON.stringify(g));
    };

    it('names a changed field (hash left as it was) as genesis, naming the field', async () => {
      await rewriteLedger(f, original);
      const old = await rewriteZnode(f, 'genesis', (d) => changeStart(d, false));
      try {
        const { code, report } = await verifyCli(f);
        expect(code).toBe(1);
        expect(report.firstBreak).toMatchObject({ kind: 'genesis', seq: '0' });
        expect(report.firstBreak!.message).toContain('differs from the ledger');
        expect(report.firstBreak!.message).toContain('in start');
      } finally {
        await rewriteZnode(f, 'genesis', () => old);
      }
    }, 60_000);

    it('names a consistently re-hashed genesis znode as genesis at ledger offset 0', async () => {
      const old = await rewriteZnode(f, 'genesis', (d) => changeStart(d, true));
      try {
        const { code, report } = await verifyCli(f);
        expect(code).toBe(1);
        expect(report.firstBreak).toMatchObject({ kind: 'genesis', ledgerOffset: '0', actual: f.genesis.hash.toString('hex') });
        expect(report.firstBreak!.message).toContain('(in start)');
      } finally {
        await rewriteZnode(f, 'genesis', () => old);
      }
    }, 60_000);

    it('names a genesis rewritten in ZooKeeper and the ledger alike at seq 1: its prev hash is not the genesis hash', async () => {
      const old = await rewriteZnode(f, 'genesis', (d) => changeStart(d, true));
      try {
        const g = decodeLedgerMessage(original[0]!) as GenesisMessage;
        const start = g.start.map((s, p) => (p === 1 ? s + 1n : s));
        const hash = genesisHash({ ...g, start });
        const at = await rewriteLedger(f, [encodeGenesisMessage({ ...g, start, hash }), ...original.slice(1)]);
        const { code, report } = await verifyCli(f);
        expect(code).toBe(1);
        expect(report.firstBreak).toMatchObject({
          kind: 'prev-hash',
          seq: '1',
          ledgerOffset: String(at[1]),
          expected: hash.toString('hex'),
          actual: f.genesis.hash.toString('hex'),
        });
        expect(report.firstBreak!.message).toContain('the genesis hash');
      } finally {
        await rewriteZnode(f, 'genesis', () => old);
      }
    }, 60_000);
  });
});

function countDiffering(a: Buffer, b: Buffer): number {
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) n++;
  return n;
}
