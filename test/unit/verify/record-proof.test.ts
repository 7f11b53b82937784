import { describe, expect, it } from 'vitest';
import { recordDigest } from '../../../src/chain/record-digest.js';
import { ProofCheckError, SeqchainError } from '../../../src/errors.js';
import { sequencedRecordJsonLine } from '../../../src/reader/record-json.js';
import type { SequencedRecord } from '../../../src/reader/window.js';
import {
  NoteSigner,
  TileHashStore,
  TreeBorder,
  formatCheckpoint,
  formatTlogProof,
  inclusionProof,
  recordLeafHash,
  signCheckpoint,
  signNote,
  treeRoot,
} from '../../../src/tlog/index.js';
import { checkRecordProof, parseRecordLine } from '../../../src/verify/record-proof.js';
import { thrown } from '../../helpers/thrown.js';

const ORIGIN = 'example.com/record-proof';
const TOPIC = 'payments';
const SIZE = 37;
const signer = NoteSigner.generate(ORIGIN);

/** Record seq g of a small chain, as the reader hands it out (digest over TOPIC). */
function record(seq: number): SequencedRecord {
  const r = {
    seq: BigInt(seq),
    topic: TOPIC,
    partition: seq % 3,
    offset: BigInt(1000 + seq),
    timestampMs: BigInt(Date.now() - seq),
    key: seq % 5 === 0 ? null : Buffer.from(`key-${seq}`),
    value: Buffer.from(`value ${seq} ${'x'.repeat(seq)}`),
    headers: [
      { name: 'trace', value: Buffer.from(`t${seq}`) },
      { name: 'a', value: seq % 2 === 0 ? null : Buffer.alloc(0) },
    ],
  };
  const digest = recordDigest({ ...r, headers: r.headers.map((h) => ({ name: Buffer.from(h.name), value: h.value })) });
  return { ...r, digest, hash: Buffer.alloc(32, 7) };
}

const records = Array.from({ length: SIZE }, (_, i) => record(i + 1));
const border = TreeBorder.empty();
const store = new TileHashStore();
for (const r of records) store.add(border.append(recordLeafHash(r.seq, r.digest)));

function proofFor(seq: number, size = SIZE, signers: NoteSigner[] = [signer]): string {
  const text = formatCheckpoint({ origin: ORIGIN, size, root: treeRoot(store, size) });
  return formatTlogProof({ index: seq - 1, proof: inclusionProof(store, seq - 1, size), checkpoint: signNote(text, signers) });
}
const line = (seq: number): string => sequencedRecordJsonLine(records[seq - 1]!);
/** `topic` null: no --topic given. */
const check = (proof: string, rec: string, keys = [signer.verifier], topic: string | null = TOPIC) =>
  checkRecordProof({ proof: Buffer.from(proof, 'utf8'), record: rec, keys, ...(topic === null ? {} : { topic }) });
const failed = (fn: () => unknown) => thrown(ProofCheckError, fn);
/** The tail line with one field replaced. */
function edit(seq: number, change: (o: Record<string, unknown>) => void): string {
  const o = JSON.parse(line(seq)) as Record<string, unknown>;
  change(o);
  return JSON.stringify(o);
}

describe('checkRecordProof: a tail --json line against a tlog-proof file', () => {
  it('proves every record of the tree: digest, entry, leaf, inclusion, signed checkpoint; says seq, size, origin and the signing key', () => {
    for (let seq = 1; seq <= SIZE; seq++) {
      const r = check(proofFor(seq), line(seq));
      expect(r).toMatchObject({ seq: BigInt(seq), leafIndex: seq - 1, treeSize: SIZE, origin: ORIGIN, topic: TOPIC });
      expect(r.signedBy).toEqual([`${ORIGIN}+${signer.keyId.toString(16).padStart(8, '0')}`]);
      expect(r.digest.equals(records[seq - 1]!.digest)).toBe(true);
    }
    // At an older size too (a checkpoint of an earlier cut).
    expect(check(proofFor(3, 8), line(3)).treeSize).toBe(8);
  });

  it('key rotation: any pinned key that signed the checkpoint will do', () => {
    const next = NoteSigner.generate(ORIGIN);
    // A checkpoint signed by the old key only, checked with both pinned.
    expect(check(proofFor(4), line(4), [next.verifier, signer.verifier]).signedBy).toHaveLength(1);
    // Signed by both during the rotation: either key alone proves it.
    const both = proofFor(4, SIZE, [signer, next]);
    expect(check(both, line(4), [next.verifier]).treeSize).toBe(SIZE);
    expect(check(both, line(4), [signer.verifier]).treeSize).toBe(SIZE);
  });

  it.each([
    ['value', (o: Record<string, unknown>) => (o.value = Buffer.from('value 9 changed').toString('base64'))],
    ['key', (o: Record<string, unknown>) => (o.key = null)],
    ['timestampMs', (o: Record<string, unknown>) => (o.timestampMs = String(BigInt(o.timestampMs as string) + 1n))],
    ['offset', (o: Record<string, unknown>) => (o.offset = String(BigInt(o.offset as string) + 1n))],
    ['partition', (o: Record<string, unknown>) => (o.partition = (o.partition as number) + 1)],
    ['a header value', (o: Record<string, unknown>) => ((o.headers as { value: string | null }[])[0]!.value = null)],
    ['a header dropped', (o: Record<string, unknown>) => (o.headers as unknown[]).pop()],
  ])('a record whose %s was changed fails at "record" (its fields do not give its digest)', (_what, change) => {
    const e = failed(() => check(proofFor(9), edit(9, change)));
    expect(e.part).toBe('record');
    expect(e.code).toBe('SEQCHAIN_ERR_RECORD_MISMATCH');
    expect(e.message).toMatch(/^record: seq 9 .*do not give its digest/);
  });

  it('a record whose value and digest were changed together fails at "proof" (the leaf is not in the signed tree)', () => {
    const forged = { ...records[9 - 1]!, value: Buffer.from('forged') };
    const digest = recordDigest({ ...forged, headers: forged.headers.map((h) => ({ name: Buffer.from(h.name), value: h.value })) });
    const e = failed(() => check(proofFor(9), sequencedRecordJsonLine({ ...forged, digest })));
    expect(e.part).toBe('proof');
    expect(e.code).toBe('SEQCHAIN_ERR_PROOF_INVALID');
  });

  it('the wrong topic fails at "record", naming the topic', () => {
    const e = failed(() =>
      check(
        proofFor(2),
        edit(2, (o) => (o.topic = 'orders')),
        [signer.verifier],
        null,
      ),
    );
    expect(e.part).toBe('record');
    expect(e.message).toContain('"orders" is not the chain\'s source topic');
  });

  it('a proof of another seq, or a record line with another seq, fails at "index"', () => {
    const other = failed(() => check(proofFor(10), line(11)));
    expect(other.part).toBe('index');
    expect(other.code).toBe('SEQCHAIN_ERR_PROOF_INVALID');
    expect(other.message).toBe('index: the proof is for leaf index 9 (seq 10), not for seq 11 (index 10)');
    const reindexed = proofFor(10).replace('index 9\n', 'index 10\n');
    expect(failed(() => check(reindexed, line(10))).part).toBe('index');
  });

  it('a changed proof hash fails at "proof"; the checkpoint still opens', () => {
    const text = proofFor(12);
    const lines = text.split('\n');
    const h = Buffer.from(lines[2]!, 'base64');
    h[0]! ^= 1;
    lines[2] = h.toString('base64');
    const e = failed(() => check(lines.join('\n'), line(12)));
    expect(e.part).toBe('proof');
    expect(e.code).toBe('SEQCHAIN_ERR_PROOF_INVALID');
    // A hash dropped: the path is too short for the position.
    lines.splice(2, 1);
    expect(failed(() => check(lines.join('\n'), line(12))).part).toBe('proof');
  });

  it('a changed checkpoint (root, size) or signature fails at "checkpoint" with SIGNATURE_INVALID', () => {
    const text = proofFor(5);
    const [head, note] = [text.slice(0, text.indexOf('\n\n') + 2), text.slice(text.indexOf('\n\n') + 2)];
    const [origin, size, root, ...rest] = note.split('\n');
    const r = Buffer.from(root!, 'base64');
    r[31]! ^= 1;
    for (const changed of [
      [origin, size, r.toString('base64'), ...rest].join('\n'),
      [origin, String(SIZE + 1), root, ...rest].join('\n'),
      // A byte of the signature itself flipped (not the base64 padding bits, which strict parsing refuses as malformed).
      note.replace(/ ([A-Za-z0-9+/=]+)\n$/, (_m, sig: string) => {
        const bytes = Buffer.from(sig, 'base64');
        bytes[bytes.length - 1]! ^= 1;
        return ` ${bytes.toString('base64')}\n`;
      }),
    ]) {
      const e = failed(() => check(head + changed, line(5)));
      expect(e.part).toBe('checkpoint');
      expect(e.code).toBe('SEQCHAIN_ERR_SIGNATURE_INVALID');
    }
  });

  it('a checkpoint signed by none of the pinned keys fails at "checkpoint" (NOTE_UNVERIFIED), also when the other key has the same name', () => {
    const e = failed(() => check(proofFor(5), line(5), [NoteSigner.generate(ORIGIN).verifier]));
    expect(e.part).toBe('checkpoint');
    expect(e.code).toBe('SEQCHAIN_ERR_NOTE_UNVERIFIED');
  });

  it("a pinned key of another name that signed the checkpoint does not prove this origin's log", () => {
    const other = NoteSigner.generate('example.com/other-log');
    const e = failed(() => check(proofFor(5, SIZE, [other]), line(5), [other.verifier]));
    expect(e.part).toBe('checkpoint');
    expect(e.message).toContain('is not the name of the pinned key');
  });

  it('a malformed proof file fails at "proof-file"', () => {
    const good = proofFor(6);
    for (const bad of [
      '',
      good.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2'),
      good.replace('index 5', 'index 05'),
      good.replace('\n\n', '\n'),
      good.slice(0, -1),
      good.replace(/\nindex 5\n([^\n]+)\n/, (_m, h: string) => `\nindex 5\n${h.slice(0, -2)}\n`),
    ]) {
      const e = failed(() => check(bad, line(6)));
      expect(e.part, JSON.stringify(bad.slice(0, 60))).toBe('proof-file');
      expect(e.code).toBe('SEQCHAIN_ERR_MALFORMED_MESSAGE');
    }
    const notUtf8 = Buffer.concat([Buffer.from(good, 'utf8'), Buffer.from([0xff])]);
    expect(failed(() => checkRecordProof({ proof: notUtf8, record: line(6), keys: [signer.verifier], topic: TOPIC })).part).toBe('proof-file');
  });

  it('a record file that is not a tail line fails at "record", naming the field', () => {
    for (const [bad, field] of [
      ['not json', 'text'],
      [`${line(6)}${line(7)}`, 'text'],
      ['[]', 'text'],
      [edit(6, (o) => delete o.digest), 'digest'],
      [edit(6, (o) => (o.seq = 6)), 'seq'],
      [edit(6, (o) => (o.seq = '0')), 'seq'],
      [edit(6, (o) => (o.value = 'not base64!')), 'value'],
      [edit(6, (o) => delete o.key), 'key'],
      [edit(6, (o) => (o.headers = {})), 'headers'],
    ] as const) {
      const e = failed(() => check(proofFor(6), bad));
      expect(e.part, bad).toBe('record');
      expect(e.details.field, bad).toBe(field);
    }
  });

  it('a record file of several tail lines fails at "record", saying to give one', () => {
    const e = failed(() => check(proofFor(6), `${line(6)}${line(7)}`));
    expect(e.message).toBe('record: record line: text: 2 lines: give one record, one line of `seqchain tail --json`');
    // One line with its newline, as tail prints it, is one record.
    expect(check(proofFor(6), `${line(6)}\n`).seq).toBe(6n);
  });

  it('a record tail opened with a key (sealed) fails at "record" and says to print it without the key', () => {
    const e = failed(() =>
      check(
        proofFor(6),
        edit(6, (o) => (o.sealed = { keyId: 'k1' })),
      ),
    );
    expect(e.part).toBe('record');
    expect(e.message).toContain('without --key-file');
  });

  it('the topic: the line\'s own "topic" field (tail --json prints it) or --topic; neither is a usage error, a disagreement a record failure', () => {
    expect(check(proofFor(7), line(7), [signer.verifier], null).seq).toBe(7n);
    const noTopic = edit(7, (o) => delete o.topic);
    expect(check(proofFor(7), noTopic, [signer.verifier], TOPIC).seq).toBe(7n);
    const none = thrown(SeqchainError, () => check(proofFor(7), noTopic, [signer.verifier], null));
    expect(none).not.toBeInstanceOf(ProofCheckError);
    expect(none.code).toBe('SEQCHAIN_ERR_USAGE');
    expect(none.message).toContain('--topic');
    expect(failed(() => check(proofFor(7), line(7), [signer.verifier], 'orders')).part).toBe('record');
  });
});

describe('parseRecordLine', () => {
  it('reads back what tail --json prints: 64-bit values, null key, empty and null header values', () => {
    const r = records[10 - 1]!;
    const parsed = parseRecordLine(line(10));
    expect(parsed).toEqual({
      seq: 10n,
      topic: TOPIC,
      partition: r.partition,
      offset: r.offset,
      timestampMs: r.timestampMs,
      key: null,
      value: r.value,
      headers: r.headers.map((h) => ({ name: Buffer.from(h.name), value: h.value })),
      digest: r.digest,
    });
    const big = parseRecordLine(edit(10, (o) => Object.assign(o, { seq: '9007199254740993', timestampMs: '-5' })));
    expect(big.seq).toBe(9_007_199_254_740_993n);
    expect(big.timestampMs).toBe(-5n);
  });
});

// A checkpoint made with signCheckpoint (what the leader writes) checks the same as one signed by hand above.
it('a leader-style checkpoint (signCheckpoint) proves the record', () => {
  const cp = signCheckpoint({ origin: ORIGIN, size: SIZE, root: treeRoot(store, SIZE) }, signer);
  const proof = formatTlogProof({ index: 0, proof: inclusionProof(store, 0, SIZE), checkpoint: cp });
  expect(check(proof, line(1)).seq).toBe(1n);
});
