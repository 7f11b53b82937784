import { OutOfRangeError } from '../errors.js';
import {
  HASH_BYTES,
  TILE_WIDTH,
  TileBytesSource,
  consistencyProof,
  encodeEntryBundle,
  inclusionProof,
  leafEntry,
  parseCheckpoint,
  tileKey,
  tilesRead,
  type SubtreeHashes,
} from '../tlog/index.js';
import type { IndexStore } from './index-store.js';

/** A signed checkpoint as the index holds it. */
export interface StoredCheckpoint {
  size: number;
  root: Buffer;
  /** The note as served: the log's signed note, then any witness cosignatures of this same checkpoint. */
  note: string;
  /** The log's signed note alone, as the leader wrote it in the ledger. */
  logNote: string;
}

/** Witness cosignatures of one checkpoint (`keys.cosigned`). */
export interface StoredCosignatures {
  size: number;
  root: Buffer;
  /** Signature lines "— <name> <base64>\n", each verified by the leader under its witness key. */
  lines: string;
}

export function encodeCosignatures(c: StoredCosignatures): string {
  return `${c.size}\n${c.root.toString('base64')}\n${c.lines}`;
}

/** The stored cosignature lines when they are for this very checkpoint (size and root), else ''. */
function cosignaturesFor(stored: unknown, size: number, root: Buffer): string {
  if (typeof stored !== 'string') return '';
  const a = stored.indexOf('\n');
  const b = stored.indexOf('\n', a + 1);
  if (a < 0 || b < 0) return '';
  return stored.slice(0, a) === String(size) && stored.slice(a + 1, b) === root.toString('base64') ? stored.slice(b + 1) : '';
}

/** The note with the cosignature lines of its own checkpoint appended (signed-note allows any number of signature lines). */
function withCosignatures(logNote: string, stored: unknown): { size: number; root: Buffer; note: string } {
  const end = logNote.indexOf('\n\n');
  const cp = parseCheckpoint(logNote.slice(0, end < 0 ? logNote.length : end + 1));
  return { size: cp.size, root: cp.root, note: `${logNote}${cosignaturesFor(stored, cp.size, cp.root)}` };
}

/**
 * Read side of the log view in the query index (keys in ./keys.ts, written with each cut by
 * applyCut): the latest signed checkpoint, the checkpoint of each cut's end, hash tiles and entry
 * bundles, and proofs computed from the tiles. A proof is one round trip: the tiles it needs are
 * known from the sizes alone (`tilesRead`), and read in one MULTI with the index's meta.
 * Every call throws SEQCHAIN_ERR_UNREACHABLE when Redis is down.
 */
export class LogViewStore {
  constructor(
    private readonly store: IndexStore,
    /** The log's identity, from the configuration: served beside the tiles (`/v1/log/key`). */
    readonly origin: string,
    /** The keys checkpoints are signed with: one, or the new and the old during a rotation. */
    readonly verifierKeys: readonly string[],
  ) {}

  /** The latest signed checkpoint with its witness cosignatures, or null when no cut has carried one yet. */
  async latest(): Promise<StoredCheckpoint | null> {
    const { meta: metaKey, cosigned } = this.store.keys;
    const got = await this.store.read(
      'latestCheckpoint',
      {},
      (tx) => {
        tx.hget(metaKey, 'checkpoint');
        tx.get(cosigned);
      },
      (_meta, [v, c]) => (typeof v === 'string' && v !== '' ? { logNote: v, cosigned: c } : null),
    );
    return got ? { ...withCosignatures(got.logNote, got.cosigned), logNote: got.logNote } : null;
  }

  /** Keeps witness cosignatures of one checkpoint (the leader's, ../witness/submitter.ts); served with it while it is the one asked for. */
  async saveCosignatures(c: StoredCosignatures): Promise<void> {
    await this.store.setChainKey('saveCosignatures', this.store.keys.cosigned, encodeCosignatures(c));
  }

  /** The first `width` hashes of hash tile `level`/`index`, or null when the tree does not hold them yet. */
  async tile(level: number, index: number, width: number): Promise<Buffer | null> {
    return this.store.read(
      'tile',
      { level, index, width },
      (tx, keys) => {
        const { key, byteOffset } = keys.tile(level, index);
        tx.getrangeBuffer(key, byteOffset, byteOffset + width * HASH_BYTES - 1);
      },
      (meta, [v]) => {
        // Tile keys are pre-sized: what is written is known from the head, not from the bytes.
        const written = Math.floor(Number(meta.head.seq) / TILE_WIDTH ** level) - index * TILE_WIDTH;
        return Buffer.isBuffer(v) && v.length === width * HASH_BYTES && written >= width ? v : null;
      },
    );
  }

  /** Entry bundle `index` of `width` entries (SCT1 e_g of seqs 256·index + 1 …), or null when not all are indexed. */
  async entries(index: number, width: number): Promise<Buffer | null> {
    const first = BigInt(index) * BigInt(TILE_WIDTH) + 1n;
    const records = await this.store.range(first, first + BigInt(width) - 1n);
    if (records.length !== width) return null;
    return encodeEntryBundle(records.map((r) => leafEntry(r.seq, r.digest)));
  }

  /** PATH(index, D[0:size]) and the signed checkpoint of `size` (null when no cut ended there with one). */
  async inclusion(index: number, size: number): Promise<{ proof: Buffer[]; checkpoint: string | null }> {
    return this.prove((src) => inclusionProof(src, index, size), size, size, { index, size });
  }

  /** PROOF(from, D[0:to]). */
  async consistency(from: number, to: number): Promise<Buffer[]> {
    return (await this.prove((src) => consistencyProof(src, from, to), to, null, { from, to })).proof;
  }

  private async prove(
    run: (src: SubtreeHashes) => Buffer[],
    size: number,
    checkpointOf: number | null,
    details: Record<string, unknown>,
  ): Promise<{ proof: Buffer[]; checkpoint: string | null }> {
    const tiles = tilesRead(run);
    const got = await this.store.read(
      'proof',
      details,
      (tx, keys) => {
        for (const t of tiles) {
          const { key, byteOffset } = keys.tile(t.level, t.index);
          tx.getrangeBuffer(key, byteOffset, byteOffset + TILE_WIDTH * HASH_BYTES - 1);
        }
        if (checkpointOf !== null) {
          tx.hget(keys.checkpoints, String(checkpointOf));
          tx.get(this.store.keys.cosigned);
        }
      },
      (meta, values) => ({ head: Number(meta.head.seq), values }),
    );
    if (!got || got.head < size) throw new OutOfRangeError(`the index does not hold the tree of size ${size} (it was reset, or is catching up)`, details);
    const values = got.values;
    const bytes = new Map<string, Buffer | null>();
    tiles.forEach((t, i) => {
      bytes.set(tileKey(t.level, t.index), (values[i] as Buffer | null) ?? null);
    });
    const proof = run(new TileBytesSource(bytes));
    const note = checkpointOf === null ? null : values[tiles.length];
    return { proof, checkpoint: typeof note === 'string' && note !== '' ? withCosignatures(note, values[tiles.length + 1]).note : null };
  }
}
