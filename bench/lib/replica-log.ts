/**
 * The replicas' own log lines, as the bench reads them back (bench/lib/soak-events.ts,
 * bench/lib/failover-steps.ts): pino JSON, one object per line, and the messages the bench looks
 * for, written as the replicas write them (src/sequencer, src/coordination, src/worker). Pure.
 */
export const REPLICA_MESSAGES = {
  /** A sequencer term ready to cut (its fields carry the term's steps). */
  leading: 'leading: sequencing resumes from the ledger tail',
  elected: 'elected leader',
  /**
   * The fast takeover's verdicts (message prefixes): the predecessor watch deleted the dead
   * process's election node; a member watch deleted it; a member watch removed its worker.
   */
  predecessorGone: 'predecessor process is gone',
  peerElectionNodeGone: 'peer process is gone',
  peerGone: 'peer gone',
  workerCrash: 'worker consumer crashed',
} as const;

/** The fields of one pino JSON line, or null for anything else (a stack trace, a partial line). */
export function parseLogLine(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
