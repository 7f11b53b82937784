/**
 * The one place the Redis key names of the query index are built (layout 2, docs/INDEX.md).
 *
 *   <prefix>:<chain>:meta                      hash: inc, genesis, layout, head (seq, hash, epoch,
 *                                              cutId, ledgerOffset, updatedAtMs), border (hex:
 *                                              the log view's tree border at size seq), checkpoint
 *                                              (the latest signed checkpoint note, when any)
 *   <prefix>:<chain>:lease                     string: replica id of the index writer (PX ttl)
 *   <prefix>:<chain>:cosigned                  string: witness cosignatures of one checkpoint, written
 *                                              by the leader: "<size>\n<base64 root>\n" then the
 *                                              cosignature lines (./log-store.ts); outside the
 *                                              incarnations, so a reset keeps it
 *   <prefix>:<chain>:<inc>:e:<seq/1310>        string: 1310 fixed-size entries (./entry-codec.ts)
 *   <prefix>:<chain>:<inc>:p:<p>:<offset>>7>   hash: (offset & 127) → seq
 *   <prefix>:<chain>:<inc>:d:<gen>:<addr>      hash: digest[6..18) → seq (see digestSlot)
 *   <prefix>:<chain>:<inc>:dx                  hash: full digest → seq, only for field collisions
 *   <prefix>:<chain>:<inc>:t:<L>:<N/15>        string: 15 hash tiles of level L of the log view
 *                                              (tlog-tiles layout, src/tlog/tile-io.ts), 8,192
 *                                              bytes each (256 hashes), tile N at byte (N%15)·8192;
 *                                              created zero-filled at full size (see TILES_PER_KEY)
 *   <prefix>:<chain>:<inc>:ck                  hash: tree size → signed checkpoint note (every
 *                                              SCM2 cut's end)
 *
 * `<inc>` is the index's incarnation, a random id held by `meta`. A reset (or an index found for
 * another genesis) switches `meta` to a new incarnation in one atomic step; the keys of older
 * incarnations are garbage that a sweep deletes, and no writer can add to them any more. Chain
 * names and key prefixes never contain ':' (config schema), so `<prefix>:<chain>:*` is exactly
 * one chain's keys.
 */
import { randomBytes } from 'node:crypto';

/** Version of the key layout and entry format; an index with another layout is rebuilt. */
export const INDEX_LAYOUT = '2';

/** Offsets per position bucket (2^7 = 128: small enough to stay listpack-encoded). */
export const POSITION_BUCKET_BITS = 7n;
const POSITION_MASK = (1n << POSITION_BUCKET_BITS) - 1n;

/**
 * Digest index. Digests are uniformly random, so a fixed number of buckets cannot stay small as
 * the chain grows. The seqs are split into generations of doubling size instead, and each
 * generation is given, once and for all, enough buckets for ~64 digests each:
 *   generation 0 holds seqs [1, 2^17) in 2^11 buckets; generation g ≥ 1 holds [2^(16+g), 2^(17+g))
 *   in 2^(10+g) buckets.
 * A bucket's address is the top bits of the digest's first 6 bytes; its field is the next 12 bytes.
 * A lookup asks every generation up to the head's (⌈log2(n)⌉ − 16 of them) in one round trip, and
 * every candidate is checked against the full digest stored in its entry.
 */
export const DIGEST_GEN0_SEQ_BITS = 17;
const DIGEST_GEN0_ADDR_BITS = 11;
const DIGEST_ADDR_BYTES = 6;
export const DIGEST_FIELD_FROM = DIGEST_ADDR_BYTES;
export const DIGEST_FIELD_TO = DIGEST_FIELD_FROM + 12;

/**
 * Hash tiles per key. A key is created at its full size (zero-filled) so that SETRANGE never
 * grows it: Redis grows a string to twice its new length, which cost 51.7 bytes per record for
 * 32 bytes of hashes when each tile was its own growing key. 15 × 8,192 = 122,880 bytes plus the
 * sds header and NUL still fit jemalloc's 128 KiB class (16 would not). Which hashes are written
 * is known from the head seq, not from the key's length.
 */
export const TILES_PER_KEY = 15;
export const TILE_BYTES = 256 * 32;
export const TILE_KEY_BYTES = TILES_PER_KEY * TILE_BYTES;

export interface ChainKeys {
  /** `<prefix>:<chain>:` — every key of this chain's index starts with it. */
  readonly chainPrefix: string;
  /** SCAN MATCH pattern of every key of this chain's index. */
  readonly pattern: string;
  readonly meta: string;
  /** string: the replica id holding the index lease (./index-lease.ts); survives index resets. */
  readonly lease: string;
  /** string: the latest witness cosignatures the leader got (./log-store.ts); survives index resets. */
  readonly cosigned: string;
  data(inc: string): DataKeys;
}

export interface DataKeys {
  readonly inc: string;
  entryBucket(bucket: bigint): string;
  position(partition: number, offset: bigint): { key: string; field: string };
  digest(digest: Buffer, generation: number): { key: string; field: Buffer };
  readonly digestOverflow: string;
  /** Where hash tile `index` of level `level` lives: its key and the byte its first hash is at. */
  tile(level: number, index: number): { key: string; byteOffset: number };
  /** hash: tree size (decimal) → the signed checkpoint note of that size. */
  readonly checkpoints: string;
}

export function chainKeys(keyPrefix: string, chain: string): ChainKeys {
  const chainPrefix = `${keyPrefix}:${chain}:`;
  return {
    chainPrefix,
    pattern: `${chainPrefix}*`,
    meta: `${chainPrefix}meta`,
    lease: `${chainPrefix}lease`,
    cosigned: `${chainPrefix}cosigned`,
    data: (inc) => dataKeys(`${chainPrefix}${inc}:`, inc),
  };
}

function dataKeys(base: string, inc: string): DataKeys {
  return {
    inc,
    entryBucket: (bucket) => `${base}e:${bucket}`,
    position: (partition, offset) => ({ key: `${base}p:${partition}:${offset >> POSITION_BUCKET_BITS}`, field: String(offset & POSITION_MASK) }),
    digest: (digest, generation) => {
      const { address, field } = digestSlot(digest, generation);
      return { key: `${base}d:${generation}:${address}`, field };
    },
    digestOverflow: `${base}dx`,
    tile: (level, index) => ({ key: `${base}t:${level}:${Math.floor(index / TILES_PER_KEY)}`, byteOffset: (index % TILES_PER_KEY) * TILE_BYTES }),
    checkpoints: `${base}ck`,
  };
}

/** A new incarnation id: 12 hex digits (48 random bits). */
export function newIncarnation(): string {
  return randomBytes(6).toString('hex');
}

/** The digest-index generation that holds `seq` (seq ≥ 1). */
export function digestGeneration(seq: bigint): number {
  let g = 0;
  while (seq >= 1n << BigInt(DIGEST_GEN0_SEQ_BITS + g)) g++;
  return g;
}

/** Address bits of generation g: enough buckets for ~64 digests each once it is full. */
export function digestAddressBits(generation: number): number {
  return Math.max(DIGEST_GEN0_ADDR_BITS, DIGEST_GEN0_ADDR_BITS - 1 + generation);
}

/** Bucket address (top bits of the digest's first 6 bytes) and field (the next 12 bytes). */
export function digestSlot(digest: Buffer, generation: number): { address: number; field: Buffer } {
  const top48 = digest.readUIntBE(0, DIGEST_ADDR_BYTES);
  const address = Math.floor(top48 / 2 ** (8 * DIGEST_ADDR_BYTES - digestAddressBits(generation)));
  return { address, field: digest.subarray(DIGEST_FIELD_FROM, DIGEST_FIELD_TO) };
}
