/**
 * Where a leader failover's time went, read back from the replicas' own logs (issue 14: "with
 * each target met or the profile … that show what stops it"): after a SIGKILL at `killedAt`,
 * when the successor ruled its predecessor gone (the fast takeover's verdict), when it was
 * elected, and the steps of its new term as it logged them on 'leading' (epoch bumped, old
 * producer fenced, ledger tail read, tree rebuilt, intake started; each ms from the term's start).
 * Pure: the text of every replica log in (pino JSON lines with epoch-ms `time`), figures out.
 */
import { parseLogLine, REPLICA_MESSAGES } from './replica-log.js';

export interface FailoverSteps {
  /** The replica that took over. */
  replicaId: string;
  /**
   * SIGKILL → the dead leader's election node deleted by a replica that ruled it gone (the
   * successor's predecessor watch or any replica's member watch); null when the session expiry did it.
   */
  verdictMs: number | null;
  /** The replica whose verdict that was. */
  verdictBy: string | null;
  /** SIGKILL → 'elected leader'. */
  electedMs: number;
  /** SIGKILL → 'leading: sequencing resumes from the ledger tail' (the term is ready to cut). */
  leadingMs: number;
  /** The term's steps as logged, each ms from the term's start: epochMs, fencedMs, recoveredMs, treeMs (log view), intakeMs. */
  termMs: Record<string, number>;
}

const { predecessorGone, peerElectionNodeGone, elected: ELECTED, leading: LEADING } = REPLICA_MESSAGES;
const isVerdict = (msg: string) => msg.startsWith(predecessorGone) || msg.startsWith(peerElectionNodeGone);
const TERM_STEPS = ['epochMs', 'fencedMs', 'recoveredMs', 'treeMs', 'intakeMs'] as const;

interface Line {
  time: number;
  msg: string;
  replicaId: string;
  fields: Record<string, unknown>;
}

/** The steps of the failover that began at `killedAt`, or null when the logs do not show a new term after it. */
export function failoverSteps(logs: readonly string[], killedAt: number): FailoverSteps | null {
  const lines = logs.flatMap(parseLines).filter((l) => l.time >= killedAt);
  lines.sort((a, b) => a.time - b.time);
  const elected = lines.find((l) => l.msg === ELECTED);
  if (elected === undefined) return null;
  const leading = lines.find((l) => l.msg === LEADING && l.replicaId === elected.replicaId && l.time >= elected.time);
  if (leading === undefined) return null;
  const verdict = lines.find((l) => isVerdict(l.msg) && l.time <= elected.time);
  const termMs: Record<string, number> = {};
  for (const step of TERM_STEPS) {
    const v = leading.fields[step];
    if (typeof v === 'number') termMs[step] = v;
  }
  return {
    replicaId: elected.replicaId,
    verdictMs: verdict === undefined ? null : verdict.time - killedAt,
    verdictBy: verdict?.replicaId ?? null,
    electedMs: elected.time - killedAt,
    leadingMs: leading.time - killedAt,
    termMs,
  };
}

function parseLines(text: string): Line[] {
  const out: Line[] = [];
  for (const raw of text.split('\n')) {
    const fields = parseLogLine(raw);
    if (fields === null) continue;
    const { time, msg, replicaId } = fields;
    if (typeof time === 'number' && typeof msg === 'string' && typeof replicaId === 'string') out.push({ time, msg, replicaId, fields });
  }
  return out;
}

/** One line for the progress output: "verdict 410, elected 425, leading 780 (epoch 12, fenced 60, …) ms". */
export function describeSteps(s: FailoverSteps): string {
  const term = Object.entries(s.termMs)
    .map(([k, v]) => `${k.replace(/Ms$/, '')} ${v}`)
    .join(', ');
  const verdict = s.verdictMs === null ? 'no verdict (session expiry)' : `verdict ${s.verdictMs}${s.verdictBy === s.replicaId ? '' : ` (by ${s.verdictBy})`}`;
  return `${verdict}, elected ${s.electedMs}, leading ${s.leadingMs} ms (term: ${term})`;
}
