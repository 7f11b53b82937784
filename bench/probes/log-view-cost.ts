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
 *   signature, border encoding), per record.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/probes/log-view-cost.js
 */
import { randomBytes } from 'node:crypto';
import { linkEntries } from '../../src/chain/link.js';
import { sha256, sha256Into } from '../../src/chain/sha256.js';
import { CheckpointLog } from '../../src/sequencer/checkpoint-log.js';
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
