/**
 * What the replicas' logs of a soak say about faults nobody injected (issue 14: "count leader
 * changes with no injected fault in the soak … and that count must be 0"): terms begun, crash
 * verdicts of the fast-takeover watches, and worker consumer crashes. Pure: the text of every
 * replica's log in, counts out.
 */
export interface SoakEvents {
  /** Sequencer terms begun ('leading: …'): 1 in a soak without a leader change. */
  terms: number;
  /** terms − 1, never below 0. */
  leaderChanges: number;
  /** A predecessor or a peer judged gone (src/coordination): 0 when no process died. */
  goneVerdicts: number;
  /** Worker consumers that crashed and were re-created. */
  workerCrashes: number;
}

const MESSAGES = {
  term: 'leading: sequencing resumes from the ledger tail',
  gone: ['predecessor process is gone', 'peer gone'],
  workerCrash: 'worker consumer crashed',
} as const;

export function countSoakEvents(logs: readonly string[]): SoakEvents {
  let terms = 0;
  let goneVerdicts = 0;
  let workerCrashes = 0;
  for (const text of logs) {
    for (const line of text.split('\n')) {
      const msg = messageOf(line);
      if (msg === null) continue;
      if (msg.startsWith(MESSAGES.term)) terms++;
      else if (MESSAGES.gone.some((m) => msg.startsWith(m))) goneVerdicts++;
      else if (msg.startsWith(MESSAGES.workerCrash)) workerCrashes++;
    }
  }
  return { terms, leaderChanges: Math.max(0, terms - 1), goneVerdicts, workerCrashes };
}

/** The `msg` of a pino JSON line, or null for anything else. */
function messageOf(line: string): string | null {
  if (!line.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    return typeof parsed.msg === 'string' ? parsed.msg : null;
  } catch {
    return null;
  }
}
