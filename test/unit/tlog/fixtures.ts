import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TileHashStore, TreeBorder, leafEntry, leafHash } from '../../../src/tlog/index.js';

export interface TlogVectors {
  version: number;
  entries: { seq: number; digest: string; entry: string; leaf: string }[];
  roots: { size: number; root: string }[];
  inclusion: { index: number; size: number; leaf: string; proof: string[] }[];
  consistency: { from: number; to: number; proof: string[] }[];
  tiles: { size: number; paths: string[]; partial: Record<string, string>; allSha256: string }[];
  checkpoints: { origin: string; size: number; text: string }[];
}

export const vectors = JSON.parse(readFileSync(new URL('../../vectors/tlog-v1.json', import.meta.url), 'utf8')) as TlogVectors;

/** The vectors' record digest for seq g: SHA-256("seqchain-vector" ‖ u64(g)). */
export function vectorDigest(seq: number): Buffer {
  const g = Buffer.alloc(8);
  g.writeBigUInt64BE(BigInt(seq));
  return createHash('sha256').update('seqchain-vector').update(g).digest();
}

export const vectorEntry = (seq: number): Buffer => leafEntry(BigInt(seq), vectorDigest(seq));

/** A tree of `size` vector leaves built by appending; `onSize` sees the border after every append. */
export function buildTree(size: number, onSize?: (border: TreeBorder, store: TileHashStore) => void): { border: TreeBorder; store: TileHashStore } {
  const border = TreeBorder.empty();
  const store = new TileHashStore();
  for (let g = 1; g <= size; g++) {
    store.add(border.append(leafHash(vectorEntry(g))));
    onSize?.(border, store);
  }
  return { border, store };
}

export const hex = (hs: readonly Buffer[]): string[] => hs.map((h) => h.toString('hex'));
export const unhex = (hs: readonly string[]): Buffer[] => hs.map((h) => Buffer.from(h, 'hex'));
