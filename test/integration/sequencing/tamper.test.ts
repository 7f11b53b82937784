import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { linkHash } from '../../../src/chain/link.js';
import { kafkaNames } from '../../../src/kafka/names.js';
import type { VerifyReport } from '../../../src/verify/verify-chain.js';
import { encodeCutMessage, type CutMessage } from '../../../src/wire/ledger-v1.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';

/**
 * The ledger is append-only, so "tampering" means someone with write access to the ledger topic
 * appends a message seqchain did not write. A raw (non-seqchain) producer does it here.
 */
describe('verify detects a ledger message written by a raw producer', () => {
  let f: ChainFixture;
  let lastCut: CutMessage;

  beforeAll(async () => {
    f = new ChainFixture();
    await f.init(2);
    f.set.start(`${f.chain}-r1`);
    await waitFor('a leader', async () => (await f.set.leader()) ?? undefined, 60_000);
    await f.produce(2_000);
    await waitFor('2,000 sequenced', async () => (await f.set.sequenced()) >= 2_000, 120_000, 100);
    await f.set.stopAll();
    lastCut = (await f.ledgerMessages()).filter((m): m is CutMessage => m.kind === 'cut').pop()!;
  }, 180_000);

  afterAll(async () => {
    await f?.close();
  });

  async function verify(): Promise<{ code: number | null; report: VerifyReport }> {
    const out = await runCli(['verify', '--json'], { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' });
    return { code: out.code, report: JSON.parse(out.stdout) as VerifyReport };
  }

  async function append(value: Buffer): Promise<void> {
    const producer = f.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic: kafkaNames.ledgerTopic(f.chain), acks: -1, messages: [{ value }] });
    await producer.disconnect();
  }

  it('passes before tampering', async () => {
    const { code, report } = await verify();
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
  }, 60_000);

  it('names the seq of a forged cut that extends the chain with a record the source never had', async () => {
    // A forger can compute links (no secret is involved) but cannot make the source topic hold
    // the record: the source check names the forged seq.
    const seq = lastCut.lastSeq + 1n;
    const digest = Buffer.alloc(32, 0xab);
    const entry = { partition: 0, offset: lastCut.coverage[0]!.sourceNext, timestampMs: BigInt(Date.now()), digest };
    const forged = encodeCutMessage({
      ...lastCut,
      cutId: lastCut.cutId + 1n,
      firstSeq: seq,
      lastSeq: seq,
      prevHash: lastCut.headHash,
      headHash: linkHash(lastCut.headHash, seq, digest),
      coverage: lastCut.coverage.map((c, p) => (p === 0 ? { ...c, sourceNext: c.sourceNext + 1n } : c)),
      entries: [entry],
    });
    await append(forged);
    const { code, report } = await verify();
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toMatchObject({ kind: 'not-in-source', seq: seq.toString(), partition: 0, offset: entry.offset.toString() });
  }, 60_000);

  it('names the seq where a replayed cut with an altered digest breaks the ledger (runs after the forged cut)', async () => {
    const altered = { ...lastCut, entries: lastCut.entries.map((e, i) => (i === 0 ? { ...e, digest: Buffer.from(e.digest).fill(0, 0, 1) } : e)) };
    await append(encodeCutMessage(altered));
    const { code, report } = await verify();
    expect(code).toBe(1);
    // The ledger's own links break before the source is even read: after the forged cut of the
    // previous test the next seq is lastSeq + 2, and the replay starts at an old seq.
    expect(report.firstBreak).toMatchObject({ kind: 'seq-gap', seq: (lastCut.lastSeq + 2n).toString(), actual: lastCut.firstSeq.toString() });
    expect(report.firstBreak!.message).toContain(`starts at seq ${lastCut.firstSeq}`);
  }, 60_000);
});
