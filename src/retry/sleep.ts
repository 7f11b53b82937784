/**
 * The one way seqchain waits in async code. Resolves after `ms`, or at once when `signal`
 * aborts (already aborted: no wait): every caller wants an abort to cut the wait short, not to
 * throw, so the loop around it sees its stop condition on the next check. `unref`: the wait does
 * not keep the process alive.
 */
export function sleep(ms: number, options: { signal?: AbortSignal; unref?: boolean } = {}): Promise<void> {
  const { signal, unref = false } = options;
  if (signal?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (unref) timer.unref();
    signal?.addEventListener('abort', done, { once: true });
  });
}
