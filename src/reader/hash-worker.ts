/**
 * A hashing thread of the reader (`hash-pool.ts`): digests packed batches (`digest-batch.ts`)
 * off the main thread. It imports nothing but Node's own modules, so the same file runs from
 * the build (`.js`) and, with Node's type stripping, from the sources in the tests (`.ts`).
 *
 * Message in: { id, count, ends: Uint32Array, data: Uint8Array } (their buffers transferred).
 * Message out: { id, digests: Uint8Array } (32 × count bytes, transferred), or { id, error }.
 */
import { hash } from 'node:crypto';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

const DIGEST_BYTES = 32;

/**
 * Digest i of a packed batch = SHA-256 of data[ends[i-1] .. ends[i]), written at 32·i of `out`.
 * A 'binary' (latin1) digest is a short one-byte string, copied into `out`: no Buffer per hash.
 */
export function digestPacked(count: number, ends: Uint32Array, data: Uint8Array, out: Buffer): void {
  if (ends.length < count) throw new RangeError(`packed batch: ${count} records but ${ends.length} ends`);
  if (out.length < count * DIGEST_BYTES) throw new RangeError(`packed batch: ${count} digests do not fit in ${out.length} bytes`);
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = ends[i]!;
    if (end < start || end > data.length) throw new RangeError(`packed batch: record ${i} ends at ${end}, outside ${start}..${data.length}`);
    out.write(hash('sha256', data.subarray(start, end), 'binary'), i * DIGEST_BYTES, DIGEST_BYTES, 'latin1');
    start = end;
  }
}

interface BatchMessage {
  id: number;
  count: number;
  ends: Uint32Array;
  data: Uint8Array;
}

if (!isMainThread && parentPort !== null && (workerData as { seqchainHashWorker?: boolean } | null)?.seqchainHashWorker === true) {
  const port = parentPort;
  port.on('message', (m: BatchMessage) => {
    try {
      const out = Buffer.allocUnsafeSlow(m.count * DIGEST_BYTES);
      digestPacked(m.count, m.ends, m.data, out);
      const digests = new Uint8Array(out.buffer, out.byteOffset, out.length);
      port.postMessage({ id: m.id, digests }, [digests.buffer as ArrayBuffer]);
    } catch (err) {
      port.postMessage({ id: m.id, error: (err as Error).message });
    }
  });
}
