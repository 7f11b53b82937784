/**
 * Probe for docs/PERFORMANCE.md ("The log view (issue 12)"): CPU time per record of what the
 * leader adds to a cut with the log view on (src/sequencer/checkpoint-log.ts), on one core, no
 * Kafka. Cuts of 5,000 records (what a cut holds from backlog), best of 5 rounds of 40 cuts:
 *
 * - `sha256 45 B` / `sha256Into 45 B`: one leaf-sized SHA-256, into a new Buffer / into a reused one;
 * - `link (off path)`: the chain link per record (linkEntries), which both sides pay;
 * - `leaf+append`: recordLeafHash + TreeBorder.append per record (the general path, which also
 *   returns the stored subtree hashes for the index);
 * - `appendRecords`: TreeBorder.appendRecords (the leader's path), when the build has it;
 * - `next+committed`: the whole CheckpointLog per cut (border copy, leaves, root, Ed25519
 *   signature, border encoding), per record;
 * - `cut off` / `cut on`: the leader's CPU per record of building a cut's ledger message, view off
 *   (links + SCM1) and on (links + CheckpointLog + SCM2), alternated round by round, and their
 *   ratio: a worst case of on ÷ off when the cut loop's thread limits the rate (it leaves out
 *   what both sides share beyond the message: the merge, Kafka, the intake).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/probes/log-view-cost.js
 */
import { randomBytes } from 'node:crypto';
import { linkEntries } from '../../src/chain/link.js';
import { sha256, sha256Into } from '../../src/chain/sha256.js';
import { CheckpointLog } from '../../src/sequencer/checkpoint-log.js';
import { encodeCutMessage } from '../../src/wire/ledger-v1.js';
import { encodeCutMessageV2 } from '../../src/wire/ledger-v2.js';
import { TreeBorder } from '../../src/tlog/border.js';
import { recordLeafHash } from '../../src/tlog/hash.js';
import { NoteSigner } from '../../src/tlog/note-key.js';
import type { CutEntry } from '../../src/wire/ledger-v1.js';

const CUT = 5_000;
const CUTS = 40;
const ROUNDS = 5;

const entries: CutEntry[] = Array.from({ length: CUT }, (_, i) => ({ partition: i % 12, offset: BigInt(i), timestampMs: 0n, digest: randomBytes(32) }));

/** Best per-record time (µs) of `cuts` runs of `fn`, each over CUT records. */
function time(label: string, fn: (cut: number) => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const t = process.hrtime.bigint();
    for (let c = 0; c < CUTS; c++) fn(round * CUTS + c);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / (CUTS * CUT) / 1000);
  }
  console.log(`${label.padEnd(18)} ${best.toFixed(3)} µs/record`);
  return best;
}

const input = Buffer.alloc(45, 3);
const out = Buffer.alloc(32);
time('sha256 45 B', () => {
  for (let i = 0; i < CUT; i++) sha256(input);
});
time('sha256Into 45 B', () => {
  for (let i = 0; i < CUT; i++) sha256Into(input, out, 0);
});
let head: Buffer = Buffer.alloc(32);
time('link (off path)', (c) => {
  head = linkEntries(head, BigInt(c * CUT + 1), entries);
});

const general = TreeBorder.empty();
time('leaf+append', () => {
  const first = BigInt(general.size) + 1n;
  for (let i = 0; i < CUT; i++) general.append(recordLeafHash(first + BigInt(i), entries[i]!.digest));
});

const fast = TreeBorder.empty() as TreeBorder & { appendRecords?: (firstSeq: bigint, e: readonly CutEntry[]) => void };
if (typeof fast.appendRecords === 'function') {
  time('appendRecords', () => fast.appendRecords!(BigInt(fast.size) + 1n, entries));
  const check = TreeBorder.empty();
  for (let s = 0; s < fast.size; s += CUT) for (let i = 0; i < CUT; i++) check.append(recordLeafHash(BigInt(s + i + 1), entries[i]!.digest));
  if (!check.root().equals(fast.root())) throw new Error('appendRecords and append disagree');
}

const log = new CheckpointLog([NoteSigner.generate('probe.seqchain.invalid/log')]);
// recover() needs Kafka only beyond the genesis: an empty head rebuilds an empty tree.
await log.recover({ head: { seq: 0n } as never, kafka: null as never, ledgerTopic: '', groupPrefix: '', logger: null as never });
time('next+committed', () => {
  log.next(BigInt(log.size!) + 1n, entries);
  log.committed();
});

// The cut message, off and on, alternated so that both see the same machine.
const coverage = Array.from({ length: 12 }, () => ({ sourceNext: 1000n, digestNext: 10n }));
let seq = 0n;
let prev: Buffer = Buffer.alloc(32);
const onLog = new CheckpointLog([NoteSigner.generate('probe.seqchain.invalid/cut')]);
await onLog.recover({ head: { seq: 0n } as never, kafka: null as never, ledgerTopic: '', groupPrefix: '', logger: null as never });
let onSeq = 0n;
let onPrev: Buffer = Buffer.alloc(32);
function cutMessage(view: boolean): number {
  const t = process.hrtime.bigint();
  for (let c = 0; c < CUTS; c++) {
    const firstSeq = (view ? onSeq : seq) + 1n;
    const prevHash = view ? onPrev : prev;
    const headHash = linkEntries(prevHash, firstSeq, entries);
    const cut = { epoch: 1n, cutId: 1n, firstSeq, lastSeq: firstSeq + BigInt(CUT) - 1n, prevHash, headHash, closedAtMs: 0n, coverage, entries };
    if (view) {
      encodeCutMessageV2({ ...cut, log: onLog.next(firstSeq, entries) });
      onLog.committed();
      onSeq = cut.lastSeq;
      onPrev = headHash;
    } else {
      encodeCutMessage(cut);
      seq = cut.lastSeq;
      prev = headHash;
    }
  }
  return Number(process.hrtime.bigint() - t) / (CUTS * CUT) / 1000;
}
const off: number[] = [];
const on: number[] = [];
for (let round = 0; round < 2 * ROUNDS; round++) {
  // ABBA order: neither side always runs first.
  if (round % 2 === 0) {
    off.push(cutMessage(false));
    on.push(cutMessage(true));
  } else {
    on.push(cutMessage(true));
    off.push(cutMessage(false));
  }
}
const ratios = off.map((o, i) => o / on[i]!).sort((a, b) => a - b);
console.log(`${'cut off'.padEnd(18)} ${Math.min(...off).toFixed(3)} µs/record (best of ${off.length})`);
console.log(`${'cut on'.padEnd(18)} ${Math.min(...on).toFixed(3)} µs/record (best of ${on.length})`);
console.log(
  `${'off ÷ on'.padEnd(18)} best-of ${(Math.min(...off) / Math.min(...on)).toFixed(2)}, per round median ${ratios[ratios.length >> 1]!.toFixed(2)} (${ratios[0]!.toFixed(2)}–${ratios[ratios.length - 1]!.toFixed(2)})`,
);
