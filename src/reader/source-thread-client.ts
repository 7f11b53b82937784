/**
 * The calling thread's side of the reader's source thread (`source-thread.ts`): starts it, sends
 * it chunks of positions, and hands back its packed answers in the order asked. Its log lines
 * are written through the caller's logger. A thread that fails or exits ends every pending
 * chunk with a typed error.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { KafkaClientOptions } from '../config/settings.js';
import { type ErrorCode, SeqchainError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PackedChunk } from './record-pack.js';
import type { SourcePositions, SourceRecords } from './source-gather.js';

/** What the thread is started with (`workerData`). */
export interface SourceThreadInit {
  seqchainSourceThread: true;
  kafka: KafkaClientOptions;
  sourceTopic: string;
  chainTopic: string;
  bufferRecords: number;
  skipDeleted: boolean;
  groupPrefix: string;
  logLevel: string;
}

export type SourceThreadRequest = ({ type: 'gather'; id: number } & SourcePositions) | { type: 'close' };

/** An error as it crosses threads: a SeqchainError's fields, or a plain error's name and message. */
export interface ThreadError {
  name: string;
  code: string | null;
  message: string;
  details: Record<string, unknown>;
  retriable: boolean;
}

export type SourceThreadReply =
  | { type: 'chunk'; id: number; bytes: Uint8Array; names: string[]; count: number }
  | { type: 'error'; id: number; error: ThreadError }
  | { type: 'log'; line: string }
  | { type: 'closed' };

/**
 * The thread's file: beside this one in the build; from the TypeScript sources (the tests), the
 * build's copy, since the thread needs seqchain's modules compiled (`npm test` builds first).
 */
export function sourceThreadFile(): string {
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL('../../dist/src/reader/source-thread.js', here) : new URL('./source-thread.js', here);
  return fileURLToPath(url);
}

function failure(message: string, cause?: unknown): SeqchainError {
  return new SeqchainError('SEQCHAIN_ERR_UNEXPECTED', `reader source thread: ${message}`, { cause });
}

function fromThread(e: ThreadError): Error {
  if (e.code?.startsWith('SEQCHAIN_ERR_')) {
    return new SeqchainError(e.code as ErrorCode, e.message, { details: e.details, retriable: e.retriable });
  }
  return failure(`${e.name}: ${e.message}`);
}

/** A pino line of the thread, logged again through `logger` (its level, message and fields). */
function relog(logger: Logger, line: string): void {
  try {
    const { level, msg, time: _t, pid: _p, hostname: _h, name: _n, ...fields } = JSON.parse(line) as Record<string, unknown> & { level: number; msg?: string };
    // The thread's logger is pino too: its numeric level names the same method here.
    const method = (logger.levels.labels[level] ?? 'info') as 'info';
    logger[method](fields, msg ?? '');
  } catch {
    logger.warn({ line }, 'reader source thread: a log line that is not JSON');
  }
}

/** How long a closing thread may take to leave its consumer group before it is terminated. */
const CLOSE_TIMEOUT_MS = 10_000;

export function threadSource(init: Omit<SourceThreadInit, 'seqchainSourceThread' | 'logLevel'>, logger: Logger): SourceRecords {
  const file = sourceThreadFile();
  if (!existsSync(file)) throw failure(`${file} is missing: build the project first (npm run build)`);
  const worker = new Worker(file, { workerData: { ...init, seqchainSourceThread: true, logLevel: logger.level } satisfies SourceThreadInit });
  const pending: { id: number; resolve: (c: PackedChunk) => void; reject: (err: Error) => void }[] = [];
  let failed: Error | null = null;
  let closing = false;
  let exited = false;
  let closed: (() => void) | null = null;
  let nextId = 0;
  const fail = (err: Error) => {
    failed ??= err;
    for (const p of pending.splice(0)) p.reject(err);
  };
  worker.on('message', (m: SourceThreadReply) => {
    if (m.type === 'log') return relog(logger, m.line);
    if (m.type === 'closed') return closed?.();
    const p = pending.shift();
    if (p === undefined || p.id !== m.id) return fail(failure(`answered chunk ${m.id} out of order`));
    if (m.type === 'error') p.reject(fromThread(m.error));
    else p.resolve({ bytes: m.bytes, names: m.names, count: m.count });
  });
  worker.on('error', (err) => fail(failure(err.message, err)));
  worker.on('exit', (code) => {
    exited = true;
    closed?.();
    if (!closing) fail(failure(`exited with code ${code}`));
  });
  return {
    gather(positions) {
      if (failed) return Promise.reject(failed);
      if (closing) return Promise.reject(failure('closed'));
      const id = nextId++;
      return new Promise<PackedChunk>((resolve, reject) => {
        pending.push({ id, resolve, reject });
        worker.postMessage({ type: 'gather', id, ...positions } satisfies SourceThreadRequest);
      });
    },
    async close() {
      if (closing) return;
      closing = true;
      const done = exited
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            closed = resolve;
          });
      worker.postMessage({ type: 'close' } satisfies SourceThreadRequest);
      const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
      await done;
      clearTimeout(timer);
      fail(failure('closed'));
      await worker.terminate();
    },
  };
}
