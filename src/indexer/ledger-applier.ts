import { setImmediate as nextTurn } from 'node:timers/promises';
import { ChainBrokenError, MalformedMessageError } from '../errors.js';
import { TreeBorder, appendToTiles, recordLeafHash } from '../tlog/index.js';
import type { ChainHead } from '../kafka/ledger-tail.js';
import { decodeLedgerMessage, type LedgerMessage } from '../wire/ledger.js';
import { ChainFollower, type FollowPoint } from './chain-follower.js';
import type { IndexWriter, TreeStep, WriteResult, WriteStep } from '../index-store/index-writer.js';

/** Records per Redis pipeline: bounds one round trip (and each script's run) to well under the command timeout. */
const PIPELINE_RECORDS = 10_000;
const PIPELINE_STEPS = 500;
/**
 * Records checked and hashed between two turns of the event loop. A catch-up batch (up to
 * `maxBytesPerPartition`, about 80,000 records) is otherwise checked in one synchronous stretch,
 * 0.8–1.1 s in which the replica's election watch, worker, API and heartbeats wait: a successor
 * that had just taken the index lease was elected 1.1 s after its predecessor's node went
 * (docs/PERFORMANCE.md, "Leader failover: kafkajs' hidden 300 ms…", point 3).
 */
const YIELD_RECORDS = 2_000;

export interface RawLedgerMessage {
  offset: bigint;
  value: Buffer | null;
}

export interface AppliedInfo {
  seq: bigint;
  ledgerOffset: bigint;
  /** Records of this message (0 for the genesis and for cuts that only move coverage). */
  records: number;
  /** True when this call wrote it; false when the index already held it (another replica). */
  applied: boolean;
  /** The chain head after this message, with its coverage; null for the genesis message. */
  head: ChainHead | null;
}

export type ApplyOutcome =
  | { kind: 'ok' }
  /** The index moved under us (reset, flushed, or not where we left it): start again from its head. */
  | { kind: 'reposition'; reason: string }
  /** The index head is not what the ledger holds at its offset: the index must be rebuilt. */
  | { kind: 'mismatch'; reason: string };

/**
 * Turns committed ledger messages into index writes: each message is checked against the chain
 * (ChainFollower: recomputed links, prevHash, headHash) before anything of it is written, and
 * whole batches go to Redis in pipelines. `confirmed` is where the index is known to hold the
 * ledger, message by message. It also grows the log view's tree (every cut, SCM1 or SCM2: the
 * leaves come from the digests) from the border the index holds at the starting point; an applier
 * whose apply() did not end 'ok' is dropped (the indexer starts again from the index head), so
 * the border it carried ahead of Redis is never used.
 */
export class LedgerApplier {
  private readonly follower: ChainFollower;
  private confirmedPoint: FollowPoint;
  private readonly border: TreeBorder;

  constructor(
    private readonly writer: IndexWriter,
    private readonly chain: string,
    genesisHash: Buffer,
    start: FollowPoint,
    /** The tree border at size start.seq, as the index holds it (stored form). */
    startBorder: Buffer,
    private readonly onApplied?: (info: AppliedInfo) => void,
  ) {
    this.follower = new ChainFollower(chain, genesisHash, start);
    this.confirmedPoint = { ...start };
    this.border = TreeBorder.decode(Number(start.seq), startBorder);
  }

  /** The last ledger message the index is known to hold, and the chain head there. */
  get confirmed(): FollowPoint {
    return this.confirmedPoint;
  }

  /**
   * Checks and applies messages in ledger order. Throws ChainBrokenError or MalformedMessageError
   * (what came before the offending message is indexed, nothing from it on) or a retriable Redis
   * error. Pipelines are sent back to back without waiting for the one before: each script is
   * guarded by the index head, so a later one can never apply out of turn, and the results are
   * settled in order.
   */
  async apply(messages: readonly RawLedgerMessage[], heartbeat?: () => Promise<void>): Promise<ApplyOutcome> {
    const inFlight: Array<{ steps: WriteStep[]; result: Promise<WriteResult[] | Error> }> = [];
    let steps: WriteStep[] = [];
    let records = 0;
    const send = () => {
      if (steps.length === 0) return;
      const batch = steps;
      steps = [];
      records = 0;
      inFlight.push({ steps: batch, result: this.writer.apply(batch).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))) });
    };
    let stop: { broken: unknown } | { mismatch: ApplyOutcome } | null = null;
    let sinceTurn = 0;
    for (const m of messages) {
      let step;
      try {
        step = this.follower.next(m.offset, decode(m.value));
      } catch (err) {
        stop = { broken: err };
        break;
      }
      if (step.kind === 'mismatch') {
        stop = { mismatch: step };
        break;
      }
      if (step.kind === 'genesis') steps.push(step);
      else if (step.kind === 'cut') {
        try {
          steps.push({ ...step, tree: this.grow(step.cut, step.ledgerOffset) });
        } catch (err) {
          stop = { broken: err };
          break;
        }
      } else continue;
      const n = step.kind === 'cut' ? step.cut.entries.length : 0;
      records += n;
      sinceTurn += n;
      if (records >= PIPELINE_RECORDS || steps.length >= PIPELINE_STEPS) send();
      if (sinceTurn >= YIELD_RECORDS) {
        sinceTurn = 0;
        await nextTurn();
      }
    }
    send();
    let outcome: ApplyOutcome = { kind: 'ok' };
    let failure: Error | null = null;
    for (const { steps: sent, result } of inFlight) {
      const r = await result;
      if (failure || outcome.kind !== 'ok') continue;
      if (r instanceof Error) failure = r;
      else outcome = this.settle(sent, r);
      if (heartbeat) await heartbeat();
    }
    if (failure) throw failure;
    if (outcome.kind !== 'ok') return outcome;
    if (stop && 'broken' in stop) throw stop.broken;
    if (stop && 'mismatch' in stop) return stop.mismatch;
    return outcome;
  }

  /** Appends the cut's leaves to the tree; an SCM2 cut's stored border must be the one recomputed. */
  private grow(cut: WriteStepCut['cut'], ledgerOffset: bigint): TreeStep {
    const leaves = cut.entries.map((e, i) => recordLeafHash(cut.firstSeq + BigInt(i), e.digest));
    const tiles = appendToTiles(this.border, leaves);
    const border = this.border.encode();
    if (cut.log && !cut.log.border.equals(border)) {
      // The checkpoint would name a root the served tiles do not give: index nothing of this cut.
      throw new ChainBrokenError(`chain ${this.chain}: the tree border stored with cut ${cut.cutId} is not the one its records give`, {
        chain: this.chain,
        ledgerOffset: ledgerOffset.toString(),
        seq: cut.lastSeq.toString(),
        kind: 'checkpoint',
      });
    }
    return { tiles, border, checkpoint: cut.log?.checkpoint ?? null };
  }

  private settle(steps: WriteStep[], results: WriteResult[]): ApplyOutcome {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const result = results[i]!;
      if (result.status === 'stale') return { kind: 'reposition', reason: 'the index was reset or replaced' };
      if (result.status === 'behind') {
        return {
          kind: 'reposition',
          reason: `ledger offset ${step.ledgerOffset} does not follow the index head (seq ${result.headSeq}, ledger offset ${result.headLedgerOffset})`,
        };
      }
      const seq = step.kind === 'cut' ? step.cut.lastSeq : 0n;
      const hash = step.kind === 'cut' ? step.cut.headHash : this.confirmedPoint.hash;
      this.confirmedPoint = { seq, hash, ledgerOffset: step.ledgerOffset };
      const head =
        step.kind === 'cut' ? { seq, hash, cutId: step.cut.cutId, epoch: step.cut.epoch, ledgerOffset: step.ledgerOffset, coverage: step.cut.coverage } : null;
      this.onApplied?.({
        seq,
        ledgerOffset: step.ledgerOffset,
        records: step.kind === 'cut' ? step.cut.entries.length : 0,
        applied: result.status === 'applied',
        head,
      });
    }
    return { kind: 'ok' };
  }
}

type WriteStepCut = Extract<WriteStep, { kind: 'cut' }>;

function decode(value: Buffer | null): LedgerMessage | MalformedMessageError {
  try {
    return decodeLedgerMessage(value ?? Buffer.alloc(0));
  } catch (err) {
    return err instanceof MalformedMessageError ? err : new MalformedMessageError('ledger message v1', (err as Error).message);
  }
}
