/**
 * What the replicas' logs of a soak say about faults nobody injected (issue 14: "count leader
 * changes with no injected fault in the soak … and that count must be 0"): terms begun, crash
 * verdicts of the fast-takeover watches, and worker consumer crashes. Pure: the text of every
 * replica's log in, counts out.
 */
import { parseLogLine, REPLICA_MESSAGES as M } from './replica-log.js';

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

export function countSoakEvents(logs: readonly string[]): SoakEvents {
  let terms = 0;
  let goneVerdicts = 0;
  let workerCrashes = 0;
  for (const text of logs) {
    for (const line of text.split('\n')) {
      const msg = parseLogLine(line)?.msg;
      if (typeof msg !== 'string') continue;
      if (msg.startsWith(M.leading)) terms++;
      else if (msg.startsWith(M.predecessorGone) || msg.startsWith(M.peerGone)) goneVerdicts++;
      else if (msg.startsWith(M.workerCrash)) workerCrashes++;
    }
  }
  return { terms, leaderChanges: Math.max(0, terms - 1), goneVerdicts, workerCrashes };
}
