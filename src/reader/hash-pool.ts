/**
 * The reader's hashing threads: packed batches (`digest-batch.ts`) go to `size` worker threads
 * in turn, each batch's digests come back as one buffer. A thread answers its batches in the
 * order it got them, so each keeps a FIFO of the batches it holds. The buffers are transferred
 * both ways (no copy). A thread that fails ends every pending batch with a typed error.
 */
import { Worker } from 'node:worker_threads';
import { SeqchainError } from '../errors.js';
import type { PackedBatch } from './digest-batch.js';

/** The worker's file beside this one: `.js` in the build, `.ts` when the sources run (tests). */
const WORKER_URL = new URL(`./hash-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

interface Pending {
  id: number;
  resolve: (digests: Buffer) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Pending[];
}

function hashThreadError(message: string, cause?: unknown): SeqchainError {
  return new SeqchainError('SEQCHAIN_ERR_UNEXPECTED', `reader hashing thread: ${message}`, { cause });
}

export class HashPool {
  private readonly threads: Thread[] = [];
  private nextThread = 0;
  private nextId = 0;
  private failed: SeqchainError | null = null;
  private closed = false;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_URL, { workerData: { seqchainHashWorker: true } });
      // An idle pool never keeps the process alive; pending batches are awaited by the reader anyway.
      worker.unref();
      const thread: Thread = { worker, pending: [] };
      worker.on('message', (m: { id: number; digests?: Uint8Array; error?: string }) => {
        const p = thread.pending.shift();
        if (p === undefined || p.id !== m.id) return this.fail(hashThreadError(`answered batch ${m.id} out of order`));
        if (m.digests === undefined) p.reject(hashThreadError(m.error ?? 'no digests'));
        else p.resolve(Buffer.from(m.digests.buffer, m.digests.byteOffset, m.digests.byteLength));
      });
      worker.on('error', (err) => this.fail(hashThreadError(err.message, err)));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(hashThreadError(`exited with code ${code}`));
      });
      this.threads.push(thread);
    }
  }

  get size(): number {
    return this.threads.length;
  }

  /** The digests of `batch` (32 bytes each, in order). Its buffers are transferred: do not use them after. */
  digests(batch: PackedBatch): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(hashThreadError('the pool is closed'));
    const thread = this.threads[this.nextThread]!;
    this.nextThread = (this.nextThread + 1) % this.threads.length;
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      thread.pending.push({ id, resolve, reject });
      const transfer: ArrayBuffer[] = [batch.ends.buffer as ArrayBuffer];
      if (batch.data.buffer !== batch.ends.buffer) transfer.push(batch.data.buffer as ArrayBuffer);
      thread.worker.postMessage({ id, count: batch.count, ends: batch.ends, data: batch.data }, transfer);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rejectAll(hashThreadError('the pool is closed'));
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private fail(err: SeqchainError): void {
    this.failed ??= err;
    this.rejectAll(err);
  }

  private rejectAll(err: Error): void {
    for (const t of this.threads) {
      const pending = t.pending;
      t.pending = [];
      for (const p of pending) p.reject(err);
    }
  }
}
