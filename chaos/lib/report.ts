/**
 * What the chaos run prints: one line per fault (name, target, recovery), the summary per fault
 * kind, and the final JSON object (always the last line of stdout). Pure.
 */
import type { Violation } from './history.js';

export interface FaultRecord {
  name: string;
  /** What it hit: a replica id, a stack component, a partition count… */
  target: string;
  /** ms since the Unix epoch when the fault was injected. */
  injectedAt: number;
  /** The moment recovery is measured from: the injection, or the restart of what was stopped. */
  referenceAt: number;
  /** From referenceAt until the ledger covered every record acked at referenceAt; null: never. */
  recoveryMs: number | null;
  /** Anything else worth a look (failover to the first cut of a new epoch, outage length, …). */
  detail: string;
}

export function faultLine(i: number, total: number, r: FaultRecord): string {
  const rec = r.recoveryMs === null ? 'NOT RECOVERED' : `recovered in ${r.recoveryMs} ms`;
  return `chaos: fault ${i}/${total} ${r.name.padEnd(29)} target ${r.target.padEnd(24)} ${rec}${r.detail ? ` (${r.detail})` : ''}`;
}

export interface FaultSummary {
  count: number;
  /** Median and worst recovery of the ones that recovered, ms (null: none did). */
  medianMs: number | null;
  worstMs: number | null;
  notRecovered: number;
}

export function summarizeFaults(records: readonly FaultRecord[]): Record<string, FaultSummary> {
  const by = new Map<string, FaultRecord[]>();
  for (const r of records) by.set(r.name, [...(by.get(r.name) ?? []), r]);
  const out: Record<string, FaultSummary> = {};
  for (const [name, rs] of by) {
    const ms = rs
      .map((r) => r.recoveryMs)
      .filter((x): x is number => x !== null)
      .sort((a, b) => a - b);
    out[name] = {
      count: rs.length,
      medianMs: ms.length === 0 ? null : ms[(ms.length - 1) >> 1]!,
      worstMs: ms.length === 0 ? null : ms[ms.length - 1]!,
      notRecovered: rs.length - ms.length,
    };
  }
  return out;
}

export function summaryLines(summary: Record<string, FaultSummary>): string[] {
  const lines = [`chaos: ${'fault'.padEnd(29)} count  median ms  worst ms  not recovered`];
  for (const [name, s] of Object.entries(summary)) {
    lines.push(
      `chaos: ${name.padEnd(29)} ${String(s.count).padStart(5)} ${String(s.medianMs ?? '-').padStart(10)} ${String(s.worstMs ?? '-').padStart(9)} ${String(s.notRecovered).padStart(14)}`,
    );
  }
  return lines;
}

export interface ChaosResult {
  seed: number;
  /** Records the producer got acks for (the source topic holds at least these). */
  records: number;
  faults: Record<string, number>;
  violations: number;
  worstRecoveryMs: Record<string, number | null>;
  /** Median recovery per fault kind, ms (null: none recovered). */
  medianRecoveryMs: Record<string, number | null>;
  /** Everything below the five fields the issue fixes: extra figures. */
  [extra: string]: unknown;
}

/** The final JSON object: seed, records, faults {name: count}, violations, worstRecoveryMs {name: ms}, then extras. */
export function buildResult(input: {
  seed: number;
  records: number;
  faults: readonly FaultRecord[];
  violations: readonly Violation[];
  violationCount: number;
  extra?: Record<string, unknown>;
}): ChaosResult {
  const summary = summarizeFaults(input.faults);
  return {
    seed: input.seed,
    records: input.records,
    faults: Object.fromEntries(Object.entries(summary).map(([n, s]) => [n, s.count])),
    violations: input.violationCount,
    worstRecoveryMs: Object.fromEntries(Object.entries(summary).map(([n, s]) => [n, s.worstMs])),
    medianRecoveryMs: Object.fromEntries(Object.entries(summary).map(([n, s]) => [n, s.medianMs])),
    ...(input.extra ?? {}),
    violationList: input.violations.slice(0, 20).map((v) => `${v.kind}: ${v.message}`),
  };
}

/** Run-time violations (a fault that never recovered, a Redis outage that did not answer 503, …). */
export class ViolationLog {
  readonly list: Violation[] = [];

  add(kind: string, message: string): Violation {
    const v = { kind, message };
    this.list.push(v);
    return v;
  }
}

export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
