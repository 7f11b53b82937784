/**
 * seqchain's log view checked by Go's reference implementation (golang.org/x/mod/sumdb/note and
 * sumdb/tlog, Debian's golang-go and golang-golang-x-mod-dev, built offline). The Go program
 * (test/interop/go/main.go) reads what this file writes and reports; nothing here is skipped when
 * Go is missing: scripts/test.sh installs it (scripts/lib/go-interop.sh).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NoteSigner,
  consistencyProof,
  encodeEntryBundle,
  formatTilePath,
  formatTlogProof,
  inclusionProof,
  leafHash,
  openCheckpoint,
  openNote,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  tilesOfSize,
  treeRoot,
} from '../../src/tlog/index.js';
import { buildTree, vectorDigest, vectorEntry } from '../unit/tlog/fixtures.js';

const GOPATH = '/usr/share/gocode';
const X_MOD = join(GOPATH, 'src/golang.org/x/mod/sumdb/tlog');
const SOURCE = fileURLToPath(new URL('./go/main.go', import.meta.url));
const ORIGIN = 'log.example/seqchain-interop';
const SIZE = 70000;
const ENTRIES = 600; // Go builds its own tree over this many entries, root by root
const b64 = (h: Buffer): string => h.toString('base64');
/** The record whose tlog-proof file Go reads (test/integration/log-view/offline-proof.test.ts does the same with `seqchain prove`'s file). */
const PROOF_SEQ = 12346;

interface Report {
  checkpointText: string;
  checkpointSigners: string[];
  tamperedRejected: string;
  goSignedWithTsKey: string;
  goVerifierKey: string;
  goNote: string;
  entryRootsMatched: number;
  inclusionPassed: number;
  inclusionTamperFailed: number;
  consistencyPassed: number;
  consistencyForkFailed: number;
  tileTreeRoot: string;
  tileProofsMatched: number;
  proofFileOrigin: string;
  proofFileIndex: number;
  proofFileSize: number;
  proofFilePassed: boolean;
  proofFileTamperFailed: boolean;
  errors: string[];
}

let work = '';
let report: Report;
const signer = NoteSigner.generate(ORIGIN);
const { store } = buildTree(SIZE);
const root = treeRoot(store, SIZE);
const checkpoint = signCheckpoint({ origin: ORIGIN, size: SIZE, root }, signer);
const signText = `${ORIGIN}\n42\n${b64(treeRoot(store, 42))}\n`;
const inclusionSizes = [1, 2, 255, 256, 257, 1000, SIZE];
const inclusion = inclusionSizes.flatMap((size) =>
  [...new Set([0, 1, 127, 255, 256, Math.floor(size / 2), size - 1, 12345, 65535, 65536, 69999])]
    .filter((i) => i < size)
    .map((index) => ({
      index,
      size,
      leaf: b64(leafHash(vectorEntry(index + 1))),
      proof: inclusionProof(store, index, size).map(b64),
      root: b64(treeRoot(store, size)),
    })),
);
const pairs: [number, number][] = [];
for (const to of [1, 2, 3, 8, 255, 256, 257, 1000, 65536, SIZE])
  for (const from of [1, 2, 3, 7, 8, 255, 256, 257, 999, 1000, 65536]) if (from <= to) pairs.push([from, to]);
const consistency = pairs.map(([from, to]) => ({
  from,
  to,
  fromRoot: b64(treeRoot(store, from)),
  toRoot: b64(treeRoot(store, to)),
  proof: consistencyProof(store, from, to).map(b64),
}));

function goBinary(): string {
  try {
    execFileSync('go', ['version'], { stdio: 'pipe' });
  } catch {
    throw new Error('go is not installed: run `bash scripts/lib/go-interop.sh` (installs golang-go and golang-golang-x-mod-dev)');
  }
  if (!existsSync(X_MOD)) throw new Error(`${X_MOD} is missing: install golang-golang-x-mod-dev (bash scripts/lib/go-interop.sh)`);
  return 'go';
}

beforeAll(() => {
  const go = goBinary();
  work = mkdtempSync(join(tmpdir(), 'seqchain-go-interop-'));
  // GOPATH mode: Debian's x/mod sources under /usr/share/gocode, no module download.
  const env = { ...process.env, GOPATH, GO111MODULE: 'off', GOCACHE: join(tmpdir(), 'seqchain-go-cache') };
  const bin = join(work, 'interop');
  execFileSync(go, ['build', '-o', bin, SOURCE], { env, cwd: work, stdio: 'pipe' });

  const tileDir = join(work, 'tiles');
  for (const t of tilesOfSize(SIZE)) {
    const file = join(tileDir, formatTilePath(t));
    mkdirSync(dirname(file), { recursive: true });
    const bytes = t.level === 'entries' ? encodeEntryBundle(Array.from({ length: t.width }, (_, i) => vectorEntry(t.index * 256 + i + 1))) : store.tile(t);
    writeFileSync(file, bytes);
  }
  const proofFile = join(work, 'record.tlog-proof');
  writeFileSync(proofFile, formatTlogProof({ index: PROOF_SEQ - 1, proof: inclusionProof(store, PROOF_SEQ - 1, SIZE), checkpoint }));
  const input = {
    proofFile,
    proofSeq: PROOF_SEQ,
    proofDigest: vectorDigest(PROOF_SEQ).toString('hex'),
    verifierKey: signer.verifierKey,
    signerKey: signer.format(),
    checkpoint,
    signText,
    entries: Array.from({ length: ENTRIES }, (_, i) => b64(vectorEntry(i + 1))),
    roots: Array.from({ length: ENTRIES }, (_, i) => b64(treeRoot(store, i + 1))),
    inclusion,
    consistency,
    tileDir,
    tileSize: SIZE,
    tileRoot: b64(root),
  };
  const inputFile = join(work, 'input.json');
  writeFileSync(inputFile, JSON.stringify(input), { mode: 0o600 });
  report = JSON.parse(execFileSync(bin, [inputFile], { encoding: 'utf8', maxBuffer: 16 << 20 })) as Report;
}, 180_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe("Go's sumdb/note and sumdb/tlog accept seqchain's log view", () => {
  it('reports no error', () => {
    expect(report.errors).toEqual([]);
  });

  it('note.Open opens the signed checkpoint under the verifier key string, and rejects it altered', () => {
    expect(report.checkpointText).toBe(`${ORIGIN}\n${SIZE}\n${b64(root)}\n`);
    expect(report.checkpointSigners).toEqual([`${ORIGIN}+${signer.keyId.toString(16).padStart(8, '0')}`]);
    expect(report.tamperedRejected).toMatch(/invalid signature/);
  });

  it('note.NewSigner takes the signer key string and signs the very bytes seqchain signs', () => {
    expect(report.goSignedWithTsKey).toBe(signNote(signText, [signer]));
    expect(openCheckpoint(report.goSignedWithTsKey, [signer.verifier], ORIGIN).checkpoint.size).toBe(42);
  });

  it("seqchain opens a note Go signed with a key Go generated, from Go's verifier key string", () => {
    expect(openNote(report.goNote, [parseVerifierKey(report.goVerifierKey)]).text).toBe(signText);
  });

  it("Go's own tree over the same SCT1 entries has seqchain's root at every size", () => {
    expect(report.entryRootsMatched).toBe(ENTRIES);
  });

  it('tlog.CheckRecord accepts every inclusion proof, and refuses it for another leaf', () => {
    expect(inclusion.length).toBeGreaterThan(30);
    expect(report.inclusionPassed).toBe(inclusion.length);
    expect(report.inclusionTamperFailed).toBe(inclusion.length);
  });

  it('tlog.CheckTree accepts every consistency proof, and refuses it against a forked old root', () => {
    expect(consistency.length).toBeGreaterThan(50);
    expect(report.consistencyPassed).toBe(consistency.length);
    expect(report.consistencyForkFailed).toBe(consistency.length);
  });

  it("tlog.TileHashReader over seqchain's tiles (tile/8/L/N mapped to tile/L/N) gives the same root and proofs", () => {
    expect(report.tileTreeRoot).toBe(b64(root));
    expect(report.tileProofsMatched).toBe(inclusion.filter((c) => c.size === SIZE).length);
  });

  it('a c2sp.org/tlog-proof@v1 file, read by hand: note.Open opens its checkpoint, tlog.CheckRecord accepts the SCT1 entry Go builds from seq and digest, and refuses another', () => {
    expect(report).toMatchObject({
      proofFileOrigin: ORIGIN,
      proofFileIndex: PROOF_SEQ - 1,
      proofFileSize: SIZE,
      proofFilePassed: true,
      proofFileTamperFailed: true,
    });
  });
});
