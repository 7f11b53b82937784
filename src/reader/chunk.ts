/**
 * A chunk of a cut's wanted records: gathered from the source feed in ledger order, hashed as a
 * whole (packed for a hashing thread, or on the calling thread), then checked and handed out in
 * the same order. The reader keeps a few in flight so hashing overlaps gathering and handing out.
 * No I/O here: the caller fetches, the pool hashes.
 */
import type { SourceRecord } from '../chain/record-digest.js';
import { recordDigestInto } from '../chain/record-digest.js';
import { HASH_BYTES } from '../chain/link.js';
import type { SeqchainError } from '../errors.js';
import { BatchPacker } from './digest-batch.js';
import type { HashPool } from './hash-pool.js';
import type { SkippedRange } from './options.js';
import type { LedgerRecord } from './window.js';

/** Records per chunk: a batch large enough that a thread's round trip costs little per record. */
export const CHUNK_RECORDS = 1024;
/** Chunks gathered ahead of the one being handed out: what bounds the records held besides the feeds' buffers. */
export const CHUNKS_IN_FLIGHT = 3;

/** One record of a chunk: its source bytes, or the range retention deleted that it falls in (`skipDeleted`). */
export interface ChunkItem {
  entry: LedgerRecord;
  source?: SourceRecord;
  skipped?: SkippedRange;
}

export interface Chunk {
  items: ChunkItem[];
  /** Index in the cut's wanted records after this chunk's last. */
  next: number;
  /** Thrown once every item before it was handed out (a deleted or missing record). */
  end: SeqchainError | null;
  /** The recomputed digests of the items with a source, in order, 32 bytes each. */
  digests: Buffer | Promise<Buffer>;
  /** Internal: where the digests are being made. */
  from: number;
  packer: BatchPacker | null;
  inline: Buffer | null;
  hashed: number;
}

export function newChunk(wanted: readonly LedgerRecord[], from: number, threaded: boolean): Chunk {
  const capacity = Math.min(CHUNK_RECORDS, wanted.length - from);
  return {
    items: [],
    next: from,
    end: null,
    digests: EMPTY,
    from,
    packer: threaded ? new BatchPacker(capacity) : null,
    inline: threaded ? null : Buffer.allocUnsafe(capacity * HASH_BYTES),
    hashed: 0,
  };
}

const EMPTY = Buffer.alloc(0);

/** Adds a record with its source bytes: packed for a thread, or its digest computed now. */
export function addToChunk(chunk: Chunk, item: ChunkItem & { source: SourceRecord }): void {
  chunk.items.push(item);
  if (chunk.packer !== null) chunk.packer.add(item.source);
  else recordDigestInto(item.source, chunk.inline!, chunk.hashed * HASH_BYTES);
  chunk.hashed++;
}

/** Ends the gathering of a chunk: its digests are sent to the pool (or are ready). */
export function sealChunk(chunk: Chunk, pool: HashPool | null): void {
  chunk.next = chunk.from + chunk.items.length;
  if (chunk.packer !== null && pool !== null && chunk.hashed > 0) {
    const p = pool.digests(chunk.packer.finish());
    // Awaited when the chunk is handed out; until then a failure must not count as unhandled.
    p.catch(() => undefined);
    chunk.digests = p;
  } else if (chunk.inline !== null) {
    chunk.digests = chunk.inline;
  }
  chunk.packer = null;
  chunk.inline = null;
}
