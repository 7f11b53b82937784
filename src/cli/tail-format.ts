/**
 * How `seqchain tail` prints a sequenced record: one readable table line, or (`--json`) the
 * shared JSON form of `../reader/record-json.ts`, one object per line. No I/O.
 */
import type { SequencedRecord } from '../reader/window.js';

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

/** One table line: seq, partition/offset, timestamp, key, value, header count, and the key id of an opened sealed value. */
export function tailTableLine(r: SequencedRecord): string {
  const headers = r.headers.length === 0 ? '' : `  (${r.headers.length} header${r.headers.length === 1 ? '' : 's'})`;
  const sealed = r.sealed ? `  [opened, key ${r.sealed.keyId}]` : '';
  return `${r.seq.toString().padStart(8)}  ${`${r.partition}/${r.offset}`.padEnd(12)}  ${showTimestamp(r.timestampMs)}  key ${showBytes(r.key)}  value ${showBytes(r.value)}${headers}${sealed}\n`;
}
