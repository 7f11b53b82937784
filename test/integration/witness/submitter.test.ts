/**
 * The leader's witness submissions (src/witness/submitter.ts) against witnesses on loopback: real
 * `WitnessServer`s, one that never answers, one that answers with a cosignature by another key.
 * The log view's store is replaced by an in-memory tree (the Redis side is tested on the real
 * stack in test/integration/log-view/witness.test.ts).
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { createLogger } from '../../../src/log.js';
import {
  consistencyProof,
  CosignatureSigner,
  formatCosignatureLines,
  NoteSigner,
  type NoteVerifier,
  openNote,
  signCheckpoint,
  treeRoot,
} from '../../../src/tlog/index.js';
import { buildTree } from '../../unit/tlog/fixtures.js';
import { type CosigningPort, WitnessSubmitter } from '../../../src/witness/submitter.js';
import { WitnessServer } from '../../../src/witness/witness-server.js';

const ORIGIN = 'example.com/submitter';
const log = NoteSigner.generate(ORIGIN);
const { store } = buildTree(1000);

/** The index as the submitter sees it: a latest size the test moves, and what was saved. */
class FakeIndex implements CosigningPort {
  size = 100;
  saved: { size: number; root: Buffer; lines: string }[] = [];
  async latest() {
    const root = treeRoot(store, this.size);
    return { size: this.size, root, logNote: signCheckpoint({ origin: ORIGIN, size: this.size, root }, log) };
  }
  async consistency(from: number, to: number) {
    return consistencyProof(store, from, to);
  }
  async saveCosignatures(c: { size: number; root: Buffer; lines: string }) {
    this.saved.push(c);
  }
  get last() {
    return this.saved.at(-1);
  }
}

let closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

async function witness(name: string): Promise<{ url: string; key: CosignatureSigner; server: WitnessServer }> {
  const key = CosignatureSigner.generate(name);
  const server = new WitnessServer({
    signer: key,
    logs: new Map<string, NoteVerifier[]>([[ORIGIN, [log.verifier]]]),
    stateDir: mkdtempSync(join(tmpdir(), 'seqchain-submitter-')),
    logger: createLogger({ level: 'silent' }),
  });
  const url = await server.start('127.0.0.1', 0);
  closers.push(() => server.close());
  return { url, key, server };
}

async function rawServer(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('witness submissions (loopback)', () => {
  it('a hanging witness and one answering with a foreign key delay nothing and store nothing; the good witness cosigns each new checkpoint', async () => {
    const good = await witness('witness.example/good');
    const hanging = await rawServer(() => undefined);
    const impostorKey = CosignatureSigner.generate('witness.example/impostor');
    const claimed = CosignatureSigner.generate('witness.example/impostor');
    const impostor = await rawServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const text = body.slice(body.indexOf('\n\n') + 2).split('\n\n')[0]!;
        res.end(formatCosignatureLines([impostorKey.cosign(`${text}\n`, 1_800_000_000)]));
      });
    });
    const index = new FakeIndex();
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', stream: { write: (l: string) => void lines.push(l) } });
    const submitter = new WitnessSubmitter({
      witnesses: [
        { url: hanging, verifierKey: CosignatureSigner.generate('witness.example/hanging').verifierKey },
        { url: impostor, verifierKey: claimed.verifierKey },
        { url: `${good.url}/`, verifierKey: good.key.verifierKey },
      ],
      intervalMs: 100,
      port: index,
      logger,
      timeoutMs: 60_000,
    });
    closers.push(() => submitter.stop().catch(() => undefined));
    submitter.start();

    for (const size of [100, 357, 358, 1000]) {
      index.size = size;
      const t0 = Date.now();
      await waitFor(`cosignatures of size ${size}`, async () => index.last?.size === size, 5_000, 20);
      // The hanging witness holds its request for a minute: the good one answers within the interval regardless.
      expect(Date.now() - t0).toBeLessThan(2_000);
      const opened = openNote(`${(await index.latest()).logNote}${index.last!.lines}`, [log.verifier, good.key.verifier, claimed.verifier]);
      expect(opened.verified.map((s) => s.name)).toEqual([ORIGIN, 'witness.example/good']);
      expect(good.server.head(ORIGIN)?.size).toBe(size);
    }
    expect(index.saved.map((s) => s.lines).join('')).not.toContain('witness.example/impostor');
    const impostorFailures = lines.filter((l) => l.includes('witness.example/impostor') && l.includes('witness submission failed'));
    expect(impostorFailures.length).toBeGreaterThan(1);
    // Logged at warn once, then at debug while it keeps failing.
    expect(impostorFailures.filter((l) => l.includes('"level":40'))).toHaveLength(1);
    // Stopping (leadership lost, replica closing) aborts the hanging request instead of waiting a minute for it.
    const t0 = Date.now();
    await submitter.stop();
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('a new term starts from old 0 and follows the witness 409 to its size; a witness ahead of the index is left alone', async () => {
    const good = await witness('witness.example/term');
    const index = new FakeIndex();
    const opts = { witnesses: [{ url: good.url, verifierKey: good.key.verifierKey }], intervalMs: 100, port: index, logger: createLogger({ level: 'silent' }) };
    const first = new WitnessSubmitter(opts);
    first.start();
    index.size = 600;
    await waitFor('600 cosigned', async () => index.last?.size === 600, 5_000, 20);
    await first.stop();

    // The next term's index lags behind what the witness holds: nothing is submitted, nothing breaks.
    index.size = 500;
    const second = new WitnessSubmitter(opts);
    closers.push(() => second.stop());
    const before = index.saved.length;
    second.start();
    await new Promise((r) => setTimeout(r, 500));
    expect(index.saved.length).toBe(before);
    expect(good.server.head(ORIGIN)?.size).toBe(600);
    // The index catches up: 409 (600), then a proof 600 → 700.
    index.size = 700;
    await waitFor('700 cosigned', async () => index.last?.size === 700, 5_000, 20);
    expect(good.server.head(ORIGIN)?.size).toBe(700);
  });
});
