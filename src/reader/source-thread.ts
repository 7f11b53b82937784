/**
 * The reader's source thread: the source topic's consumer runs here, so that kafkajs' decoding
 * of the source fetches and the records' SCR1 digests, most of a reader's work, take a core of
 * their own while the calling thread reads the ledger, links and hands out
 * (docs/PERFORMANCE.md, "The reader's source thread"). It answers the calling thread's chunks of
 * positions in order with packed records (`record-pack.ts`); its log lines go to the caller's
 * logger. The calling side is `source-thread-client.ts`, which also names the messages.
 *
 * Runs from the build only (`dist/src/reader/source-thread.js`): it imports seqchain's modules
 * and kafkajs, which Node cannot load from the TypeScript sources.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createKafka } from '../kafka/client.js';
import { fromKafkaError } from '../kafka/errors.js';
import { createLogger } from '../log.js';
import { SourceGatherer } from './source-gather.js';
import type { SourceThreadInit, SourceThreadReply, SourceThreadRequest, ThreadError } from './source-thread-client.js';

function threadError(err: unknown): ThreadError {
  const e = fromKafkaError(err) as Partial<{ name: string; code: string; message: string; details: Record<string, unknown>; retriable: boolean }>;
  return { name: e.name ?? 'Error', code: e.code ?? null, message: e.message ?? String(err), details: e.details ?? {}, retriable: e.retriable ?? false };
}

function serve(init: SourceThreadInit, port: NonNullable<typeof parentPort>): void {
  const post = (m: SourceThreadReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  const logger = createLogger({ level: init.logLevel, name: 'seqchain-reader-source', stream: { write: (line: string) => post({ type: 'log', line }) } });
  const kafka = createKafka(init.kafka, logger, 'read-source');
  const opening = SourceGatherer.open({ ...init, kafka, logger });
  opening.catch(() => undefined);
  // One request at a time, in the order they came: the calling thread matches answers by order.
  let last: Promise<unknown> = opening;
  const run = (m: SourceThreadRequest): Promise<void> => {
    if (m.type === 'close') {
      return opening
        .then(
          (g) => g.close(),
          () => undefined,
        )
        .then(() => post({ type: 'closed' }));
    }
    return opening
      .then((g) => g.gather(m))
      .then(
        (chunk) => {
          const bytes = chunk.bytes;
          post({ type: 'chunk', id: m.id, bytes, names: chunk.names, count: chunk.count }, [bytes.buffer as ArrayBuffer]);
        },
        (err: unknown) => post({ type: 'error', id: m.id, error: threadError(err) }),
      );
  };
  port.on('message', (m: SourceThreadRequest) => {
    // A close ends a wait for a record now rather than after it.
    if (m.type === 'close')
      opening.then(
        (g) => g.wake(),
        () => undefined,
      );
    last = last.then(
      () => run(m),
      () => run(m),
    );
  });
}

if (!isMainThread && parentPort !== null && (workerData as { seqchainSourceThread?: boolean } | null)?.seqchainSourceThread === true) {
  serve(workerData as SourceThreadInit, parentPort);
}
