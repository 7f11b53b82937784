import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GOPATH = '/usr/share/gocode';
const X_MOD = join(GOPATH, 'src/golang.org/x/mod/sumdb/tlog');
const SOURCE = fileURLToPath(new URL('../interop/go/main.go', import.meta.url));

/**
 * Builds test/interop/go/main.go (Go's sumdb/note and sumdb/tlog, Debian's packages, offline) and
 * runs it on `input`; returns its JSON report. Fails, never skips, without Go: scripts/lib/go-interop.sh installs it.
 */
export function runGoInterop(input: Record<string, unknown>): Record<string, unknown> {
  try {
    execFileSync('go', ['version'], { stdio: 'pipe' });
  } catch {
    throw new Error('go is not installed: run `bash scripts/lib/go-interop.sh` (installs golang-go and golang-golang-x-mod-dev)');
  }
  if (!existsSync(X_MOD)) throw new Error(`${X_MOD} is missing: install golang-golang-x-mod-dev (bash scripts/lib/go-interop.sh)`);
  const work = mkdtempSync(join(tmpdir(), 'seqchain-go-http-'));
  const env = { ...process.env, GOPATH, GO111MODULE: 'off', GOCACHE: join(tmpdir(), 'seqchain-go-cache') };
  const bin = join(work, 'interop');
  execFileSync('go', ['build', '-o', bin, SOURCE], { env, cwd: work, stdio: 'pipe' });
  const file = join(work, 'input.json');
  writeFileSync(file, JSON.stringify(input), { mode: 0o600 });
  return JSON.parse(execFileSync(bin, [file], { encoding: 'utf8', maxBuffer: 16 << 20 })) as Record<string, unknown>;
}
