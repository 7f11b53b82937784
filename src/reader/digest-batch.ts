/**
 * The packed batch a hashing thread digests (`hash-worker.ts`): the SCR1 preimages of a run of
 * source records, written back to back, and where each ends. Two plain ArrayBuffers, so the
 * batch is transferred to the thread, not copied, and the thread needs no record object, no
 * kafkajs and nothing of the chain's code: it hashes byte ranges. Pure: no I/O.
 *
 *   data: preimage_0 ‖ preimage_1 ‖ … ‖ preimage_(n-1)      (SCR1 preimages, record-digest.ts)
 *   ends: u32 × n, ends[i] = byte offset in data just past preimage_i (so preimage_i is
 *         data[ends[i-1] (0 for i = 0) .. ends[i]))
 *
 * Digest i of the batch is SHA-256(preimage_i) = recordDigest(record_i).
 */
import { type SourceRecord, writeRecordPreimage } from '../chain/record-digest.js';
import { PreimageBuffer } from './preimage-buffer.js';

/** A batch ready for a hashing thread: `count` preimages in `data`, delimited by `ends`. */
export interface PackedBatch {
  count: number;
  ends: Uint32Array;
  data: Uint8Array;
}

/** Writes SCR1 preimages back to back into one growing buffer: the `PreimageSink` of a batch. */
export class BatchPacker extends PreimageBuffer {
  private ends: Uint32Array;
  private n = 0;

  /** `records`: how many the batch will hold at most; `bytes`: a first guess of their size. */
  constructor(records: number, bytes = records * 384) {
    super(bytes);
    this.ends = new Uint32Array(Math.max(1, records));
  }

  get count(): number {
    return this.n;
  }

  /** Appends the preimage of `r`; its digest will be number `count - 1` of the batch. */
  add(r: SourceRecord): void {
    writeRecordPreimage(this, r);
    if (this.n === this.ends.length) {
      const more = new Uint32Array(this.ends.length * 2);
      more.set(this.ends);
      this.ends = more;
    }
    this.ends[this.n++] = this.pos;
  }

  /** The batch, its buffers handed over: the packer must not be used after. */
  finish(): PackedBatch {
    const batch = { count: this.n, ends: this.ends.subarray(0, this.n), data: this.take() };
    this.ends = new Uint32Array(0);
    return batch;
  }
}
