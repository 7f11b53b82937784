/**
 * tlog-cosignature/v1 against Go: golang.org/x/mod/sumdb/note (Debian's golang-golang-x-mod-dev,
 * built offline) opens seqchain's cosigned checkpoints with a cosignature verifier written in
 * test/interop/cosignature/main.go from the spec and Go's crypto/ed25519; seqchain opens a
 * cosignature Go made. Fails, never skips, without Go (scripts/lib/go-interop.sh installs it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CosignatureSigner, formatCosignatureLines, NoteSigner, openNote, parseCosignatureVerifierKey, signCheckpoint } from '../../src/tlog/index.js';

const GOPATH = '/usr/share/gocode';
const SOURCE = fileURLToPath(new URL('./cosignature/main.go', import.meta.url));

interface Report {
  witnessKeyHash: string;
  opened: { ok: boolean; error?: string; signers: string[]; text: string }[];
  goVkey: string;
  goLine: string;
}

function runGo(input: Record<string, unknown>): Report {
  try {
    execFileSync('go', ['version'], { stdio: 'pipe' });
  } catch {
    throw new Error('go is not installed: run `bash scripts/lib/go-interop.sh`');
  }
  if (!existsSync(join(GOPATH, 'src/golang.org/x/mod/sumdb/note'))) throw new Error('golang-golang-x-mod-dev is missing: run `bash scripts/lib/go-interop.sh`');
  const work = mkdtempSync(join(tmpdir(), 'seqchain-go-cosig-'));
  const env = { ...process.env, GOPATH, GO111MODULE: 'off', GOCACHE: join(tmpdir(), 'seqchain-go-cache') };
  const bin = join(work, 'cosig');
  execFileSync('go', ['build', '-o', bin, SOURCE], { env, cwd: work, stdio: 'pipe' });
  const file = join(work, 'input.json');
  writeFileSync(file, JSON.stringify(input));
  return JSON.parse(execFileSync(bin, [file], { encoding: 'utf8' })) as Report;
}

describe("tlog-cosignature/v1 with Go's sumdb/note", () => {
  it('Go opens seqchain-cosigned checkpoints under the log and witness keys, refuses an altered one; seqchain opens a Go cosignature', () => {
    const log = NoteSigner.generate('example.com/go-cosig');
    const witness = CosignatureSigner.generate('witness.example/seqchain');
    const note = signCheckpoint({ origin: log.name, size: 12345, root: Buffer.alloc(32, 7) }, log);
    const text = note.slice(0, note.indexOf('\n\n') + 1);
    const cosigned = `${note}${formatCosignatureLines([witness.cosign(text, 1_764_806_400)])}`;
    const line = cosigned.split('\n').at(-2)!;
    const raw = Buffer.from(line.split(' ')[2]!, 'base64');
    raw.writeBigUInt64BE(1_764_806_401n, 4);
    const retimed = cosigned.replace(line, `— witness.example/seqchain ${raw.toString('base64')}`);

    const report = runGo({ logVkey: log.verifierKey, witnessVkey: witness.verifierKey, notes: [cosigned, retimed, note], text, time: 1_764_806_402 });
    expect(report.witnessKeyHash).toBe(witness.keyId.toString(16).padStart(8, '0'));
    expect(report.opened[0]).toEqual({ ok: true, signers: [log.name, witness.name], text });
    expect(report.opened[1]!.ok).toBe(false);
    expect(report.opened[1]!.error).toMatch(/invalid signature/);
    expect(report.opened[2]).toEqual({ ok: true, signers: [log.name], text });

    const goKey = parseCosignatureVerifierKey(report.goVkey);
    const opened = openNote(`${note}${report.goLine}`, [log.verifier, goKey]);
    expect(opened.verified.map((s) => s.name)).toEqual([log.name, 'witness.example/go']);
  });
});
