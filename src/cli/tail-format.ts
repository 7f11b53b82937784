/**
 * How `seqchain tail` prints a sequenced record: one JSON object per line (`--json`), or one
 * readable table line. No I/O.
 */
import type { SequencedRecord } from '../reader/window.js';

/** One `--json` line's object: 64-bit values as decimal strings (JSON numbers lose precision past 2^53), bytes as base64, hashes as hex. */
export interface TailJson {
  seq: string;
  partition: number;
  offset: string;
  timestampMs: string;
  key: string | null;
  value: string | null;
  headers: { name: string; value: string | null }[];
  digest: string;
  hash: string;
}

const base64 = (b: Buffer | null): string | null => (b === null ? null : b.toString('base64'));

export function tailJson(r: SequencedRecord): TailJson {
  return {
    seq: r.seq.toString(),
    partition: r.partition,
    offset: r.offset.toString(),
    timestampMs: r.timestampMs.toString(),
    key: base64(r.key),
    value: base64(r.value),
    headers: r.headers.map((h) => ({ name: h.name, value: base64(h.value) })),
    digest: r.digest.toString('hex'),
    hash: r.hash.toString('hex'),
  };
}

/** The `--json` line, newline included. */
export function tailJsonLine(r: SequencedRecord): string {
  return `${JSON.stringify(tailJson(r))}\n`;
}

/** Characters shown of a key or value in the table before it is cut with '…'. */
export const TABLE_BYTES_SHOWN = 40;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as text when they are valid UTF-8 without control characters, else as `base64:…`; cut to `max` characters. */
export function showBytes(b: Buffer | null, max = TABLE_BYTES_SHOWN): string {
  if (b === null) return 'null';
  let text: string | null = null;
  try {
    const s = utf8.decode(b);
    if (!/[\p{Cc}\p{Cf}]/u.test(s)) text = JSON.stringify(s);
  } catch {
    // not UTF-8: shown as base64
  }
  const shown = text ?? `base64:${b.toString('base64')}`;
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
}

function showTimestamp(ms: bigint): string {
  const d = new Date(Number(ms));
  return ms >= 0n && Number.isFinite(d.getTime()) ? d.toISOString() : ms.toString();
}

/** One table line: seq, partition/offset, timestamp, key, value, header count. */
export function tailTableLine(r: SequencedRecord): string {
  const headers = r.headers.length === 0 ? '' : `  (${r.headers.length} header${r.headers.length === 1 ? '' : 's'})`;
  return `${r.seq.toString().padStart(8)}  ${`${r.partition}/${r.offset}`.padEnd(12)}  ${showTimestamp(r.timestampMs)}  key ${showBytes(r.key)}  value ${showBytes(r.value)}${headers}\n`;
}
