/** pino's numeric levels, as one-shot commands print them. */
const LABELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Keys every pino line carries that a person reading a command's output does not need. */
const OMITTED = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);

export interface TextLineOptions {
  /** Print stack traces (SEQCHAIN_DEBUG=1), each on the lines after the entry. */
  stacks: boolean;
}

/**
 * One pino JSON line as the plain text line a one-shot command prints on stderr, in the shape of
 * the CLI's error line: `seqchain: warn: message (key=value, key="two words")`. An `err` shows
 * its message; stack traces only when asked for.
 */
export function textLine(json: string, options: TextLineOptions): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json; // not pino's: pass it through untouched
  }
  const stacks: string[] = [];
  const fields: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (OMITTED.has(key)) continue;
    if (key === 'stack') {
      // kafkajs puts a stack trace here; pino's error serializer puts one in err.stack
      if (typeof value === 'string') stacks.push(value);
      continue;
    }
    if (isSerializedError(value)) {
      fields.push(`${key}=${quote(value.message)}`);
      if (typeof value.stack === 'string') stacks.push(value.stack);
      continue;
    }
    fields.push(`${key}=${typeof value === 'string' ? quote(value) : JSON.stringify(value)}`);
  }
  const name = typeof entry.name === 'string' ? entry.name : 'seqchain';
  const label = LABELS[entry.level as number] ?? String(entry.level);
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  let line = `${name}: ${label}: ${msg}${fields.length > 0 ? ` (${fields.join(', ')})` : ''}\n`;
  if (options.stacks) for (const stack of stacks) line += `${stack}\n`;
  return line;
}

function isSerializedError(value: unknown): value is { message: string; stack?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string' && 'stack' in value;
}

/** Bare when it reads unambiguously, else JSON-quoted (spaces, commas, quotes, parentheses, empty). */
function quote(s: string): string {
  return /^[^\s,()"=]+$/.test(s) ? s : JSON.stringify(s);
}
