/**
 * The log view's reads on the real stack (issue 12 part 3, docs/LOG.md "Reads"): every replica's
 * API serves the latest signed checkpoint, tiles and proofs from its Redis index, and what it
 * serves verifies with src/tlog alone: inclusion proofs of random records against the served
 * checkpoint's root, consistency between two served sizes, the root rebuilt from tiles fetched
 * over HTTP. The chain starts with the view off (SCM1 cuts), so the tree also covers them.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, ReplicaSet, runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import {
  HASH_BYTES,
  TileBytesSource,
  decodeEntryBundle,
  formatTilePath,
  leafEntry,
  openCheckpoint,
  parseVerifierKey,
  recordLeafHash,
  tileKey,
  tilesOfSize,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type NoteVerifier,
} from '../../../src/tlog/index.js';
import type { CutMessage } from '../../../src/wire/ledger.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';
import { runGoInterop } from '../../helpers/go-interop.js';

const keys = mkdtempSync(join(tmpdir(), 'seqchain-log-api-'));
let fixtures: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const f of fixtures.reverse()) await f.close();
  fixtures = [];
});

async function get(url: string): Promise<{ status: number; type: string; cache: string | null; body: Buffer }> {
  const res = await fetch(url);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    cache: res.headers.get('cache-control'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}
async function json(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await get(url);
  return { status: r.status, body: JSON.parse(r.body.toString('utf8')) as Record<string, unknown> };
}
const b64 = (hashes: unknown): Buffer[] => (hashes as string[]).map((h) => Buffer.from(h, 'base64'));
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2));
}

describe('log view reads over HTTP (real Kafka, ZooKeeper, Redis)', () => {
  it('serves checkpoints, tiles and proofs that verify, for records sequenced before and after the view was switched on; bad input is a 400 naming the parameter', async () => {
    const origin = `example.com/log-api-${randomBytes(4).toString('hex')}`;
    const keyFile = join(keys, 'log.key');
    const gen = await runCli(['log-keygen', '--origin', origin, '--out', keyFile]);
    expect(gen.code).toBe(0);
    const verifier: NoteVerifier = parseVerifierKey(gen.stdout.trim());

    // Phase 1: the view off; its routes say so.
    const f = new ChainFixture();
    fixtures.push(f);
    const BEFORE = 3_000;
    await f.startSequenced(3, BEFORE);
    const offUrl = await f.set.apiUrl(`${f.chain}-r1`);
    for (const path of ['/checkpoint', '/tile/0/000', '/v1/log/key', '/v1/proofs/inclusion?seq=1', '/v1/proofs/consistency?from=1']) {
      const r = await json(`${offUrl}${path}`);
      expect(r.status, path).toBe(404);
      expect(r.body.code, path).toBe('SEQCHAIN_ERR_LOG_VIEW_OFF');
    }
    await f.set.stopAll();

    // Phase 2: two replicas with the view on.
    const env = { SEQCHAIN_LOG_VIEW_ENABLED: 'true', SEQCHAIN_LOG_VIEW_ORIGIN: origin, SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: keyFile };
    const on = new ReplicaSet({ chain: f.chain, logDir: join(REPO, '.stack', 'test-logs', f.chain), env, logger: f.logger });
    fixtures.push(on);
    on.start(`${f.chain}-on1`);
    on.start(`${f.chain}-on2`);
    await waitFor('a log-view leader', async () => (await on.leader()) ?? undefined, 60_000);
    const RECORDS = BEFORE + 20_000;
    await f.produce(RECORDS - BEFORE, { rate: 10_000 });
    await waitFor(`${RECORDS} sequenced`, async () => (await on.sequenced()) >= RECORDS, 120_000, 100);
    const urls = [await on.apiUrl(`${f.chain}-on1`), await on.apiUrl(`${f.chain}-on2`)];
    for (const url of urls) {
      await waitFor(
        `${url} serves the checkpoint of size ${RECORDS}`,
        async () => {
          const r = await get(`${url}/checkpoint`);
          return r.status === 200 && r.body.toString('utf8').split('\n')[1] === String(RECORDS);
        },
        60_000,
        100,
      );
    }

    const cuts = (await f.ledgerMessages()).filter((m): m is CutMessage => m.kind === 'cut');
    const digests = new Map<number, Buffer>();
    for (const c of cuts) for (const [i, e] of c.entries.entries()) digests.set(Number(c.firstSeq) + i, e.digest);
    expect(cuts[0]!.log).toBeUndefined();
    const signedSizes = cuts.filter((c) => c.log).map((c) => Number(c.lastSeq));
    expect(signedSizes.length).toBeGreaterThan(2);

    for (const url of urls) {
      const key = await json(`${url}/v1/log/key`);
      expect(key).toEqual({ status: 200, body: { origin, verifierKey: verifier.verifierKey, verifierKeys: [verifier.verifierKey] } });

      const cpRes = await get(`${url}/checkpoint`);
      expect(cpRes.type).toMatch(/^text\/plain/);
      const { checkpoint: cp } = openCheckpoint(cpRes.body.toString('utf8'), [verifier], origin);
      expect(cp.size).toBe(RECORDS);

      // Tiles over HTTP give the checkpoint's root; entry bundles hold each record's SCT1 entry.
      const tiles = new Map<string, Buffer>();
      for (const t of tilesOfSize(RECORDS)) {
        const r = await get(`${url}/${formatTilePath(t)}`);
        expect(r.status, formatTilePath(t)).toBe(200);
        expect(r.type).toBe('application/octet-stream');
        expect(r.cache).toBe(t.width === 256 ? 'public, max-age=31536000, immutable' : 'public, max-age=10');
        if (t.level === 'entries') {
          const entries = decodeEntryBundle(r.body, t.width);
          entries.forEach((e, i) => {
            const seq = t.index * 256 + i + 1;
            expect(e.equals(leafEntry(BigInt(seq), digests.get(seq)!))).toBe(true);
          });
        } else {
          expect(r.body.length).toBe(t.width * HASH_BYTES);
          tiles.set(tileKey(t.level, t.index), r.body);
        }
      }
      expect(treeRoot(new TileBytesSource(tiles), RECORDS).equals(cp.root)).toBe(true);

      // Inclusion proofs of random records (before and after the switch), at the latest size.
      const latencies: number[] = [];
      for (let i = 0; i < 200; i++) {
        const seq = i < 20 ? 1 + Math.floor(Math.random() * BEFORE) : 1 + Math.floor(Math.random() * RECORDS);
        const t0 = performance.now();
        const r = await json(`${url}/v1/proofs/inclusion?seq=${seq}`);
        latencies.push(performance.now() - t0);
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ seq: String(seq), leafIndex: String(seq - 1), treeSize: String(RECORDS) });
        expect(r.body.checkpoint).toBe(cpRes.body.toString('utf8'));
        verifyInclusion(recordLeafHash(BigInt(seq), digests.get(seq)!), seq - 1, RECORDS, b64(r.body.proof), cp.root);
      }
      process.stdout.write(
        `[log api] ${url}: inclusion proof over HTTP, ${RECORDS} records, 200 requests: p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms\n`,
      );

      // At an older size a cut ended at: the signed checkpoint of that size comes with the proof.
      const older = signedSizes[Math.floor(signedSizes.length / 2)]!;
      const seq = 1 + Math.floor(Math.random() * older);
      const atOlder = await json(`${url}/v1/proofs/inclusion?seq=${seq}&size=${older}`);
      expect(atOlder.status).toBe(200);
      const { checkpoint: olderCp } = openCheckpoint(atOlder.body.checkpoint as string, [verifier], origin);
      expect(olderCp.size).toBe(older);
      verifyInclusion(recordLeafHash(BigInt(seq), digests.get(seq)!), seq - 1, older, b64(atOlder.body.proof), olderCp.root);
      // A size no cut ended at: still a proof, no checkpoint.
      const between = await json(`${url}/v1/proofs/inclusion?seq=1&size=${BEFORE + 1}`);
      expect(between.status).toBe(200);
      if (!signedSizes.includes(BEFORE + 1)) expect(between.body.checkpoint).toBeNull();

      // Consistency between two served checkpoints.
      const cons = await json(`${url}/v1/proofs/consistency?from=${older}`);
      expect(cons.status).toBe(200);
      expect(cons.body).toMatchObject({ from: String(older), to: String(RECORDS) });
      verifyConsistency(older, RECORDS, b64(cons.body.proof), olderCp.root, cp.root);
      const same = await json(`${url}/v1/proofs/consistency?from=${RECORDS}&to=${RECORDS}`);
      expect(same.body.proof).toEqual([]);

      // Bad input: 400 naming the parameter (or the path).
      const bad: [string, string][] = [
        ['/v1/proofs/inclusion?seq=0', 'seq'],
        [`/v1/proofs/inclusion?seq=${RECORDS + 1}`, 'seq'],
        [`/v1/proofs/inclusion?seq=5&size=4`, 'seq'],
        [`/v1/proofs/inclusion?seq=1&size=${RECORDS + 1}`, 'size'],
        ['/v1/proofs/inclusion?seq=1&size=0', 'size'],
        ['/v1/proofs/inclusion', 'seq'],
        [`/v1/proofs/consistency?from=${RECORDS}&to=${RECORDS - 1}`, 'from'],
        [`/v1/proofs/consistency?from=1&to=${RECORDS + 1}`, 'to'],
        ['/v1/proofs/consistency?from=0', 'from'],
        ['/tile/0/0001', 'path'],
        ['/tile/0/x000/001', 'path'],
        ['/tile/64/000', 'path'],
        ['/tile/0/000.p/256', 'path'],
        ['/tile/entries/000.p/0', 'path'],
      ];
      for (const [path, parameter] of bad) {
        const r = await json(`${url}${path}`);
        expect(r.status, path).toBe(400);
        expect(r.body.code, path).toBe('SEQCHAIN_ERR_USAGE');
        expect((r.body.details as { parameter?: string }).parameter, path).toBe(parameter);
        expect(r.body.message as string, path).toContain(parameter);
      }
      // Well-formed, but beyond the tree: 404.
      const beyond = Math.floor(RECORDS / 256) + 1;
      for (const path of [`/tile/0/${String(beyond).padStart(3, '0')}`, `/tile/entries/${String(beyond).padStart(3, '0')}.p/3`]) {
        expect((await json(`${url}${path}`)).status, path).toBe(404);
      }
    }

    // Go's reference implementation over HTTP: TileHashReader reads the replica's tiles (Go's
    // tile/8/L/N mapped to tile/L/N), CheckRecord accepts the route's inclusion proofs, CheckTree
    // its consistency proof, note.Open the served checkpoint.
    {
      const url = urls[1]!;
      const note = (await get(`${url}/checkpoint`)).body.toString('utf8');
      const { checkpoint: cp } = openCheckpoint(note, [verifier], origin);
      const low = new Map<string, Buffer>();
      for (const i of [0, 1]) low.set(tileKey(0, i), (await get(`${url}/tile/0/00${i}`)).body);
      low.set(tileKey(1, 0), (await get(`${url}/tile/1/000.p/${Math.floor(RECORDS / 256)}`)).body);
      const lowTree = new TileBytesSource(low);
      const inclusion = [];
      for (let i = 0; i < 50; i++) {
        const seq = 1 + Math.floor(Math.random() * RECORDS);
        const r = await json(`${url}/v1/proofs/inclusion?seq=${seq}`);
        inclusion.push({
          index: seq - 1,
          size: RECORDS,
          leaf: recordLeafHash(BigInt(seq), digests.get(seq)!).toString('base64'),
          proof: r.body.proof,
          root: cp.root.toString('base64'),
        });
      }
      const older = signedSizes[1]!;
      const olderNote = (await json(`${url}/v1/proofs/inclusion?seq=1&size=${older}`)).body.checkpoint as string;
      const olderRoot = openCheckpoint(olderNote, [verifier], origin).checkpoint.root;
      const cons = await json(`${url}/v1/proofs/consistency?from=${older}`);
      const go = runGoInterop({
        verifierKey: verifier.verifierKey,
        signerKey: readFileSync(keyFile, 'utf8').trim(),
        checkpoint: note,
        signText: `${origin}\n1\n${treeRoot(lowTree, 1).toString('base64')}\n`,
        entries: Array.from({ length: 300 }, (_, i) => leafEntry(BigInt(i + 1), digests.get(i + 1)!).toString('base64')),
        roots: Array.from({ length: 300 }, (_, i) => treeRoot(lowTree, i + 1).toString('base64')),
        inclusion,
        consistency: [{ from: older, to: RECORDS, fromRoot: olderRoot.toString('base64'), toRoot: cp.root.toString('base64'), proof: cons.body.proof }],
        tileDir: '',
        tileUrl: url,
        tileSize: RECORDS,
        tileRoot: cp.root.toString('base64'),
      });
      expect(go.errors).toEqual([]);
      expect(go.checkpointText).toBe(`${origin}\n${RECORDS}\n${cp.root.toString('base64')}\n`);
      expect(go).toMatchObject({ entryRootsMatched: 300, inclusionPassed: 50, inclusionTamperFailed: 50, consistencyPassed: 1, consistencyForkFailed: 1 });
      expect(go.tileTreeRoot).toBe(cp.root.toString('base64'));
      expect(go.tileProofsMatched).toBe(50);
    }

    // seqchain reindex flushes the index and rebuilds it, log view included.
    const reindexed = await runCli(['reindex'], { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' });
    expect(reindexed.code).toBe(0);
    await waitFor(
      'the rebuilt index serves the latest checkpoint',
      async () => {
        const r = await get(`${urls[0]}/checkpoint`);
        return r.status === 200 && r.body.toString('utf8').split('\n')[1] === String(RECORDS);
      },
      60_000,
      100,
    );
    const { checkpoint: rebuilt } = openCheckpoint((await get(`${urls[0]}/checkpoint`)).body.toString('utf8'), [verifier], origin);
    const seq = 1 + Math.floor(Math.random() * RECORDS);
    const proof = await json(`${urls[0]}/v1/proofs/inclusion?seq=${seq}`);
    verifyInclusion(recordLeafHash(BigInt(seq), digests.get(seq)!), seq - 1, RECORDS, b64(proof.body.proof), rebuilt.root);
    const last = tilesOfSize(RECORDS).next().value!;
    expect((await get(`${urls[0]}/${formatTilePath(last)}`)).status).toBe(200);
  }, 300_000);
});
