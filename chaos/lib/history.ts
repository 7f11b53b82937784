/**
 * The chaos run's verdict on the whole history, from raw topic contents (not from seqchain's
 * own state): every source record sequenced exactly once, global seqs contiguous from 1 (the
 * genesis is 0), each partition's offsets in increasing order along the seq, epochs never going
 * down, no zombie write, and nothing the producer got an ack for missing from the source topic.
 * Pure and incremental: feed the ledger message by message (it can be millions of records),
 * then `finish` with the source topic. Each violation is named, e.g. `duplicate p3@120`.
 */

import { lowerBound } from '../../bench/lib/stats.js';

export interface Violation {
  /** Stable kind: genesis, seq-gap, seq-repeat, seq-count, duplicate, order, missing, unknown, epoch-decrease, zombie-wrote, lost-acked, verify, not-recovered, … */
  kind: string;
  message: string;
}

export interface CheckedCut {
  ledgerOffset: number;
  epoch: number;
  firstSeq: number;
  lastSeq: number;
  entries: readonly { partition: number; offset: number }[];
}

/** How many violation messages are kept (all are counted). */
const KEEP = 200;

export class HistoryChecker {
  private readonly violations: Violation[] = [];
  private readonly counts = new Map<string, number>();
  /** Per partition, the offsets sequenced, ascending (kept sorted even after an order violation). */
  private readonly sequenced: number[][] = [];
  private nextSeq = 1;
  private sawGenesis = false;
  private maxEpoch = -1;
  /** Ledger offset where each epoch's first cut is, for naming zombie writes. */
  private readonly epochStart = new Map<number, number>();
  private records = 0;
  private cuts = 0;

  /** @param zombieEpochs epochs of leaders that were SIGSTOPped: a late write by one is `zombie-wrote`. */
  constructor(private readonly zombieEpochs: ReadonlySet<number> = new Set()) {}

  add(kind: string, message: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    if (this.violations.length < KEEP) this.violations.push({ kind, message });
  }

  genesis(ledgerOffset: number): void {
    if (this.sawGenesis) this.add('genesis', `a second genesis message at ledger offset ${ledgerOffset}`);
    else if (this.cuts > 0) this.add('genesis', `the genesis at ledger offset ${ledgerOffset} comes after a cut`);
    this.sawGenesis = true;
  }

  cut(c: CheckedCut): void {
    this.cuts++;
    if (!this.sawGenesis) this.add('genesis', `cut at ledger offset ${c.ledgerOffset} before any genesis message`);
    if (c.epoch < this.maxEpoch) {
      const began = this.epochStart.get(this.maxEpoch);
      if (this.zombieEpochs.has(c.epoch))
        this.add('zombie-wrote', `zombie epoch ${c.epoch} wrote ledger offset ${c.ledgerOffset} after epoch ${this.maxEpoch} began at ledger offset ${began}`);
      else this.add('epoch-decrease', `epoch ${c.epoch} at ledger offset ${c.ledgerOffset} after epoch ${this.maxEpoch} (from ledger offset ${began})`);
    } else if (c.epoch > this.maxEpoch) {
      this.maxEpoch = c.epoch;
      this.epochStart.set(c.epoch, c.ledgerOffset);
    }
    if (c.firstSeq > this.nextSeq)
      this.add('seq-gap', `seq ${this.nextSeq}..${c.firstSeq - 1} missing: cut at ledger offset ${c.ledgerOffset} starts at seq ${c.firstSeq}`);
    else if (c.firstSeq < this.nextSeq)
      this.add('seq-repeat', `cut at ledger offset ${c.ledgerOffset} starts at seq ${c.firstSeq}, seq ${this.nextSeq - 1} was already given`);
    if (c.lastSeq - c.firstSeq + 1 !== c.entries.length)
      this.add('seq-count', `cut at ledger offset ${c.ledgerOffset} spans seq ${c.firstSeq}..${c.lastSeq} but holds ${c.entries.length} records`);
    this.nextSeq = Math.max(this.nextSeq, c.firstSeq + c.entries.length);
    for (const e of c.entries) this.entry(e.partition, e.offset);
    this.records += c.entries.length;
  }

  private entry(p: number, offset: number): void {
    const list = (this.sequenced[p] ??= []);
    const last = list.length > 0 ? list[list.length - 1]! : -1;
    if (offset > last) {
      list.push(offset);
      return;
    }
    const at = lowerBound(list, offset);
    if (list[at] === offset) {
      this.add('duplicate', `duplicate p${p}@${offset}`);
      return;
    }
    this.add('order', `order p${p}: offset ${offset} sequenced after ${last}`);
    list.splice(at, 0, offset);
  }

  /**
   * Compares what was sequenced with the source topic (offsets per partition, ascending) and
   * with the producer's acks (per partition, the end of the acknowledged offsets).
   */
  finish(source: readonly (readonly number[])[], ackedEnd: readonly number[] = []): HistoryVerdict {
    const parts = Math.max(source.length, this.sequenced.length);
    for (let p = 0; p < parts; p++) {
      const src = source[p] ?? [];
      const seq = this.sequenced[p] ?? [];
      let i = 0;
      let j = 0;
      while (i < src.length || j < seq.length) {
        const a = i < src.length ? src[i]! : Infinity;
        const b = j < seq.length ? seq[j]! : Infinity;
        if (a === b) {
          i++;
          j++;
        } else if (a < b) {
          this.add('missing', `missing p${p}@${a}`);
          i++;
        } else {
          this.add('unknown', `unknown p${p}@${b}: sequenced but not in the source topic`);
          j++;
        }
      }
    }
    ackedEnd.forEach((end, p) => {
      const src = source[p] ?? [];
      const topicEnd = src.length > 0 ? src[src.length - 1]! + 1 : 0;
      if (end > topicEnd) this.add('lost-acked', `lost-acked p${p}: the producer had acks up to offset ${end - 1}, the topic ends at ${topicEnd}`);
    });
    return this.verdict(source.reduce((n, s) => n + s.length, 0));
  }

  verdict(sourceRecords = 0): HistoryVerdict {
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    return {
      records: this.records,
      sourceRecords,
      cuts: this.cuts,
      maxEpoch: this.maxEpoch,
      violations: total,
      byKind: Object.fromEntries(this.counts),
      list: [...this.violations],
    };
  }
}

export interface HistoryVerdict {
  /** Ledger entries seen. */
  records: number;
  sourceRecords: number;
  cuts: number;
  maxEpoch: number;
  /** Total violations, all kinds. */
  violations: number;
  byKind: Record<string, number>;
  /** The first violations, in the order found. */
  list: Violation[];
}
