import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../../../scripts/lib/replica-set.js';
import { hashInCut } from '../../../src/verify/kept-head.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';

const run = promisify(execFile);

/** The complete example of docs/CONSUMING.md, as a user would copy it. */
async function consumingExample(): Promise<string> {
  const doc = await readFile(join(REPO, 'docs', 'CONSUMING.md'), 'utf8');
  const example = /## A complete example[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc);
  if (!example) throw new Error('docs/CONSUMING.md has no "A complete example" TypeScript block');
  return example[1]!;
}
const NPM = 'npm';

/**
 * What a user does: `npm pack`, install the tarball into an empty project, import the package by
 * name. The consumer script reads a chain with the genesis from ZooKeeper (`readChainGenesis`),
 * and a TypeScript file type-checks against the declarations the package ships. The pack skips
 * `prepack` (the build): the tests run on a build made beforehand.
 */
describe('the seqchain package', () => {
  let dir: string;
  let app: string;
  let f: ChainFixture;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seqchain-pack-'));
    app = join(dir, 'app');
    f = new ChainFixture();
    const [, packed] = await Promise.all([
      f.startSequenced(2, 40),
      run(NPM, ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], { cwd: REPO }).then(async () => {
        await run('mkdir', [app]);
        await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
        const tarball = (await readdir(dir)).find((n) => n.endsWith('.tgz'))!;
        await run(NPM, ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', join(dir, tarball)], { cwd: app });
        return tarball;
      }),
    ]);
    expect(packed).toMatch(/^seqchain-.*\.tgz$/);
  }, 180_000);

  afterAll(async () => {
    await f?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds the built library and its declarations, not the tests', async () => {
    const { stdout } = await run('tar', ['tzf', join(dir, (await readdir(dir)).find((n) => n.endsWith('.tgz'))!)]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/dist/src/lib.js');
    expect(files).toContain('package/dist/src/lib.d.ts');
    expect(files).toContain('package/dist/src/cli/main.js');
    expect(files).toContain('package/docs/CONSUMING.md');
    expect(files.filter((n) => n.startsWith('package/dist/test/') || n.startsWith('package/test/') || n.endsWith('.map'))).toEqual([]);
  });

  it('still installs the seqchain command', async () => {
    const { stdout } = await run(join(app, 'node_modules', '.bin', 'seqchain'), ['--version'], { cwd: app });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('is imported by name and reads the chain in global order', async () => {
    const script = `
import { createLogger, readChainGenesis, readSequenced, ChainBrokenError, SourceDeletedError, SeqchainError, ErrorCodes } from 'seqchain';
const { zookeeper, brokers, chain } = JSON.parse(process.env.READER_TEST);
const exported = [readChainGenesis, readSequenced, ChainBrokenError, SourceDeletedError, SeqchainError].map((x) => typeof x);
const genesis = await readChainGenesis(zookeeper, chain, createLogger({ level: 'warn' }));
let count = 0;
let last = null;
for await (const r of readSequenced({ kafka: { brokers }, chain, genesis, until: 40n })) {
  count++;
  last = { seq: r.seq.toString(), hash: r.hash.toString('hex') };
}
console.log(JSON.stringify({ exported, code: ErrorCodes.SEQCHAIN_ERR_SOURCE_DELETED, count, last }));
`;
    await writeFile(join(app, 'read.mjs'), script);
    const env = { ...process.env, READER_TEST: JSON.stringify({ zookeeper: f.set.config.zookeeper, brokers: f.set.config.kafka.brokers, chain: f.chain }) };
    const { stdout } = await run(process.execPath, ['read.mjs'], { cwd: app, env });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    const rows = await f.ledgerRows();
    const cut = (await f.ledgerMessages()).find((m) => m.kind === 'cut' && m.firstSeq <= 40n && m.lastSeq >= 40n);
    expect(out.exported).toEqual(['function', 'function', 'function', 'function', 'function']);
    expect(out.code).toBe('SEQCHAIN_ERR_SOURCE_DELETED');
    expect(out.count).toBe(40);
    expect(out.last.seq).toBe('40');
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(cut?.kind).toBe('cut');
    if (cut?.kind === 'cut') expect(out.last.hash).toBe(hashInCut(cut, 40n).toString('hex'));
  }, 60_000);

  it('seals and opens by name: sealValue, openSealedValue, Keyring, loadKeyring (which refuses a 0644 key file)', async () => {
    const script = `
import { chmodSync, writeFileSync } from 'node:fs';
import { Keyring, loadKeyring, openSealedValue, SEAL_KEY_ID_HEADER, SealError, sealValue } from 'seqchain';
const ring = Keyring.fromKeys([{ id: 'k1', key: Buffer.alloc(32, 5) }]);
const sealed = sealValue(ring, 'orders', 'hello');
const opened = openSealedValue(ring, 'orders', sealed.headers[SEAL_KEY_ID_HEADER], sealed.value).toString();
let moved = null;
try { openSealedValue(ring, 'other', 'k1', sealed.value); } catch (err) { moved = err instanceof SealError ? err.code : String(err); }
writeFileSync('keys', 'k1 ' + Buffer.alloc(32, 5).toString('base64') + '\\n', { mode: 0o644 });
chmodSync('keys', 0o644);
let loose = null;
try { loadKeyring('keys'); } catch (err) { loose = err.code; }
chmodSync('keys', 0o600);
console.log(JSON.stringify({ header: SEAL_KEY_ID_HEADER, opened, moved, loose, ids: loadKeyring('keys').ids }));
`;
    await writeFile(join(app, 'seal.mjs'), script);
    const { stdout } = await run(process.execPath, ['seal.mjs'], { cwd: app });
    expect(JSON.parse(stdout.trim())).toEqual({
      header: 'seqchain.key-id',
      opened: 'hello',
      moved: 'SEQCHAIN_ERR_SEAL_OPEN_FAILED',
      loose: 'SEQCHAIN_ERR_CONFIG',
      ids: ['k1'],
    });
  }, 60_000);

  it('type-checks a consumer, and the example of docs/CONSUMING.md, against the declarations it ships', async () => {
    await writeFile(join(app, 'example.ts'), await consumingExample());
    await writeFile(
      join(app, 'check.ts'),
      `import { readSequenced, type SequencedReaderOptions, type SequencedRecord, type SkippedRange, SourceDeletedError } from 'seqchain';
const options: SequencedReaderOptions = { kafka: { brokers: ['127.0.0.1:19092'] }, chain: 'c', genesisHash: 'ab'.repeat(32), until: 'follow', skipDeleted: true, onSkipped: (r: SkippedRange) => void r.firstSeq };
export async function last(): Promise<bigint | undefined> {
  let seq: bigint | undefined;
  try {
    for await (const r of readSequenced(options)) seq = (r satisfies SequencedRecord).seq;
  } catch (err) {
    if (err instanceof SourceDeletedError) return BigInt(String(err.details.seq));
    throw err;
  }
  return seq;
}
`,
    );
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          typeRoots: [join(REPO, 'node_modules', '@types')],
          types: ['node'],
        },
        files: ['check.ts', 'example.ts'],
      }),
    );
    await run(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app]).catch((err) => {
      throw new Error(`tsc: ${err.stdout}${err.stderr}`);
    });
  }, 60_000);
});
