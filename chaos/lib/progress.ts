/**
 * The periodic progress line of a chaos run: elapsed and estimated time left, the fault under
 * way, records produced (acknowledged) and sequenced, the offered rate, the current epoch.
 */
import { fmtDuration } from './report.js';

export interface ProgressFigures {
  elapsedMs: number;
  /** Time spent on faults so far, and how many are done / planned (for the estimate). */
  faultsMs: number;
  done: number;
  planned: number;
  current: string;
  produced: number;
  sequenced: number;
  ratePerSec: number;
  epoch: number;
  replicas: number;
}

/** Allowance for the drain and the final check, in the estimate, ms. */
const CHECK_ALLOWANCE_MS = 30_000;

export function progressLine(f: ProgressFigures): string {
  const left = f.done === 0 ? '?' : `~${fmtDuration((f.faultsMs / f.done) * (f.planned - f.done) + CHECK_ALLOWANCE_MS)}`;
  const n = (x: number) => x.toLocaleString('en-US');
  return `chaos: [${fmtDuration(f.elapsedMs)} elapsed, ${left} left] ${f.current} (${f.done}/${f.planned} faults done) | produced ${n(f.produced)} (${n(Math.round(f.ratePerSec))}/s) | sequenced ${n(f.sequenced)} (lag ${n(Math.max(0, f.produced - f.sequenced))}) | epoch ${f.epoch} | replicas ${f.replicas}`;
}
