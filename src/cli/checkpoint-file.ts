/**
 * The state file of `seqchain audit`: the last signed checkpoint the auditor accepted, the raw
 * note exactly as the log served it (docs/LOG.md "Auditing the log").
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * 0644: a checkpoint is public (the log serves it to anyone) and the auditor trusts it for its
 * signature under the pinned key, not for being secret; only the owner may replace it. The umask
 * narrows it as usual (077 gives 0600).
 */
export const CHECKPOINT_FILE_MODE = 0o644;

/** The kept note's bytes, or null when the file does not exist yet (trust on first use). An empty file is not "no file". */
export async function readCheckpointFile(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Replaces the file in one step: a temp file beside it, written and fsynced, renamed over it, and
 * the folder fsynced, so that neither a crash nor a power cut leaves half a note or the old one
 * back after the new one was reported kept.
 */
export async function writeCheckpointFile(path: string, note: Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const file = await open(tmp, 'wx', CHECKPOINT_FILE_MODE);
  try {
    try {
      await file.writeFile(note);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
