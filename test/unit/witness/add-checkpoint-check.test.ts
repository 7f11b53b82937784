import { describe, expect, it } from 'vitest';
import type { SeqchainError } from '../../../src/errors.js';
import { consistencyProof, EMPTY_ROOT, formatAddCheckpoint, NoteSigner, type NoteVerifier, signCheckpoint, treeRoot } from '../../../src/tlog/index.js';
import { checkAddCheckpoint, type WitnessedHead, witnessStatus } from '../../../src/witness/add-checkpoint-check.js';
import { buildTree } from '../tlog/fixtures.js';

const ORIGIN = 'example.com/witness-check';
const log = NoteSigner.generate(ORIGIN);
const stranger = NoteSigner.generate(ORIGIN);
const { store } = buildTree(300);
const root = (n: number) => treeRoot(store, n);
const note = (size: number, r = root(size), signer = log) => signCheckpoint({ origin: ORIGIN, size, root: r }, signer);
const body = (oldSize: number, size: number, proof = oldSize === 0 ? [] : consistencyProof(store, oldSize, size), n = note(size)) =>
  formatAddCheckpoint({ oldSize, proof, note: n });
const logs = new Map<string, NoteVerifier[]>([[ORIGIN, [log.verifier]]]);

/** The status the witness answers for `b` when it last cosigned `head` (null: never). */
function status(b: string, head: WitnessedHead | null): { status: number; error?: SeqchainError } {
  try {
    checkAddCheckpoint(b, logs, () => head);
    return { status: 200 };
  } catch (err) {
    return { status: witnessStatus(err), error: err as SeqchainError };
  }
}
const at = (n: number): WitnessedHead => ({ size: n, root: root(n) });

describe('add-checkpoint checks (C2SP tlog-witness status codes)', () => {
  it('accepts a first checkpoint from old 0, and a consistent one from the size last cosigned, returning what to cosign', () => {
    const first = checkAddCheckpoint(body(0, 100), logs, () => null);
    expect(first.origin).toBe(ORIGIN);
    expect(first.checkpoint.size).toBe(100);
    expect(first.text).toBe(`${note(100).split('\n\n')[0]}\n`);
    expect(first.logSignatures.map((s) => s.name)).toEqual([ORIGIN]);
    for (const [from, to] of [
      [100, 257],
      [1, 300],
      [256, 256],
      [255, 256],
    ] as const)
      expect(status(body(from, to), at(from)).status, `${from}→${to}`).toBe(200);
  });

  it('ignores signatures by unknown keys (another witness, another log) beside the trusted one', () => {
    const other = NoteSigner.generate('witness.example/other');
    const withOther = `${note(50)}${signCheckpoint({ origin: ORIGIN, size: 50, root: root(50) }, other).split('\n\n')[1]}`;
    expect(status(body(0, 50, [], withOther), null).status).toBe(200);
  });

  it.each([
    ['a body without the blank line', 'old 0\n', 400],
    ['a malformed checkpoint note', `old 0\n\n${ORIGIN}\n5\n`, 400],
    ['old size above the checkpoint size', () => body(200, 100, []), 400],
    [
      'an unknown origin',
      () =>
        formatAddCheckpoint({
          oldSize: 0,
          proof: [],
          note: signCheckpoint({ origin: 'example.com/other', size: 1, root: root(1) }, NoteSigner.generate('example.com/other')),
        }),
      404,
    ],
    ['no signature by the trusted key', () => body(0, 10, [], note(10, root(10), stranger)), 403],
    ['a trusted signature that does not verify', () => body(0, 10, [], note(10).replace(`\n10\n`, '\n11\n')), 403],
  ] as const)('%s → %d', (_what, b, want) => {
    expect(status(typeof b === 'function' ? b() : b, at(5)).status).toBe(want);
  });

  it('409 names the latest cosigned size when old size differs (and 0 when nothing was cosigned)', () => {
    const r = status(body(100, 200), at(150));
    expect(r.status).toBe(409);
    expect(r.error!.code).toBe('SEQCHAIN_ERR_WITNESS_CONFLICT');
    expect(r.error!.details).toMatchObject({ origin: ORIGIN, oldSize: 100, size: 150 });
    expect(r.error!.retriable).toBe(true);
    expect(status(body(100, 200), null).error!.details).toMatchObject({ size: 0 });
  });

  it('422 for a proof that does not verify, a fork at the same size, a proof from 0, a size-0 checkpoint with another root', () => {
    const bad = consistencyProof(store, 100, 200);
    bad[0] = Buffer.alloc(32, 7);
    expect(status(body(100, 200, bad), at(100)).status).toBe(422);
    // The log signed another tree of the size the witness holds: a fork.
    const forked = Buffer.alloc(32, 1);
    expect(status(body(100, 100, [], note(100, forked)), at(100)).status).toBe(422);
    // Consistent with what the log signs, but not with what the witness cosigned before.
    expect(status(body(100, 200), { size: 100, root: forked }).status).toBe(422);
    expect(status(body(0, 200, consistencyProof(store, 1, 200)), null).status).toBe(422);
    expect(status(body(0, 0, [], note(0, Buffer.alloc(32))), null).status).toBe(422);
    expect(status(body(0, 0, [], note(0, EMPTY_ROOT)), null).status).toBe(200);
  });
});
