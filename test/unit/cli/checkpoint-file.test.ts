import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE_MODE, readCheckpointFile, writeCheckpointFile } from '../../../src/cli/checkpoint-file.js';

const dir = () => mkdtempSync(join(tmpdir(), 'seqchain-checkpoint-file-'));

describe('the audit state file', () => {
  it('reads as null only when missing: an empty file is bytes, not "no file yet"', async () => {
    const d = dir();
    expect(await readCheckpointFile(join(d, 'none'))).toBeNull();
    writeFileSync(join(d, 'empty'), '');
    expect(await readCheckpointFile(join(d, 'empty'))).toEqual(Buffer.alloc(0));
  });

  it('creates, then replaces the note with exactly the bytes given, mode 0644 less the umask, and leaves no temp file', async () => {
    const d = dir();
    const path = join(d, 'state');
    await writeCheckpointFile(path, Buffer.from('first\n'));
    expect(statSync(path).mode & 0o777).toBe(CHECKPOINT_FILE_MODE & ~process.umask());
    const second = Buffer.from('o\n2\n\u2014 bytes as served\n');
    await writeCheckpointFile(path, second);
    expect(readFileSync(path).equals(second)).toBe(true);
    expect(readdirSync(d)).toEqual(['state']);
  });

  it('fails without a trace when the file cannot be replaced (a folder in its place)', async () => {
    const d = dir();
    const path = join(d, 'state');
    mkdirSync(path);
    await expect(writeCheckpointFile(path, Buffer.from('x\n'))).rejects.toThrow();
    expect(readdirSync(d)).toEqual(['state']);
    expect(statSync(path).isDirectory()).toBe(true);
  });
});
