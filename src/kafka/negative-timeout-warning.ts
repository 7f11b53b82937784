/**
 * kafkajs 2.2.4 schedules its request-queue check with a negative delay (`throttledUntil` is -1
 * when the broker never throttled: `-1 - Date.now()`), kafkajs#1751, unfixed upstream. Node 23+
 * prints a TimeoutNegativeWarning for it and uses 1 ms, which is what Node 22 did silently: the
 * behaviour is the same, only the line is new. That line would be the first thing a user sees of
 * every command on Node 24, so this drops exactly that warning when kafkajs' request queue caused
 * it; every other warning is printed as before. (Node reports a negative timeout once per
 * process, so once kafkajs' has been dropped, later ones of any code are not reported either.)
 */
const KAFKAJS_REQUEST_QUEUE = /kafkajs[/\\]src[/\\]network[/\\]requestQueue[/\\]/;

let installed = false;

export function dropKafkajsNegativeTimeoutWarning(): void {
  if (installed) return;
  installed = true;
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const name = warning instanceof Error ? warning.name : type;
    if (name === 'TimeoutNegativeWarning' && KAFKAJS_REQUEST_QUEUE.test(new Error().stack ?? '')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
