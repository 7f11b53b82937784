/**
 * The chain limit: SHA-256 digest (SCR1) + link (SCL1) per record, in memory, on this process's
 * one thread, with the project's own functions. The records are built beforehand (a pool of the
 * benchmark's records at their real positions, cycled), so the figure is hashing and encoding
 * only. The link-only rate is what the single sequencer's hashing alone could reach.
 */
import { linkHash } from '../../src/chain/link.js';
import { recordDigest, type SourceRecord } from '../../src/chain/record-digest.js';
import { Progress } from '../../src/cli/progress.js';
import { partitionOf, type RecordFactory } from '../lib/records.js';

const POOL = 100_000;
const CHECK_EVERY = 1 << 14;

export interface ChainLimitResult {
  /** Digest + link per record, records/s. */
  rps: number;
  /** Link only (the sequencer's share of the hashing), records/s. */
  linkRps: number;
  head: string;
}

export function measureChainLimit(factory: RecordFactory, opts: { topic: string; partitions: number; total: number; label: string }): ChainLimitResult {
  const pool: SourceRecord[] = [];
  const n = Math.min(POOL, opts.total);
  const nowMs = BigInt(Date.now());
  for (let i = 0; i < n; i++) {
    const p = partitionOf(i, opts.partitions);
    pool.push(factory.sourceRecord(i, opts.topic, p, BigInt(Math.floor(i / opts.partitions)), nowMs + BigInt(i >> 10)));
  }
  const digests = pool.slice(0, Math.min(n, 10_000)).map(recordDigest);

  const progress = new Progress(`bench ${opts.label}`, opts.total);
  let head: Buffer = Buffer.alloc(32);
  let seq = 0n;
  const started = performance.now();
  for (let i = 0; i < opts.total; i++) {
    head = linkHash(head, ++seq, recordDigest(pool[i % n]!));
    if ((i & (CHECK_EVERY - 1)) === 0) progress.update(i);
  }
  const ms = performance.now() - started;
  progress.finish(opts.total);

  // Link only: the same number of links over precomputed digests.
  let linkHead: Buffer = Buffer.alloc(32);
  const linkStarted = performance.now();
  for (let i = 0; i < opts.total; i++) linkHead = linkHash(linkHead, BigInt(i + 1), digests[i % digests.length]!);
  const linkMs = performance.now() - linkStarted;

  return { rps: (opts.total * 1000) / ms, linkRps: (opts.total * 1000) / linkMs, head: head.toString('hex') };
}
