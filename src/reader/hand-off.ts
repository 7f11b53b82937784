/**
 * Between the reader's two halves: the ledger side puts chunks of checked positions (each with
 * its source records on the way), the caller's side takes them in order. Bounded, so the ledger
 * side reads ahead only so far when the caller is slow; ended with the error that stopped the
 * ledger side, thrown once every chunk before it was taken. One producer, one consumer. No I/O.
 */
export class HandOff<T> {
  private readonly items: T[] = [];
  private end: { error: unknown } | null = null;
  private closed = false;
  private wakeTaker: (() => void) | null = null;
  private wakePutter: (() => void) | null = null;

  constructor(private readonly capacity: number) {}

  /** Waits for room, then queues `item`; false when the taking side has closed (stop producing). */
  async put(item: T): Promise<boolean> {
    while (!this.closed && this.items.length >= this.capacity) {
      await new Promise<void>((resolve) => {
        this.wakePutter = resolve;
      });
    }
    if (this.closed) return false;
    this.items.push(item);
    this.wake('taker');
    return true;
  }

  /** No more items: `take` returns null (or throws `error`) once the queued ones are taken. */
  finish(error: unknown = null): void {
    this.end ??= { error };
    this.wake('taker');
  }

  /** The next item; null at the end; the producer's error, if it ended with one, after the last item. */
  async take(): Promise<T | null> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        this.wake('putter');
        return item;
      }
      if (this.end !== null) {
        if (this.end.error !== null) throw this.end.error;
        return null;
      }
      await new Promise<void>((resolve) => {
        this.wakeTaker = resolve;
      });
    }
  }

  /** The taking side is gone: a waiting `put` returns false, and so does every later one. */
  close(): T[] {
    this.closed = true;
    this.wake('putter');
    return this.items.splice(0);
  }

  private wake(side: 'taker' | 'putter'): void {
    const w = side === 'taker' ? this.wakeTaker : this.wakePutter;
    if (side === 'taker') this.wakeTaker = null;
    else this.wakePutter = null;
    w?.();
  }
}
