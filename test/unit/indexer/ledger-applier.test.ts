import { describe, expect, it } from 'vitest';
import type { IndexWriter, WriteStep } from '../../../src/index-store/index-writer.js';
import { LedgerApplier, type RawLedgerMessage } from '../../../src/indexer/ledger-applier.js';
import { TreeBorder } from '../../../src/tlog/index.js';
import { encodeCutMessage, encodeGenesisMessage } from '../../../src/wire/ledger-v1.js';
import { cut, G, genesisMsg } from '../../helpers/ledger-cuts.js';

/** A writer that applies everything, recording each pipeline's steps. */
function fakeWriter(): { writer: IndexWriter; pipelines: WriteStep[][] } {
  const pipelines: WriteStep[][] = [];
  const writer = {
    apply: async (steps: readonly WriteStep[]) => {
      pipelines.push([...steps]);
      return steps.map(() => ({ status: 'applied' as const, headSeq: null, headLedgerOffset: null }));
    },
  } as unknown as IndexWriter;
  return { writer, pipelines };
}

/** The genesis, then `cuts` cuts of `size` records, at ledger offsets 0, 1, 2, … */
function ledger(cuts: number, size: number): RawLedgerMessage[] {
  const { kind: _k, ...genesis } = genesisMsg;
  const out: RawLedgerMessage[] = [{ offset: 0n, value: encodeGenesisMessage(genesis) }];
  let seq = 0n;
  let hash: Buffer = G;
  for (let i = 1; i <= cuts; i++) {
    const { kind: _c, ...c } = cut(seq, hash, size, BigInt(i));
    out.push({ offset: BigInt(i), value: encodeCutMessage(c) });
    seq = c.lastSeq;
    hash = c.headHash;
  }
  return out;
}

describe('LedgerApplier', () => {
  it('checks and writes a large catch-up batch in order, letting the event loop turn while it hashes', async () => {
    const messages = ledger(12, 1_000);
    // Counts the messages the applier has read when the loop gets a turn.
    let read = 0;
    const counted: RawLedgerMessage[] = messages.map((m) => ({
      offset: m.offset,
      get value() {
        read++;
        return m.value;
      },
    }));
    const { writer, pipelines } = fakeWriter();
    const applied: bigint[] = [];
    const applier = new LedgerApplier(writer, 'c', G, { seq: 0n, hash: G, ledgerOffset: -1n }, TreeBorder.empty().encode(), (info) => applied.push(info.seq));
    let readAtFirstTurn = -1;
    setImmediate(() => (readAtFirstTurn = read));
    expect(await applier.apply(counted)).toEqual({ kind: 'ok' });
    // 12,000 records in one synchronous stretch would let the loop turn only after all 13 messages.
    expect(readAtFirstTurn).toBeGreaterThan(0);
    expect(readAtFirstTurn).toBeLessThanOrEqual(4);
    expect(pipelines.flat().map((s) => s.ledgerOffset)).toEqual(messages.map((m) => m.offset));
    expect(applied.at(-1)).toBe(12_000n);
    expect(applier.confirmed).toMatchObject({ seq: 12_000n, ledgerOffset: 12n });
  });
});
